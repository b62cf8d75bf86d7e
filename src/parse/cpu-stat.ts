/**
 * A cgroup's CFS bandwidth figures: `cpu.stat` and the limit, as the plan prints them per pod
 * cgroup (each file's lines prefixed with its name):
 *
 * ```
 * cpu.stat nr_periods 4211
 * cpu.stat nr_throttled 1203
 * cpu.stat throttled_time 98004311207        (v1: nanoseconds)
 * cpu.stat throttled_usec 98004311           (v2: microseconds)
 * cpu.cfs_quota_us 20000                     (v1; -1 means no limit)
 * cpu.cfs_period_us 100000
 * cpu.max 20000 100000                       (v2; "max 100000" means no limit)
 * ```
 */
import type { CpuStat } from '../domain/snapshot.js';

export interface CpuBandwidth {
  stat: CpuStat | null;
  /** The CPU limit in cores (quota / period); null when unlimited or not read. */
  limitCores: number | null;
}

const int = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);

/** Reads one cgroup's lines (see the module comment); unknown lines are ignored, a missing stat gives `stat: null`. */
export function parseCpuBandwidth(lines: readonly string[]): CpuBandwidth {
  const stat = new Map<string, number>();
  let quota: number | null = null;
  let period: number | null = null;
  for (const line of lines) {
    const [file, a, b] = line.trim().split(/\s+/);
    if (file === 'cpu.stat' && a !== undefined && int(b) !== null) stat.set(a, int(b)!);
    else if (file === 'cpu.cfs_quota_us') quota = int(a);
    else if (file === 'cpu.cfs_period_us') period = int(a);
    else if (file === 'cpu.max') {
      quota = a === 'max' ? -1 : int(a);
      period = int(b);
    }
  }
  const periods = stat.get('nr_periods');
  const throttled = stat.get('nr_throttled');
  const usec = stat.get('throttled_usec') ?? (stat.has('throttled_time') ? Math.round(stat.get('throttled_time')! / 1000) : undefined);
  return {
    stat: periods !== undefined && throttled !== undefined && usec !== undefined ? { nrPeriods: periods, nrThrottled: throttled, throttledUsec: usec } : null,
    limitCores: quota !== null && quota > 0 && period !== null && period > 0 ? quota / period : null,
  };
}
