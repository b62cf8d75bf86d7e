/**
 * Splits the collection script's framed output into sections (framing: src/domain/sections.ts).
 *
 *     @@TCPCHECK:0123456789abcdef0123456789abcdef BEGIN ss-all
 *     LISTEN 0 128 0.0.0.0:22 0.0.0.0:*
 *     @@TCPCHECK:0123456789abcdef0123456789abcdef END ss-all rc=0
 *     @@TCPCHECK:0123456789abcdef0123456789abcdef ERR ss-all ss: some warning
 *
 * The node controls what it prints, so the framing is checked, not trusted: markers count only at a
 * line start, with this run's nonce, and in the order of the section table. A second BEGIN of a
 * section, a section out of order, an END or ERR that belongs to no section, or a marker-looking
 * line without the nonce never changes the data: the first copy of each section wins, and the
 * problem is kept in a {@link FRAMING_SECTION} pseudo-section, which the analysis reports as
 * tampering or corruption. One pass, and a bounded number of problem lines, whatever the input.
 *
 * Output cut short (size cap, lost connection) leaves the last section without an END: it is kept
 * with `exitCode: null` so the parsers still read what arrived.
 */
import type { RawSection } from '../domain/raw.js';
import { FRAMING_SECTION, markerOf, PLAN_SECTIONS, SECTION_MARK } from '../domain/sections.js';

/** Problem lines kept in the framing section; the rest are counted. */
export const MAX_FRAMING_PROBLEMS = 10;

export interface SplitOptions {
  /** The run's nonce; null for raw output from before the nonce (bare `@@TCPCHECK` markers). */
  nonce: string | null;
  /** Section names in the order the script prints them. @defaultValue the plan's section table */
  order?: readonly string[];
}

/** A BEGIN marker at the position it is tried (sticky): the nonce, when the marker has one, in group 1. */
const BEGIN_MARKER = new RegExp(`${SECTION_MARK}(?::([0-9a-f]{32}))? BEGIN `, 'y');

/**
 * The nonce of a saved raw output, read from its first marker: the script prints that line before
 * any output of the node's. Null for output from before the nonce; undefined when there is no marker.
 */
export function nonceOf(text: string): string | null | undefined {
  // A native search for the mark, then the pattern at line starts only: a multiline pattern tried
  // at every position of a saved million-line listing cost more than reading it.
  for (let i = text.indexOf(SECTION_MARK); i !== -1; i = text.indexOf(SECTION_MARK, i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) !== 10) continue;
    BEGIN_MARKER.lastIndex = i;
    const m = BEGIN_MARKER.exec(text);
    if (m) return m[1] ?? null;
  }
  return undefined;
}

const DEFAULT_ORDER = PLAN_SECTIONS.map((s) => s.name);

/** Splits framed output into sections; framing problems become a trailing {@link FRAMING_SECTION}. */
export function splitSections(text: string, opts: SplitOptions): RawSection[] {
  const mark = `${markerOf(opts.nonce)} `;
  const rank = new Map((opts.order ?? DEFAULT_ORDER).map((name, i) => [name, i]));
  const sections: RawSection[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (lineNo: number, what: string) => {
    problemCount++;
    if (problems.length < MAX_FRAMING_PROBLEMS) problems.push(`line ${lineNo}: ${what}`);
  };

  let current: RawSection | null = null;
  /** Name of a rejected section whose body is being skipped. */
  let discarding: string | null = null;
  /** The section just ended: ERR lines that follow belong to it. */
  let lastEnded: RawSection | null = null;
  let lastRank = -1;
  let bodyStart = 0;
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    lineNo++;
    if (text.startsWith(mark, pos)) {
      handleMarker(text.slice(pos + mark.length, Math.min(end, pos + mark.length + 512)), pos, end);
    } else if (text.startsWith(SECTION_MARK, pos)) {
      // A marker without this run's nonce: printed by something that does not know it.
      problem(lineNo, `a marker without this run's nonce: ${quote(text.slice(pos, Math.min(end, pos + 80)))}`);
    }
    pos = end + 1;
  }
  // handleMarker assigns `current`; TypeScript's narrowing does not see through the call.
  const unfinished = current as RawSection | null;
  if (unfinished) unfinished.stdout = text.slice(bodyStart);
  if (problemCount > 0) {
    const more = problemCount - problems.length;
    const stderr = [...problems, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n');
    sections.push({ name: FRAMING_SECTION, stdout: '', stderr: `${stderr}\n`, exitCode: problemCount });
  }
  return sections;

  function handleMarker(line: string, pos: number, end: number): void {
    const [kind = '', name = '', ...rest] = line.split(' ');
    if (kind === 'BEGIN') {
      if (current || discarding !== null) return problem(lineNo, `BEGIN ${quote(name)} inside section ${current?.name ?? discarding}`);
      lastEnded = null;
      const r = rank.get(name);
      if (seen.has(name)) problem(lineNo, `a second BEGIN ${quote(name)}: the first copy is kept`);
      else if (r === undefined) problem(lineNo, `BEGIN of ${quote(name)}, not a section of this plan`);
      else if (r <= lastRank) problem(lineNo, `BEGIN ${quote(name)} out of order`);
      else {
        seen.add(name);
        lastRank = r;
        current = { name, stdout: '', stderr: '', exitCode: null };
        sections.push(current);
        bodyStart = end + 1;
        return;
      }
      discarding = name;
    } else if (kind === 'END') {
      if (current && current.name === name) {
        // The script prints a newline before END so a last line without one is not glued to the marker.
        current.stdout = text.slice(bodyStart, Math.max(bodyStart, pos - 1));
        const rc = /^rc=(\d+)$/.exec(rest[0] ?? '');
        current.exitCode = rc ? Number(rc[1]) : null;
        lastEnded = current;
        current = null;
      } else if (discarding === name) {
        discarding = null;
      } else {
        problem(lineNo, `END ${quote(name)} of no open section`);
      }
    } else if (kind === 'ERR') {
      if (discarding === name) return;
      if (!current && discarding === null && lastEnded?.name === name) lastEnded.stderr += `${rest.join(' ')}\n`;
      else problem(lineNo, `ERR ${quote(name)} outside its section's stderr`);
    } else {
      problem(lineNo, `an unknown marker ${quote(kind)}`);
    }
  }
}

/** Quotes untrusted text for a problem line: JSON escapes, at most 60 characters. */
function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
