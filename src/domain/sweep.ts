/**
 * A sweep: every node of a fleet diagnosed once, summarised per node, compared with the node's
 * last sweep. The summary is what the history keeps (a few hundred bytes per node); the result adds
 * the comparison. Both are the JSON contract of `tcpcheck sweep --format json`
 * (docs/sweep-schema.md) and of the Slack digest.
 */
import type { RuleId, Severity } from './report.js';

/** A node's state in a sweep: `unreachable` when no diagnosis could be made (no data was read). */
export type SweepVerdict = 'healthy' | 'warning' | 'critical' | 'unreachable';

/** Worst first, for sorting rows and picking the exit code. */
export const SWEEP_VERDICTS: readonly SweepVerdict[] = ['unreachable', 'critical', 'warning', 'healthy'];

/** A finding as the history keeps it: identified by rule + node + ports. */
export interface SweepFinding {
  rule: RuleId;
  severity: Severity;
  ports: number[];
}

/** A finding's identity inside one node's changes. */
export interface FindingKey {
  rule: RuleId;
  ports: number[];
}

/** The key figures of a node, read from the report's fields (never from prose). */
export interface SweepFigures {
  /** Sockets in CLOSE-WAIT, node-wide. */
  closeWait: number;
  /** TcpExtListenOverflows per second between the two samples; null with one sample or no interval. */
  listenOverflowsPerSec: number | null;
  /** Listeners whose accept queue holds backlog+1 (no room). */
  fullQueues: number;
  /** Sockets in SYN-RECV, node-wide. */
  synRecv: number;
}

/** Change of each figure since the node's previous diagnosed sweep; null where either side is unknown. */
export type SweepFiguresDelta = { [K in keyof SweepFigures]: number | null };

/** Why a node has no diagnosis. */
export interface SweepError {
  /** A tcpcheck error code (`node_unreachable`, `auth_failed`, `command_timeout`…). */
  code: string;
  message: string;
}

/** One node in one sweep, as the history keeps it. */
export interface SweepNodeSummary {
  node: string;
  verdict: SweepVerdict;
  /** 0 healthy, 1 warning, 2 critical, 3 unreachable (no diagnosis). */
  exitCode: 0 | 1 | 2 | 3;
  /** The report's one-line headline; null when unreachable. For display only: nothing parses it. */
  headline: string | null;
  /** Findings above `info`, in the report's order (cause first). */
  findings: SweepFinding[];
  error: SweepError | null;
  /** null when unreachable: nothing was read, so nothing is claimed. */
  figures: SweepFigures | null;
}

/** One sweep as the history keeps it. */
export interface SweepRecord {
  schemaVersion: 1;
  /** Unique per sweep; a scheduled sweep's id is its scheduler run's job id, so retries keep it. */
  sweepId: string;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  nodes: SweepNodeSummary[];
}

/** What changed on a node since its previous diagnosed sweep. */
export interface SweepChanges {
  new: FindingKey[];
  resolved: FindingKey[];
  persisting: FindingKey[];
}

/** One row of a sweep's result: the summary plus the comparison. */
export interface SweepNodeResult extends SweepNodeSummary {
  figuresDelta: SweepFiguresDelta | null;
  /** null when the node has no earlier diagnosed sweep, or is unreachable now. */
  changes: SweepChanges | null;
  /** startedAt of the sweep compared against; null when none. */
  comparedWith: string | null;
}

export interface SweepTotals {
  /** healthy + warning + critical + unreachable. */
  checked: number;
  healthy: number;
  warning: number;
  critical: number;
  unreachable: number;
}

/** The result of a sweep: `tcpcheck sweep --format json` and the digest's data. */
export interface SweepResult {
  schemaVersion: 1;
  sweepId: string;
  startedAt: string;
  finishedAt: string;
  /** startedAt of the latest earlier sweep in the history; null when this is the first. */
  previousStartedAt: string | null;
  totals: SweepTotals;
  /** Worst first (unreachable, critical, warning, healthy), then by node name. */
  nodes: SweepNodeResult[];
  /** 0 healthy, 1 warning, 2 critical (the worst diagnosed node); 3 when no node could be diagnosed. */
  exitCode: 0 | 1 | 2 | 3;
}
