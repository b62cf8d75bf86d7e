/**
 * The shape of a rule and the order they run in. A rule names the rules whose findings it reads
 * (`needs`); they run first, so a cause can point at the symptoms it explains.
 */
import type { Finding, RuleId, Severity } from '../domain/report.js';
import type { AnalysisContext } from './context.js';

/** Findings of the rules that have run so far. */
export interface Seen {
  /** Findings of one rule (empty when it found nothing or has not run). */
  get(rule: RuleId): readonly Finding[];
}

export interface Rule {
  id: RuleId;
  /** Rules whose findings this one reads. */
  needs: readonly RuleId[];
  run(ctx: AnalysisContext, seen: Seen): Finding[];
}

/** A finding with the list fields defaulted to empty. */
export function finding(
  f: Pick<Finding, 'rule' | 'severity' | 'title' | 'detail' | 'recommendation'> & Partial<Pick<Finding, 'ports' | 'evidence' | 'commands' | 'explains' | 'facts'>>,
): Finding {
  return { ports: [], evidence: [], commands: [], explains: [], facts: {}, ...f };
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Orders severities, most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

/** The most severe of some severities; null for none. */
export function worstSeverity(severities: Iterable<Severity>): Severity | null {
  let worst: Severity | null = null;
  for (const s of severities) if (worst === null || RANK[s] < RANK[worst]) worst = s;
  return worst;
}

/** Orders rules so each runs after the rules it needs (a stable topological sort); throws on a cycle. */
export function orderRules(rules: readonly Rule[]): Rule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const done = new Set<RuleId>();
  const visiting = new Set<RuleId>();
  const ordered: Rule[] = [];
  const visit = (rule: Rule): void => {
    if (done.has(rule.id)) return;
    if (visiting.has(rule.id)) throw new Error(`rule dependency cycle through ${rule.id}`);
    visiting.add(rule.id);
    for (const need of rule.needs) {
      const dep = byId.get(need);
      if (dep) visit(dep);
    }
    visiting.delete(rule.id);
    done.add(rule.id);
    ordered.push(rule);
  };
  rules.forEach(visit);
  return ordered;
}

/** Findings kept per rule: hostile input (thousands of fake listeners) must not make a report of thousands. */
export const MAX_FINDINGS_PER_RULE = 50;
/** Evidence lines kept per finding, and characters per line. */
export const MAX_EVIDENCE_LINES = 40;
export const MAX_EVIDENCE_CHARS = 300;

/**
 * A finding's evidence of `count` lines as {@link runRules} keeps it: all of them when they fit,
 * else the first `MAX_EVIDENCE_LINES - 1` and a line saying how many more. `line(i)` is called only
 * for the lines kept, so a rule with a line per port of hundreds describes only those shown.
 */
export function evidenceLines(count: number, line: (i: number) => string): string[] {
  if (count <= MAX_EVIDENCE_LINES) return Array.from({ length: count }, (_, i) => line(i));
  return [...Array.from({ length: MAX_EVIDENCE_LINES - 1 }, (_, i) => line(i)), `… and ${count - MAX_EVIDENCE_LINES + 1} more lines`];
}

/** Runs the rules in dependency order; returns every finding, in run order, each rule's output bounded. */
export function runRules(ctx: AnalysisContext, rules: readonly Rule[]): Finding[] {
  const found = new Map<RuleId, Finding[]>();
  const seen: Seen = { get: (rule) => found.get(rule) ?? [] };
  for (const rule of orderRules(rules)) found.set(rule.id, bounded(rule.id, rule.run(ctx, seen)));
  return [...found.values()].flat();
}

/** Keeps a rule's most severe findings up to the cap, plus one line saying how many were left out; trims evidence. */
function bounded(rule: RuleId, findings: Finding[]): Finding[] {
  let kept = findings;
  if (findings.length > MAX_FINDINGS_PER_RULE) {
    kept = findings
      .map((f, i) => ({ f, i }))
      .sort((a, b) => compareSeverity(a.f.severity, b.f.severity) || a.i - b.i)
      .slice(0, MAX_FINDINGS_PER_RULE - 1)
      .map(({ f }) => f);
    const left = findings.length - kept.length;
    kept.push(
      finding({
        rule,
        severity: 'info',
        title: `${left} more ${rule} findings not shown`,
        detail: `This rule found ${findings.length} problems; the ${kept.length} most severe are shown. So many usually means one cause repeated, or hostile output.`,
        recommendation: 'Fix the findings shown first, then check again.',
        facts: { counts: { found: findings.length, shown: kept.length } },
      }),
    );
  }
  for (const f of kept) {
    if (f.evidence.length > MAX_EVIDENCE_LINES) f.evidence = evidenceLines(f.evidence.length, (i) => f.evidence[i] as string);
    if (f.evidence.some((e) => e.length > MAX_EVIDENCE_CHARS)) f.evidence = f.evidence.map((e) => (e.length > MAX_EVIDENCE_CHARS ? `${e.slice(0, MAX_EVIDENCE_CHARS)}…` : e));
  }
  return kept;
}
