/**
 * `output-tampered`: the collection output's framing was broken — a section printed twice, out of
 * order, a marker without this run's nonce, an END or ERR belonging to no section. The script never
 * does that by itself, so something on the node printed marker-like text (a process's argv, comm or
 * hostname crafted to rewrite the diagnosis) or the output was corrupted on the way. The first copy
 * of each section was kept and the rest ignored, but no conclusion should be trusted without a look:
 * critical, so the report is never "healthy".
 */
import { FRAMING_SECTION } from '../../domain/sections.js';
import { finding, type Rule } from '../rule.js';
import { plural } from '../words.js';

export const outputTampered: Rule = {
  id: 'output-tampered',
  needs: [],
  run(ctx) {
    const problems = ctx.snapshot.notes.filter((n) => n.tampered);
    if (problems.length === 0) return [];
    return [
      finding({
        rule: 'output-tampered',
        severity: 'critical',
        title: `output tampered or corrupted: ${plural(problems.length, 'framing problem')} in what the node printed`,
        detail:
          'The collection script frames each section with markers carrying a nonce chosen for this run, in a fixed order. ' +
          'Here markers were duplicated, out of order or forged: a process on the node may have put marker text in its command line, name or the hostname to rewrite the diagnosis, or the output was corrupted. ' +
          'The first copy of each section was kept and the rest ignored; the other findings rest on that and may still be wrong.',
        evidence: problems.map((p) => `${FRAMING_SECTION}: ${p.message}`),
        recommendation:
          'Check the node by hand (`ss -tanp`, `ps -eo pid,args`) and look for a process whose command line or name holds `@@TCPCHECK` text; treat the node as possibly compromised until explained.',
        facts: { counts: { problems: problems.length }, problems: problems.map((p) => p.message) },
      }),
    ];
  },
};
