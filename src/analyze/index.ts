/**
 * `analyze(snapshot)`: the rules turn a parsed snapshot into a report. Pure: no I/O, no clock;
 * the same snapshot always gives the same report.
 */
import type { Report } from '../domain/report.js';
import type { Snapshot } from '../domain/snapshot.js';
import { buildContext } from './context.js';
import { pickReportedCounters } from './counters.js';
import { flagListeners } from './listeners.js';
import { namePeers } from './peer-names.js';
import { analyzePods } from './pod-findings.js';
import { buildPeerViews } from './peers.js';
import { runRules } from './rule.js';
import { RULES } from './rules/index.js';
import { buildVerdict, linkCauses, sortFindings } from './verdict.js';

/** Analyzes one node's snapshot: findings (causes first), the views renderers show, the verdict and exit code. */
export function analyze(snapshot: Snapshot): Report {
  const ctx = buildContext(snapshot);
  const cluster = snapshot.cluster;
  const peerViews = buildPeerViews(snapshot.sockets.sockets);
  const findings = runRules(ctx, RULES);
  linkCauses(findings);
  // After the node's causes are linked: a pod's findings are linked only among themselves.
  findings.push(...analyzePods(snapshot));
  const sorted = sortFindings(findings);
  const { verdict, exitCode } = buildVerdict(ctx, sorted);
  // Ports of findings inside pods are the pods' own, not the node's listeners.
  const flaggedPorts = flagListeners(
    ctx.listeners,
    sorted.filter((f) => f.facts.pod === undefined),
  );
  const skipped: Record<string, number> = {};
  for (const issue of snapshot.parseIssues) if (issue.skipped > 0) skipped[issue.source] = (skipped[issue.source] ?? 0) + issue.skipped;
  const sysctl: Record<string, string> = {};
  for (const key of Object.keys(snapshot.sysctl).sort()) sysctl[key] = snapshot.sysctl[key] ?? '';
  return {
    schemaVersion: 1,
    node: snapshot.meta.node,
    hostname: snapshot.meta.hostname,
    kernel: snapshot.meta.kernel,
    collectedAt: snapshot.meta.collectedAt,
    intervalSec: snapshot.meta.intervalSec,
    source: snapshot.meta.source,
    states: ctx.states,
    listeners: ctx.listeners,
    peers: cluster?.status === 'read' ? namePeers(peerViews, cluster.context) : peerViews,
    counters: pickReportedCounters(ctx.counters),
    sysctl,
    findings: sorted,
    flaggedPorts,
    verdict,
    skipped,
    probes: snapshot.deep?.probes ?? [],
    exitCode,
  };
}
