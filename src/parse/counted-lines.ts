/**
 * The lines of a big listing that are only counted (ESTAB and TIME-WAIT: most of any table) are
 * recognised whole by one sticky regular expression per state, run at the line start. V8 runs it as
 * native code; walking the same line in JavaScript, character by character, cost several times as
 * much. A line it does not match (another layout, a port printed as a service name, anything odd)
 * goes to the parser's full read, which reads it, counts it or skips it as before.
 */
import type { TcpState } from '../domain/snapshot.js';

export interface CountedLine {
  state: TcpState;
  /** Sticky: set `lastIndex` to a line start; a match leaves it at the next line's start. */
  re: RegExp;
}

/** Recv-Q, Send-Q, a local and a peer endpoint with numeric (or `*`) ports, as both tools print them. */
const QUEUES_AND_ENDPOINTS = String.raw` +\d{1,15} +\d{1,15} +[^ \t\n]*:[\d*]+ +[^ \t\n]*:[\d*]+`;
/** Whatever columns follow (owners, timers) up to the end of the line, newline included. */
const REST = String.raw`(?:[ \t][^\n]*)?(?:\n|$)`;

/** netstat's spelling of the states the fast path counts. */
const NETSTAT_WORDS: Partial<Record<TcpState, string>> = { ESTAB: 'ESTABLISHED', 'TIME-WAIT': 'TIME_WAIT' };

/** `ESTAB  0  0  10.0.12.7:31493  172.1.5.9:5122` lines, for each counted-only state. */
export function ssCountedLines(countOnly: ReadonlySet<TcpState>): CountedLine[] {
  return [...countOnly].filter((s) => s in NETSTAT_WORDS).map((state) => ({ state, re: new RegExp(`${state}${QUEUES_AND_ENDPOINTS}${REST}`, 'y') }));
}

/** `tcp  0  0 10.0.12.7:31493  172.1.5.9:5122  ESTABLISHED` lines, for each counted-only state. */
export function netstatCountedLines(countOnly: ReadonlySet<TcpState>): CountedLine[] {
  return [...countOnly]
    .filter((s) => s in NETSTAT_WORDS)
    .map((state) => ({ state, re: new RegExp(`tcp6?${QUEUES_AND_ENDPOINTS} +${NETSTAT_WORDS[state] as string}${REST}`, 'y') }));
}

/** The counted line the line at `start` is (its `re.lastIndex` then at the next line), or undefined. */
export function matchCounted(lines: readonly CountedLine[], t: string, start: number): CountedLine | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as CountedLine;
    line.re.lastIndex = start;
    if (line.re.test(t)) return line;
  }
  return undefined;
}
