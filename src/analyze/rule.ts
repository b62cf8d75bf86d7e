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

/** Runs the rules in dependency order; returns every finding, in run order. */
export function runRules(ctx: AnalysisContext, rules: readonly Rule[]): Finding[] {
  const found = new Map<RuleId, Finding[]>();
  const seen: Seen = { get: (rule) => found.get(rule) ?? [] };
  for (const rule of orderRules(rules)) found.set(rule.id, rule.run(ctx, seen));
  return [...found.values()].flat();
}
