/**
 * Renders a report as JSON in the documented, stable shape of docs/report-schema.md: keys in a
 * fixed order, record keys sorted, two-space indentation, one trailing newline. Scripts and the
 * Slack digest read it; a field is added only with a schemaVersion note in the schema document.
 */
import type { CounterView, Finding, Report } from '../domain/report.js';

const sortedRecord = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k] as T]));

function projectFinding(f: Finding): Record<string, unknown> {
  return {
    rule: f.rule,
    severity: f.severity,
    ports: f.ports,
    title: f.title,
    detail: f.detail,
    evidence: f.evidence,
    recommendation: f.recommendation,
    commands: f.commands,
    explains: f.explains,
    explainedBy: f.explainedBy ?? [],
    facts: f.facts,
  };
}

/** Renders the report as JSON (the report model projected onto the documented schema). */
export function renderJson(report: Report): string {
  const doc = {
    schemaVersion: report.schemaVersion,
    node: report.node,
    hostname: report.hostname,
    kernel: report.kernel,
    collectedAt: report.collectedAt,
    intervalSec: report.intervalSec,
    source: report.source,
    exitCode: report.exitCode,
    verdict: { severity: report.verdict.severity, headline: report.verdict.headline, cause: report.verdict.cause },
    states: report.states,
    listeners: report.listeners.map((l) => ({
      address: l.address,
      port: l.port,
      process: l.process ? { name: l.process.name, pid: l.process.pid } : null,
      acceptQueue: l.acceptQueue,
      backlog: l.backlog,
      acceptQueueSamples: l.acceptQueueSamples,
      status: l.status,
      flagged: l.flagged,
    })),
    flaggedPorts: report.flaggedPorts,
    peers: report.peers.map((p) => ({
      localPort: p.localPort,
      ip: p.ip,
      state: p.state,
      count: p.count,
      unreadBytes: p.unreadBytes,
      maxRecvQ: p.maxRecvQ,
      // Only when the cluster context was read: without it a report stays byte-for-byte what it was.
      ...(p.kind !== undefined ? { name: p.name ?? null, kind: p.kind } : {}),
    })),
    counters: Object.fromEntries(
      Object.entries(sortedRecord(report.counters)).map(([name, v]: [string, CounterView]) => [name, { value: v.value, delta: v.delta, perSecond: v.perSecond }]),
    ),
    sysctl: sortedRecord(report.sysctl),
    findings: report.findings.map(projectFinding),
    skipped: sortedRecord(report.skipped),
    probes: report.probes.map((p) => ({
      name: p.name, command: p.command, ports: p.ports, pid: p.pid, startedAt: p.startedAt, durationMs: p.durationMs,
      bytes: p.bytes, packets: p.packets, droppedByKernel: p.droppedByKernel, ok: p.ok, error: p.error,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
