/**
 * The lines of a big listing that are only counted (ESTAB and TIME-WAIT: most of any table) are
 * recognised whole by one sticky regular expression, tried at the line start. V8 runs it as native
 * code; walking the same line in JavaScript, character by character, cost several times as much.
 * A line it does not match (another layout, a port printed as a service name, anything odd) goes
 * to the parser's full read, which reads it, counts it or skips it as before.
 */
import type { TcpState } from '../domain/snapshot.js';

/** Recv-Q, Send-Q, a local and a peer endpoint with numeric (or `*`) ports, as both tools print them. */
const QUEUES_AND_ENDPOINTS = String.raw` +\d{1,15} +\d{1,15} +[^ \t\n]*:[\d*]+ +[^ \t\n]*:[\d*]+`;
/** The end of a column: what follows (owners, timers) is not read for a counted line. */
const COLUMN_END = String.raw`(?=[ \t\n]|$)`;

/** The states counted this way, as each tool spells them. */
const WORDS: Partial<Record<TcpState, { ss: string; netstat: string }>> = {
  ESTAB: { ss: 'ESTAB', netstat: 'ESTABLISHED' },
  'TIME-WAIT': { ss: 'TIME-WAIT', netstat: 'TIME_WAIT' },
};

export class CountedLines {
  /** Where the line after the last match starts. */
  next = 0;
  private readonly re: RegExp | null;
  /** The state of a match, by the character that tells the words apart (ss: the first; netstat: the last). */
  private readonly byChar = new Map<number, TcpState>();

  /**
   * `ss`: `ESTAB  0  0  10.0.12.7:31493  172.1.5.9:5122`, the state first.
   * `netstat`: `tcp  0  0 10.0.12.7:31493  172.1.5.9:5122  ESTABLISHED`, the state after the peer.
   */
  constructor(
    private readonly tool: 'ss' | 'netstat',
    countOnly: ReadonlySet<TcpState>,
  ) {
    const states = [...countOnly].filter((s) => WORDS[s] !== undefined);
    const words = states.map((s) => (WORDS[s] as { ss: string; netstat: string })[tool]);
    states.forEach((s, i) => this.byChar.set(tool === 'ss' ? (words[i] as string).charCodeAt(0) : (words[i] as string).charCodeAt((words[i] as string).length - 1), s));
    const alternatives = `(?:${words.join('|')})`;
    this.re =
      states.length === 0 ? null : new RegExp(tool === 'ss' ? `${alternatives}${QUEUES_AND_ENDPOINTS}${COLUMN_END}` : `tcp6?${QUEUES_AND_ENDPOINTS} +${alternatives}${COLUMN_END}`, 'y');
  }

  /** The state of the line at `start` when it is a counted line ({@link next} then the next line's start); else undefined. */
  match(t: string, start: number): TcpState | undefined {
    const re = this.re;
    if (re === null) return undefined;
    re.lastIndex = start;
    if (!re.test(t)) return undefined;
    const end = t.indexOf('\n', re.lastIndex);
    this.next = end === -1 ? t.length : end + 1;
    return this.byChar.get(t.charCodeAt(this.tool === 'ss' ? start : re.lastIndex - 1));
  }
}
