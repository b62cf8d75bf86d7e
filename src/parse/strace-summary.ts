/**
 * Parser for the summary table `strace -c` prints when it detaches (on stderr, beside strace's own
 * `strace: Process N attached` lines):
 *
 *     % time     seconds  usecs/call     calls    errors syscall
 *     ------ ----------- ----------- --------- --------- ----------------
 *      79.46   51.761311       11796      4388       147 futex
 *       8.60    5.604000       45934       122           epoll_wait
 *     100.00   65.142836                320256     57189 total
 *
 * Numbers are right-aligned under their header label, and `usecs/call` (on the total row of
 * older strace) and `errors` (a syscall that never failed) can be blank, so each number is
 * placed by where it ends against the header. Pure: takes text.
 */
import type { SyscallRow } from '../domain/deep.js';
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface StraceSummary {
  /** Rows in strace's order (most time first), without the `total` row. */
  rows: SyscallRow[];
  /** The `total` row; null when the table was cut before it. */
  total: SyscallRow | null;
  /** Threads strace attached to (`attached with 16 threads`); null when not printed. */
  threads: number | null;
  /** True when a table header was found at all. */
  found: boolean;
  issue: ParseIssue;
}

const HEADER = /^%\s*time\s+seconds\s+usecs\/call\s+calls\s+errors\s+syscall/;
const RULE = /^-{3,}[\s-]*$/;
const NUMBER = /^\d+(\.\d+)?$/;

/** Reads an `strace -c` summary out of whatever text surrounds it (a transcript, a section's stderr). */
export function parseStraceSummary(text: string, source = 'strace'): StraceSummary {
  const issue = createIssue(source);
  const out: StraceSummary = { rows: [], total: null, threads: null, found: false, issue };
  let columns: number[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const attached = /attached with (\d+) threads/.exec(line);
    if (attached) out.threads = Number(attached[1]);
    const trimmed = line.trim();
    if (HEADER.test(trimmed)) {
      columns = columnEnds(line);
      out.found = true;
      continue;
    }
    if (!columns || trimmed === '' || RULE.test(trimmed) || trimmed.startsWith('strace:')) continue;
    const row = parseRow(line, columns);
    if (!row) {
      // A prompt or other text after the table ends it.
      if (out.total) columns = null;
      else skipLine(issue, trimmed);
      continue;
    }
    if (row.name === 'total') {
      out.total = row;
      columns = null;
    } else {
      out.rows.push(row);
    }
  }
  return out;
}

/** Where each numeric column ends in the header (they are right-aligned under their label). */
function columnEnds(header: string): number[] {
  const indent = header.length - header.trimStart().length;
  const h = header.trimStart();
  return ['time', 'seconds', 'usecs/call', 'calls', 'errors'].map((label) => indent + h.indexOf(label) + label.length);
}

/** Reads one row by column: `usecs/call` is blank on some total rows and `errors` when there were none. */
function parseRow(line: string, columns: number[]): SyscallRow | null {
  const tokens = [...line.matchAll(/\S+/g)];
  const name = tokens.pop()?.[0];
  if (!name || !/^[a-z_][a-z0-9_]*$/.test(name) || tokens.length < 3) return null;
  const values: Array<number | null> = [null, null, null, null, null];
  for (const t of tokens) {
    if (!NUMBER.test(t[0])) return null;
    const end = t.index + t[0].length;
    let best = 0;
    for (let i = 1; i < columns.length; i++) if (Math.abs(columns[i]! - end) < Math.abs(columns[best]! - end)) best = i;
    values[best] = Number(t[0]);
  }
  const [percent, seconds, , calls, errors] = values;
  if (percent == null || seconds == null || calls == null) return null;
  return { name, percent, seconds, calls, errors: errors ?? 0 };
}
