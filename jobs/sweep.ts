/**
 * A sweep, wired: each node goes through the same diagnose entry as `tcpcheck check` and the Slack
 * worker, and becomes one summary row whatever happens (an unreachable node, a refused host key or
 * a timeout is a row with its error, never a failed sweep); then the rows are compared with the
 * history, saved, and the history pruned to its retention. The CLI runs the rows in this process;
 * the bot runs one BullMQ child job per row and calls {@link finishSweep} in the parent.
 */
import { compareSweep, type SweepRun } from '../src/analyze/compare.js';
import { summarizeFailure, summarizeReport } from '../src/analyze/sweep-summary.js';
import type { OpenedNode } from '../src/app/targets.js';
import type { Config } from '../src/config/index.js';
import type { SweepNodes } from '../src/config/sweep-schema.js';
import type { SweepNodeSummary, SweepResult } from '../src/domain/sweep.js';
import { isTcpcheckError } from '../src/errors.js';
import { retentionStart, type HistoryStore } from '../src/history/store.js';
import { diagnose } from './diagnose.js';

export interface SweepNodeOptions {
  /** Opens the node: the one name → transport factory `check` uses (src/app/targets.ts `openNode`). */
  open: (node: string) => Promise<OpenedNode>;
  /** Seconds between the two samples. @defaultValue the node's `limits.intervalSec` */
  intervalSec?: number;
  /** Whole node, connect to last byte, before it is given up as `command_timeout`. */
  nodeTimeoutMs: number;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Diagnoses one node into its sweep row. Never rejects: a failure is a row with its error. */
export async function sweepNode(node: string, opts: SweepNodeOptions): Promise<SweepNodeSummary> {
  const timeout = AbortSignal.timeout(opts.nodeTimeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // The transport honours the signal once connected; the race also bounds name resolution and connect.
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('node timeout')), opts.nodeTimeoutMs);
  });
  try {
    const work = (async () => {
      return diagnose({ kind: 'node', node: await opts.open(node) }, { intervalSec: opts.intervalSec, signal, now: opts.now });
    })();
    work.catch(() => undefined);
    const { report } = await Promise.race([work, expired]);
    return summarizeReport(node, report);
  } catch (err) {
    if (timeout.aborted && !opts.signal?.aborted) {
      return summarizeFailure(node, { code: 'command_timeout', message: `${node} did not answer within ${Math.round(opts.nodeTimeoutMs / 1000)} s (the sweep's per-node timeout).` });
    }
    if (isTcpcheckError(err)) return summarizeFailure(node, { code: err.code, message: err.message });
    return summarizeFailure(node, { code: 'collection_failed', message: String((err as Error)?.message ?? err) });
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

export interface FinishSweepOptions {
  history: HistoryStore;
  /** Sweeps older than this are pruned and not compared with. @defaultValue 30 */
  retentionDays: number;
  now: Date;
}

/** Compares a finished sweep with the history, saves it and prunes what is past the retention. */
export async function finishSweep(run: SweepRun, opts: FinishSweepOptions): Promise<SweepResult> {
  const since = retentionStart(opts.now, opts.retentionDays);
  const result = compareSweep(run, await opts.history.list(since));
  await opts.history.save({ schemaVersion: 1, ...run });
  await opts.history.prune(since);
  return result;
}

/**
 * The node names a sweep covers: every inventory node, the listed ones, or the Kubernetes nodes
 * matching a label selector. Sorted and without repeats.
 */
export async function listSweepNodes(spec: SweepNodes, config: Config): Promise<string[]> {
  let names: string[];
  if (spec === 'all') names = config.nodes.map((n) => n.name);
  else if (Array.isArray(spec)) names = spec;
  else {
    const { listNodeNames } = await import('../src/collect/kube/node-list.js');
    names = await listNodeNames(spec.selector, config.kube);
  }
  return [...new Set(names)].sort();
}
