/**
 * The fleet's trend over the history window as a Vega-Lite spec: CLOSE-WAIT (top) and full accept
 * queues (bottom) per node and sweep, one line per node that had findings in the window, the ten
 * with the most CLOSE-WAIT by name and the rest summed into one line. Pure: the sweeps come in as
 * data; turning the spec into a PNG is src/deliver/trend-png.ts.
 */
import type { SweepRecord } from '../domain/sweep.js';
import { clean } from './format.js';

/** Nodes drawn by name; the rest are summed. */
export const TREND_TOP = 10;

export interface TrendPoint {
  /** ISO start time of the sweep. */
  time: string;
  /** The node, or `other N nodes`. */
  series: string;
  closeWait: number;
  fullQueues: number;
}

/**
 * One point per sweep and series. Nodes not read in a sweep (unreachable) have no point there: a
 * gap, never a zero.
 */
export function buildTrendPoints(sweeps: readonly SweepRecord[], top = TREND_TOP): TrendPoint[] {
  const troubled = new Map<string, number>();
  for (const s of sweeps) {
    for (const n of s.nodes) {
      if (n.figures && n.findings.length > 0) troubled.set(n.node, Math.max(troubled.get(n.node) ?? 0, n.figures.closeWait));
    }
  }
  const named = new Set([...troubled].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top).map(([node]) => node));
  const rest = [...troubled.keys()].filter((n) => !named.has(n));
  const restLabel = `other ${rest.length} node${rest.length === 1 ? '' : 's'} (summed)`;
  const points: TrendPoint[] = [];
  for (const s of [...sweeps].sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1))) {
    let sum: TrendPoint | null = null;
    for (const n of s.nodes) {
      if (!n.figures || !troubled.has(n.node)) continue;
      if (named.has(n.node)) {
        points.push({ time: s.startedAt, series: clean(n.node), closeWait: n.figures.closeWait, fullQueues: n.figures.fullQueues });
      } else {
        sum ??= { time: s.startedAt, series: restLabel, closeWait: 0, fullQueues: 0 };
        sum.closeWait += n.figures.closeWait;
        sum.fullQueues += n.figures.fullQueues;
      }
    }
    if (sum) points.push(sum);
  }
  return points;
}

export interface TrendSpecOptions {
  /** Shown in the title, e.g. 30. */
  retentionDays: number;
  /** Font family the PNG renderer has (the repo ships DejaVu Sans). */
  font: string;
}

const panel = (field: 'closeWait' | 'fullQueues', title: string) => ({
  width: 900,
  height: 220,
  // Straight segments: a count between two sweeps is unknown, and a curve would invent values.
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'time', type: 'temporal', title: 'sweep date (UTC)', axis: { format: '%b %d', labelAngle: 0, tickCount: 'day' } },
    // Counts of sockets and queues: whole numbers on the axis.
    y: { field, type: 'quantitative', title, axis: { tickMinStep: 1, format: 'd' } },
    // Eleven series at most (ten nodes and the rest): a 20-colour scheme keeps every line distinct.
    color: { field: 'series', type: 'nominal', title: 'node', scale: { scheme: 'tableau20' } },
  },
});

/** The Vega-Lite spec: two panels sharing the x axis and the node colours, titled and labelled. */
export function buildTrendSpec(points: readonly TrendPoint[], opts: TrendSpecOptions): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `tcpcheck fleet trend: CLOSE-WAIT and full accept queues per node, last ${opts.retentionDays} days`, fontSize: 16 },
    background: 'white',
    padding: 16,
    data: { values: points },
    vconcat: [panel('closeWait', 'CLOSE-WAIT sockets'), panel('fullQueues', 'full accept queues')],
    resolve: { scale: { color: 'shared' } },
    config: { font: opts.font, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 } },
  };
}
