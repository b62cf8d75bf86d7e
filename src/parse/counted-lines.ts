/**
 * The lines of a big listing that are only counted (ESTAB and TIME-WAIT: most of any table) are
 * recognised whole by one sticky regular expression, tried at the line start. V8 runs it as native
 * code; walking the same line in JavaScript, character by character, cost several times as much.
 * A line it does not match (another layout, a port printed as a service name, anything odd) goes
 * to the parser's full read, which reads it, counts it or skips it as before.
 */
import type { TcpState } from '../domain/snapshot.js';

/**
 * Recv-Q, Send-Q, a local and a peer endpoint with numeric (or `*`) ports, as both tools print
 * them. Each endpoint takes its first colon that numbers run from to the column's end (lazily:
 * trying colons from the left took fewer steps than backing off from the token's end).
 */
const QUEUES_AND_ENDPOINTS = String.raw` +\d{1,15} +\d{1,15} +[^ \t\n]*?:[\d*]+ +[^ \t\n]*?:[\d*]+`;
/** The end of a column: what follows (owners, timers) is not read for a counted line. */
const COLUMN_END = String.raw`(?=[ \t\n]|$)`;

/** The states counted this way, as each tool spells them. */
const WORDS: Partial<Record<TcpState, { ss: string; netstat: string }>> = {
  ESTAB: { ss: 'ESTAB', netstat: 'ESTABLISHED' },
  'TIME-WAIT': { ss: 'TIME-WAIT', netstat: 'TIME_WAIT' },
};

export class CountedLines {
  /** The states counted this way; {@link match} answers with an index into it. */
  readonly states: readonly TcpState[];
  /** Lines counted per state, by the same index. */
  readonly tallies: Int32Array;
  /** Where the line after the last match starts. */
  next = 0;
  private readonly re: RegExp | null;
  /** The character that tells the words apart (ss: the first, netstat: the last) of each state's word. */
  private readonly chars: number[];

  /**
   * `ss`: `ESTAB  0  0  10.0.12.7:31493  172.1.5.9:5122`, the state first.
   * `netstat`: `tcp  0  0 10.0.12.7:31493  172.1.5.9:5122  ESTABLISHED`, the state after the peer.
   */
  constructor(
    private readonly tool: 'ss' | 'netstat',
    countOnly: ReadonlySet<TcpState>,
  ) {
    this.states = [...countOnly].filter((s) => WORDS[s] !== undefined);
    this.tallies = new Int32Array(this.states.length);
    const words = this.states.map((s) => (WORDS[s] as { ss: string; netstat: string })[tool]);
    this.chars = words.map((w) => w.charCodeAt(tool === 'ss' ? 0 : w.length - 1));
    const alternatives = `(?:${words.join('|')})`;
    this.re =
      words.length === 0 ? null : new RegExp(tool === 'ss' ? `${alternatives}${QUEUES_AND_ENDPOINTS}${COLUMN_END}` : `tcp6?${QUEUES_AND_ENDPOINTS} +${alternatives}${COLUMN_END}`, 'y');
  }

  /**
   * When the line at `start` is a counted line: counts it, sets {@link next} to the next line's
   * start and returns true. Otherwise false, and the caller reads the line in full.
   */
  match(t: string, start: number): boolean {
    const re = this.re;
    if (re === null) return false;
    re.lastIndex = start;
    if (!re.test(t)) return false;
    const wordEnd = re.lastIndex;
    const end = t.indexOf('\n', wordEnd);
    this.next = end === -1 ? t.length : end + 1;
    const c = t.charCodeAt(this.tool === 'ss' ? start : wordEnd - 1);
    (this.tallies[c === this.chars[0] ? 0 : 1] as number)++;
    return true;
  }

  /** Adds the lines counted here to `counts`. */
  addTo(counts: Record<TcpState, number>): void {
    this.states.forEach((s, i) => (counts[s] += this.tallies[i] as number));
  }
}
