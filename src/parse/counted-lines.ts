/**
 * The lines of a big listing that are only counted (ESTAB, TIME-WAIT, FIN-WAIT-2: most of any
 * table) are recognised whole by one sticky regular expression, tried at the line start. V8 runs
 * it as native code; walking the same line in JavaScript, character by character, cost several
 * times as much. A line it does not match (another layout, a port printed as a service name,
 * anything odd) goes to the parser's full read, which reads it, counts it or skips it as before.
 * A saved file's lines are taken on the bytes by a scanner that must agree with this pattern line
 * for line (src/parse/counted-bytes.ts, wasm/counted-lines.ts): change both, or neither.
 */
import type { TcpState } from '../domain/snapshot.js';

/**
 * Recv-Q, Send-Q, a local and a peer endpoint with numeric (or `*`) ports, as both tools print
 * them. Each endpoint takes its first colon that numbers run from to the column's end (lazily:
 * trying colons from the left took fewer steps than backing off from the token's end).
 */
const QUEUES_AND_ENDPOINTS = String.raw`\d{1,15} +\d{1,15} +[^ \t\n]*?:[\d*]+ +[^ \t\n]*?:[\d*]+`;
/** The end of a column: what follows (owners, timers) is not read for a counted line. */
const COLUMN_END = String.raw`(?=[ \t\n]|$)`;

/**
 * The states that can be counted this way, as each tool spells them: those of a big table
 * (`COUNTED_ONLY_STATES`, src/domain/snapshot.ts), and the ownerless CLOSE-WAIT and SYN-RECV of an
 * owners listing (`ss -tanp state listening state close-wait state syn-recv`) read beside the full
 * table.
 */
const WORDS: Partial<Record<TcpState, { ss: string; netstat: string }>> = {
  ESTAB: { ss: 'ESTAB', netstat: 'ESTABLISHED' },
  'TIME-WAIT': { ss: 'TIME-WAIT', netstat: 'TIME_WAIT' },
  'FIN-WAIT-2': { ss: 'FIN-WAIT-2', netstat: 'FIN_WAIT2' },
  'CLOSE-WAIT': { ss: 'CLOSE-WAIT', netstat: 'CLOSE_WAIT' },
  'SYN-RECV': { ss: 'SYN-RECV', netstat: 'SYN_RECV' },
};

export class CountedLines {
  /** The states counted this way; {@link match} counts into {@link tallies} by an index into it. */
  readonly states: readonly TcpState[];
  /** Lines counted per state, by the same index. */
  readonly tallies: Int32Array;
  /** Each state's word as the tool prints it, by the same index. */
  readonly words: readonly string[];
  /** Where the line after the last match starts. */
  next = 0;
  private readonly re: RegExp | null;
  /** The line's shape from its Recv-Q on, for a line whose state the parser has read itself. */
  private readonly shape = new RegExp(`${QUEUES_AND_ENDPOINTS}${COLUMN_END}`, 'y');
  /** The first character a counted line can start with: the state's (ss) or the protocol's (netstat). */
  private readonly leads: number[];
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
    this.words = words;
    this.chars = words.map((w) => w.charCodeAt(tool === 'ss' ? 0 : w.length - 1));
    // netstat's TIME_WAIT and CLOSE_WAIT end alike: a set that the one character cannot tell apart is a bug here.
    if (new Set(this.chars).size !== this.chars.length) throw new Error(`counted lines: ${words.join(', ')} cannot be told apart by one character`);
    this.leads = tool === 'ss' ? this.chars : ['t'.charCodeAt(0)];
    const alternatives = `(?:${words.join('|')})`;
    this.re =
      words.length === 0
        ? null
        : new RegExp(tool === 'ss' ? `${alternatives} +${QUEUES_AND_ENDPOINTS}${COLUMN_END}` : `tcp6? +${QUEUES_AND_ENDPOINTS} +${alternatives}${COLUMN_END}`, 'y');
  }

  /**
   * When the line at `start` is a counted line: counts it, sets {@link next} to the next line's
   * start and returns true. Otherwise false, and the caller reads the line in full. A line that
   * runs past `limit` (an owners listing passes where its next `users:((` is) is not counted.
   */
  match(t: string, start: number, limit = Infinity): boolean {
    const re = this.re;
    if (re === null || !this.leads.includes(t.charCodeAt(start))) return false;
    re.lastIndex = start;
    if (!re.test(t)) return false;
    const wordEnd = re.lastIndex;
    const end = t.indexOf('\n', wordEnd);
    if ((end === -1 ? t.length : end) > limit) return false;
    this.next = end === -1 ? t.length : end + 1;
    const i = this.chars.indexOf(t.charCodeAt(this.tool === 'ss' ? start : wordEnd - 1));
    this.tallies[i] = (this.tallies[i] as number) + 1;
    return true;
  }

  /**
   * True when, from its Recv-Q at `p` on, a line has the shape of a counted line (for a line the
   * parser reads the state of itself: after a Netid column, say). False sends it to the full read,
   * which notes service names and skips what is not a socket.
   */
  shapeAt(t: string, p: number): boolean {
    this.shape.lastIndex = p;
    return this.shape.test(t);
  }

  /** Counts `n` lines of `state` (one of {@link states}) taken elsewhere: on the bytes, see src/parse/counted-bytes.ts. */
  add(state: TcpState, n: number): void {
    const i = this.states.indexOf(state);
    if (i < 0) throw new Error(`counted lines: ${state} is not counted here`);
    this.tallies[i] = (this.tallies[i] as number) + n;
  }

  /** Adds the lines counted here to `counts`. */
  addTo(counts: Record<TcpState, number>): void {
    this.states.forEach((s, i) => (counts[s] += this.tallies[i] as number));
  }
}
