/**
 * The verdict: findings ordered cause-first, a one-line headline, the cause in one sentence, and
 * the exit code scripts and cron key on.
 */
import type { Finding, Report, RuleId, Verdict } from '../domain/report.js';
import { ExitCode } from '../domain/report.js';
import { tableSize, type AnalysisContext } from './context.js';
import { compareSeverity, worstSeverity } from './rule.js';
import { describeOwner, listWords, plural, rate } from './words.js';

/**
 * Marks each symptom with the causes that explain it. Linear in findings plus their `explains`
 * lists: causes are indexed by the rule they explain, not compared pairwise.
 */
export function linkCauses(findings: Finding[]): void {
  // explained rule → cause rule → its first finding and how many it has (a finding never explains itself).
  const causesOf = new Map<RuleId, Map<RuleId, { first: Finding; count: number }>>();
  for (const cause of findings) {
    for (const rule of new Set(cause.explains)) {
      let byCause = causesOf.get(rule);
      if (!byCause) causesOf.set(rule, (byCause = new Map()));
      const seen = byCause.get(cause.rule);
      if (seen) seen.count++;
      else byCause.set(cause.rule, { first: cause, count: 1 });
    }
  }
  for (const f of findings) {
    const byCause = causesOf.get(f.rule);
    if (!byCause) continue;
    const rules = [...byCause].filter(([, c]) => c.count > 1 || c.first !== f).map(([rule]) => rule);
    if (rules.length > 0) f.explainedBy = [...new Set([...(f.explainedBy ?? []), ...rules])];
  }
}

/** Most severe first; at equal severity causes first, explained symptoms last; otherwise run order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const role = (f: Finding) => (f.explains.length > 0 ? 0 : f.explainedBy?.length ? 2 : 1);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => compareSeverity(a.f.severity, b.f.severity) || role(a.f) - role(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

/** True when the snapshot holds no socket data at all: nothing to diagnose. */
export function hasNoSocketData(ctx: AnalysisContext): boolean {
  const s = ctx.snapshot;
  return tableSize(s) === 0 && s.listenSamples.every((l) => l.listeners.length === 0) && s.stateTotals === null;
}

/** Builds the verdict and exit code from sorted findings. */
export function buildVerdict(ctx: AnalysisContext, findings: readonly Finding[]): { verdict: Verdict; exitCode: Report['exitCode'] } {
  const worst = worstSeverity(findings.map((f) => f.severity));
  if (hasNoSocketData(ctx)) {
    return { verdict: { severity: worst ?? 'info', headline: 'could not diagnose: no socket data was read', cause: null }, exitCode: ExitCode.failed };
  }
  if (worst === null || worst === 'info') {
    const listening = ctx.listeners.length;
    return {
      verdict: { severity: worst ?? 'ok', headline: `healthy: ${plural(listening, 'listener')}, no full or stuck queues`, cause: null },
      exitCode: ExitCode.healthy,
    };
  }
  // The headline counts the node's own queues and sockets; findings inside pods (facts.pod) only
  // set the severity, or lead the headline when nothing on the node does.
  const by = (rule: RuleId) => findings.filter((f) => f.rule === rule && f.facts.pod === undefined);
  const parts: string[] = [];
  // Said first: every other part of the headline rests on output that was tampered with.
  if (by('output-tampered').length > 0) parts.push('output tampered or corrupted');
  const full = by('accept-queue-full')[0];
  if (full) {
    const owners = full.facts.owners ?? [];
    const nodePortCauses: RuleId[] = ['kube-proxy-nodeport-trap', 'kube-proxy-rules-missing', 'nodeport-local-policy'];
    const who = full.explainedBy?.some((r) => nodePortCauses.includes(r)) ? 'kube-proxy NodePorts' : owners.length > 0 ? listWords(owners.map((o) => describeOwner([o]))) : 'an unknown process';
    parts.push(`${plural(full.ports.length, 'accept queue')} full${who ? ` (${who})` : ''}`);
  } else {
    const backlog = by('accept-queue-backlog').filter((f) => f.severity === 'warning');
    const n = backlog.reduce((sum, f) => sum + f.ports.length, 0);
    if (n > 0) parts.push(`${plural(n, 'accept queue')} backlogged`);
  }
  const closeWait = ctx.states['CLOSE-WAIT'] ?? 0;
  if (by('close-wait-leak').some((f) => f.severity !== 'info')) parts.push(`${closeWait} CLOSE-WAIT`);
  const overflows = ctx.counters.TcpExtListenOverflows;
  if (overflows?.perSecond) parts.push(`${rate(overflows.perSecond)} listen overflows/s`);
  else if (overflows?.delta) parts.push(`${overflows.delta} listen overflows between samples`);
  const top = findings.find((f) => f.severity === worst) ?? findings[0];
  if (parts.length === 0 && top) parts.push(top.title);
  const cause = findings.find((f) => f.explains.length > 0 && f.severity === worst) ?? top;
  return {
    verdict: { severity: worst, headline: parts.join(', '), cause: cause ? cause.title : null },
    exitCode: worst === 'critical' ? ExitCode.critical : ExitCode.warning,
  };
}
