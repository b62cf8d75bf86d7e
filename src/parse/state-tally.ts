/**
 * Parser for state tallies people print by hand, the first thing most investigations run:
 *
 *     netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'
 *     SYN_RECV 12
 *     CLOSE_WAIT 577
 *
 * `ss -tan | awk '{++S[$1]}'` prints the same with ss spellings (and a `State 1` line for the header).
 */
import type { ParseIssue, TcpState } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';
import { toTcpState } from './tcp-state.js';

export interface StateTallyParseResult {
  totals: Partial<Record<TcpState, number>>;
  issue: ParseIssue;
}

const LINE = /^([A-Z][A-Z0-9_-]*)\s+(\d+)$/;

/** Reads `STATE COUNT` lines; the header tally (`State 1`) is ignored. */
export function parseStateTally(text: string, source = 'state-tally'): StateTallyParseResult {
  const totals: Partial<Record<TcpState, number>> = {};
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^(State|Foreign|Active)\b/.test(line)) continue;
    const m = LINE.exec(line);
    const state = m ? toTcpState(m[1] as string) : undefined;
    if (!m || !state) {
      skipLine(issue, line);
      continue;
    }
    totals[state] = (totals[state] ?? 0) + Number(m[2]);
  }
  return { totals, issue };
}
