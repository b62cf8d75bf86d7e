/**
 * Sweep N against the history: for each node, which findings are new, resolved or persisting since
 * its previous diagnosed sweep, and how the key figures moved. A finding is identified by rule +
 * node + ports (the ports sorted), so the same trap on the same NodePorts persists across sweeps
 * while the same rule on another port is a new finding. Pure: the history comes in as data.
 */
import type {
  FindingKey, SweepChanges, SweepFigures, SweepFiguresDelta, SweepNodeResult, SweepNodeSummary, SweepRecord, SweepResult, SweepTotals,
} from '../domain/sweep.js';
import { SWEEP_VERDICTS } from '../domain/sweep.js';

/** A sweep just run, not yet compared. */
export type SweepRun = Omit<SweepRecord, 'schemaVersion'>;

const keyOf = (f: FindingKey) => `${f.rule}@${f.ports.join(',')}`;
const bareKey = (f: FindingKey): FindingKey => ({ rule: f.rule, ports: f.ports });

/** new / resolved / persisting between two diagnosed summaries of one node. */
export function compareFindings(previous: readonly FindingKey[], current: readonly FindingKey[]): SweepChanges {
  const before = new Map(previous.map((f) => [keyOf(f), f]));
  const now = new Map(current.map((f) => [keyOf(f), f]));
  return {
    new: [...now].filter(([k]) => !before.has(k)).map(([, f]) => bareKey(f)),
    resolved: [...before].filter(([k]) => !now.has(k)).map(([, f]) => bareKey(f)),
    persisting: [...now].filter(([k]) => before.has(k)).map(([, f]) => bareKey(f)),
  };
}

/** How each figure moved; null where either side is unknown. */
export function compareFigures(previous: SweepFigures, current: SweepFigures): SweepFiguresDelta {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((b - a) * 100) / 100);
  return {
    closeWait: d(previous.closeWait, current.closeWait),
    listenOverflowsPerSec: d(previous.listenOverflowsPerSec, current.listenOverflowsPerSec),
    fullQueues: d(previous.fullQueues, current.fullQueues),
    synRecv: d(previous.synRecv, current.synRecv),
  };
}

/**
 * The node's latest diagnosed summary in sweeps that started before `before`. An unreachable
 * sweep in between is skipped: it read nothing, so it cannot resolve or start anything.
 */
export function previousSummary(node: string, history: readonly SweepRecord[], before: string): { summary: SweepNodeSummary; startedAt: string } | null {
  let best: { summary: SweepNodeSummary; startedAt: string } | null = null;
  for (const sweep of history) {
    if (sweep.startedAt >= before || (best && sweep.startedAt <= best.startedAt)) continue;
    const summary = sweep.nodes.find((n) => n.node === node);
    if (summary && summary.figures !== null) best = { summary, startedAt: sweep.startedAt };
  }
  return best;
}

/** Compares one node's summary with its previous diagnosed one. */
export function compareNode(current: SweepNodeSummary, previous: { summary: SweepNodeSummary; startedAt: string } | null): SweepNodeResult {
  if (!previous || current.figures === null || previous.summary.figures === null) {
    return { ...current, figuresDelta: null, changes: null, comparedWith: previous?.startedAt ?? null };
  }
  return {
    ...current,
    figuresDelta: compareFigures(previous.summary.figures, current.figures),
    changes: compareFindings(previous.summary.findings, current.findings),
    comparedWith: previous.startedAt,
  };
}

/** Counts per verdict; `checked` is their sum. */
export function countVerdicts(nodes: readonly SweepNodeSummary[]): SweepTotals {
  const totals: SweepTotals = { checked: nodes.length, healthy: 0, warning: 0, critical: 0, unreachable: 0 };
  for (const n of nodes) totals[n.verdict]++;
  return totals;
}

/**
 * The sweep's exit code: the worst diagnosed node (0, 1, 2); 3 when none could be diagnosed. A
 * fleet with an unreachable node is never reported healthy: 0 becomes 1, since a node went unread.
 */
export function sweepExitCode(totals: SweepTotals): SweepResult['exitCode'] {
  if (totals.checked === totals.unreachable) return 3;
  if (totals.critical > 0) return 2;
  return totals.warning > 0 || totals.unreachable > 0 ? 1 : 0;
}

const rank = (n: SweepNodeSummary) => SWEEP_VERDICTS.indexOf(n.verdict);

/** Compares a sweep with the history (any order; the sweep itself may be in it) into its result. */
export function compareSweep(run: SweepRun, history: readonly SweepRecord[]): SweepResult {
  const earlier = history.filter((s) => s.sweepId !== run.sweepId && s.startedAt < run.startedAt);
  const previousStartedAt = earlier.reduce<string | null>((latest, s) => (latest === null || s.startedAt > latest ? s.startedAt : latest), null);
  const nodes = run.nodes
    .map((n) => compareNode(n, previousSummary(n.node, earlier, run.startedAt)))
    .sort((a, b) => rank(a) - rank(b) || a.node.localeCompare(b.node));
  const totals = countVerdicts(nodes);
  return { schemaVersion: 1, sweepId: run.sweepId, startedAt: run.startedAt, finishedAt: run.finishedAt, previousStartedAt, totals, nodes, exitCode: sweepExitCode(totals) };
}

/** One node's last `limit` sweeps, newest first, each compared with the one before it. */
export function nodeHistory(node: string, history: readonly SweepRecord[], limit: number): Array<SweepNodeResult & { startedAt: string; sweepId: string }> {
  const mine = history
    .filter((s) => s.nodes.some((n) => n.node === node))
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .slice(0, limit);
  return mine.map((s) => ({
    ...compareNode(s.nodes.find((n) => n.node === node)!, previousSummary(node, history, s.startedAt)),
    startedAt: s.startedAt,
    sweepId: s.sweepId,
  }));
}
