/**
 * `cpu-throttling`: pods with a CPU limit that the kernel's CFS bandwidth control throttled in more
 * than {@link THROTTLED_SHARE_WARN} of their periods between the two samples (`cpu.stat`
 * nr_throttled / nr_periods). It answers "do co-located pods throttle each other": a limit
 * throttles only its own pod, so the noisiest are named with their limits; and when a throttled
 * pod owns a listener with a queue, its owner accepts slowly because it is throttled.
 */
import type { PodCpu } from '../../domain/snapshot.js';
import { podName } from '../pod-findings.js';
import { finding, type Rule } from '../rule.js';
import { THROTTLE_MIN_PERIODS, THROTTLED_SHARE_WARN } from '../thresholds.js';
import { listWords, percent, plural, sortPorts } from '../words.js';

/** One pod's throttling between the samples. */
export interface Throttle {
  pod: PodCpu;
  periods: number;
  throttled: number;
  share: number;
  throttledSec: number;
}

/** Deltas between the two samples; pods without both samples, or that barely ran, are left out. */
export function measureThrottling(pods: readonly PodCpu[]): Throttle[] {
  const out: Throttle[] = [];
  for (const pod of pods) {
    if (!pod.first || !pod.second) continue;
    const periods = pod.second.nrPeriods - pod.first.nrPeriods;
    const throttled = pod.second.nrThrottled - pod.first.nrThrottled;
    // A counter that went backwards is a recreated cgroup (a restarted pod): no delta to read.
    if (periods < THROTTLE_MIN_PERIODS || throttled < 0) continue;
    out.push({ pod, periods, throttled, share: throttled / periods, throttledSec: Math.max(0, pod.second.throttledUsec - pod.first.throttledUsec) / 1e6 });
  }
  return out.sort((a, b) => b.share - a.share || b.throttledSec - a.throttledSec);
}

const cores = (n: number | null) => (n === null ? 'no limit' : `limit ${Number(n.toFixed(3))} CPU`);

export const cpuThrottling: Rule = {
  id: 'cpu-throttling',
  needs: [],
  run(ctx) {
    const pods = ctx.snapshot.pods;
    if (!pods) return [];
    const flagged = measureThrottling(pods.cpu).filter((t) => t.share > THROTTLED_SHARE_WARN);
    if (flagged.length === 0) return [];
    const label = (t: Throttle) => podName(t.pod.podUid, ctx.snapshot);
    // A throttled pod that owns a listener with a queue accepts slowly because it is throttled.
    const backlogged = new Map<string, number[]>();
    for (const ns of pods.netns) {
      const ports = ns.sockets.filter((s) => s.state === 'LISTEN' && s.recvQ > 0).map((s) => s.localPort);
      if (ns.podUid && ports.length > 0) backlogged.set(ns.podUid, [...(backlogged.get(ns.podUid) ?? []), ...ports]);
    }
    const slowOwners = flagged.filter((t) => backlogged.has(t.pod.podUid));
    return [
      finding({
        rule: 'cpu-throttling',
        severity: 'warning',
        // Node-wide: the listeners a throttled pod owns are its own (facts.pods[].backloggedPorts), not the node's.
        title: `${plural(flagged.length, 'pod')} CPU-throttled in more than ${percent(THROTTLED_SHARE_WARN)} of periods: ${listWords(flagged.map((t) => `${label(t)} (${percent(t.share)}, ${cores(t.pod.limitCores)})`), 5)}`,
        detail:
          'CFS bandwidth control stops a cgroup for the rest of each period (100 ms by default) once it has used its quota, so work that could run waits for the next period, even on an idle node. ' +
          'A limit throttles only its own pod: co-located pods compete for CPU time, but throttling here means these pods hit their own limits.' +
          (slowOwners.length > 0 ? ` ${listWords(slowOwners.map(label))} ${slowOwners.length === 1 ? 'owns' : 'own'} a listener with a queue: the owner is throttled, so it accepts slowly.` : ''),
        evidence: flagged.map(
          (t) => `${label(t)}: throttled in ${t.throttled} of ${t.periods} periods (${percent(t.share)}), ${t.throttledSec.toFixed(2)} s throttled, ${cores(t.pod.limitCores)} (${t.pod.cgroup})${backlogged.has(t.pod.podUid) ? `, owns backlogged ${listWords(backlogged.get(t.pod.podUid)!.map(String))}` : ''}`,
        ),
        recommendation: 'Raise the CPU limit of these pods (or remove it and keep the request), or find what makes them use more CPU than their limit; watch container_cpu_cfs_throttled_periods_total.',
        commands: flagged.slice(0, 5).map((t) => `cat ${/^[A-Za-z0-9/,._:-]+$/.test(t.pod.cgroup) ? t.pod.cgroup : 'CGROUP'}/cpu.stat`),
        facts: {
          counts: { pods: flagged.length },
          pods: flagged.map((t) => ({
            pod: label(t),
            podUid: t.pod.podUid,
            periods: t.periods,
            throttled: t.throttled,
            share: Number(t.share.toFixed(4)),
            throttledSec: Number(t.throttledSec.toFixed(3)),
            limitCores: t.pod.limitCores,
            backloggedPorts: sortPorts(backlogged.get(t.pod.podUid) ?? []),
          })),
        },
      }),
    ];
  },
};
