/**
 * Counter views: each kernel counter's last value, its change across the samples and its rate.
 * A counter missing from a sample (a pasted excerpt) is compared only between the samples that
 * have it.
 */
import type { CounterView } from '../domain/report.js';
import type { CounterSample } from '../domain/snapshot.js';

/** Counters a reader of the report needs; the rest stay available to the rules only. */
export const REPORTED_COUNTERS = [
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtTCPReqQFullDrop',
  'TcpExtTCPReqQFullDoCookies',
  'TcpExtSyncookiesSent',
  'TcpExtSyncookiesRecv',
  'TcpExtSyncookiesFailed',
  'TcpExtTCPSynRetrans',
  'TcpExtTCPTimeouts',
  'TcpRetransSegs',
  'TcpOutSegs',
  'TcpInSegs',
  'TcpCurrEstab',
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpAttemptFails',
  'TcpEstabResets',
  'TcpOutRsts',
  'TcpExtEmbryonicRsts',
  'TcpExtPruneCalled',
  'TcpExtRcvPruned',
  'TcpExtOfoPruned',
  'TcpExtTCPRcvCollapsed',
  'TcpExtTCPBacklogDrop',
  'TcpExtTCPMemoryPressures',
  'TcpExtTCPAbortOnData',
  'TcpExtTCPAbortOnClose',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPAbortOnTimeout',
  'TcpExtTCPAbortOnLinger',
  'TcpExtTCPAbortFailed',
  'TcpExtTW',
  'TcpExtTCPTimeWaitOverflow',
] as const;

/** Builds a view of every counter any sample holds. */
export function buildCounterViews(samples: readonly CounterSample[]): Record<string, CounterView> {
  const first = new Map<string, { value: number; atSec: number | null; index: number }>();
  const last = new Map<string, { value: number; atSec: number | null; index: number }>();
  samples.forEach((sample, index) => {
    for (const [name, value] of Object.entries(sample.values)) {
      const point = { value, atSec: sample.atSec, index };
      if (!first.has(name)) first.set(name, point);
      last.set(name, point);
    }
  });
  const views: Record<string, CounterView> = {};
  for (const [name, end] of last) {
    const start = first.get(name) ?? end;
    const delta = end.index > start.index ? end.value - start.value : null;
    const dt = end.atSec !== null && start.atSec !== null ? end.atSec - start.atSec : null;
    const perSecond = delta !== null && dt !== null && dt > 0 ? round(delta / dt) : null;
    views[name] = { value: end.value, delta, perSecond };
  }
  return views;
}

/** The counters of {@link REPORTED_COUNTERS} that the snapshot has, in that order. */
export function pickReportedCounters(all: Record<string, CounterView>): Record<string, CounterView> {
  const picked: Record<string, CounterView> = {};
  for (const name of REPORTED_COUNTERS) {
    const view = all[name];
    if (view) picked[name] = view;
  }
  return picked;
}

/** Two decimals are enough for a rate and keep the JSON stable across platforms. */
function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Evidence line for a counter: `TcpExtListenOverflows 7203095 → 7203944 (+849 between samples, 169.8/s)`. */
export function describeCounter(name: string, view: CounterView): string {
  if (view.delta === null) return `${name} ${view.value} (since boot)`;
  const rate = view.perSecond === null ? '' : `, ${view.perSecond}/s`;
  return `${name} ${view.value - view.delta} → ${view.value} (${view.delta >= 0 ? '+' : ''}${view.delta} between samples${rate})`;
}

/** True when the counter grew between samples. */
export function isRising(view: CounterView | undefined): boolean {
  return view !== undefined && view.delta !== null && view.delta > 0;
}
