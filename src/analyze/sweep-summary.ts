/**
 * A node's report reduced to what a sweep keeps: verdict, findings as {rule, severity, ports} and
 * the key figures. Read from the report's fields and the findings' structured data only; a
 * finding's title is never parsed.
 */
import type { Report } from '../domain/report.js';
import type { SweepError, SweepFigures, SweepNodeSummary, SweepVerdict } from '../domain/sweep.js';

const VERDICT_BY_EXIT: Record<0 | 1 | 2, SweepVerdict> = { 0: 'healthy', 1: 'warning', 2: 'critical' };

/** The key figures of a report. */
export function figuresOf(report: Report): SweepFigures {
  return {
    closeWait: report.states['CLOSE-WAIT'] ?? 0,
    listenOverflowsPerSec: report.counters.TcpExtListenOverflows?.perSecond ?? null,
    // The report decided each listener's status once (flagListeners); the sweep counts, never re-decides.
    fullQueues: report.listeners.filter((l) => l.status === 'full').length,
    synRecv: report.states['SYN-RECV'] ?? 0,
  };
}

/**
 * Summarises a diagnosed node. A report that could not diagnose (exit code 3: no socket data was
 * read) becomes an `unreachable` row with `collection_failed`, never a healthy one.
 */
export function summarizeReport(node: string, report: Report): SweepNodeSummary {
  if (report.exitCode === 3) return summarizeFailure(node, { code: 'collection_failed', message: report.verdict.headline });
  return {
    node,
    verdict: VERDICT_BY_EXIT[report.exitCode],
    exitCode: report.exitCode,
    headline: report.verdict.headline,
    // Info findings are notes, not trouble: keeping them would make every digest report noise as change.
    findings: report.findings.filter((f) => f.severity !== 'info').map((f) => ({ rule: f.rule, severity: f.severity, ports: [...f.ports].sort((a, b) => a - b) })),
    error: null,
    figures: figuresOf(report),
  };
}

/** A node that could not be diagnosed: a row with its error, no figures, no findings. */
export function summarizeFailure(node: string, error: SweepError): SweepNodeSummary {
  return { node, verdict: 'unreachable', exitCode: 3, headline: null, findings: [], error, figures: null };
}
