/**
 * A sweep as JSON in the documented, stable shape of docs/sweep-schema.md: keys in a fixed order,
 * two-space indentation, one trailing newline.
 */
import type { SweepFigures, SweepFiguresDelta, SweepResult } from '../domain/sweep.js';

const figures = (f: SweepFigures | SweepFiguresDelta) => ({ closeWait: f.closeWait, listenOverflowsPerSec: f.listenOverflowsPerSec, fullQueues: f.fullQueues, synRecv: f.synRecv });

/** Projects the result onto the schema (and nothing else). */
export function renderSweepJson(result: SweepResult): string {
  const doc = {
    schemaVersion: result.schemaVersion,
    sweepId: result.sweepId,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    previousStartedAt: result.previousStartedAt,
    exitCode: result.exitCode,
    totals: { checked: result.totals.checked, healthy: result.totals.healthy, warning: result.totals.warning, critical: result.totals.critical, unreachable: result.totals.unreachable },
    nodes: result.nodes.map((n) => ({
      node: n.node,
      verdict: n.verdict,
      exitCode: n.exitCode,
      headline: n.headline,
      findings: n.findings.map((f) => ({ rule: f.rule, severity: f.severity, ports: f.ports })),
      error: n.error ? { code: n.error.code, message: n.error.message } : null,
      figures: n.figures ? figures(n.figures) : null,
      figuresDelta: n.figuresDelta ? figures(n.figuresDelta) : null,
      comparedWith: n.comparedWith,
      changes: n.changes
        ? { new: n.changes.new.map((f) => ({ rule: f.rule, ports: f.ports })), resolved: n.changes.resolved.map((f) => ({ rule: f.rule, ports: f.ports })), persisting: n.changes.persisting.map((f) => ({ rule: f.rule, ports: f.ports })) }
        : null,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
