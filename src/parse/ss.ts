/**
 * Parser for `ss` TCP socket listings, every iproute2 generation in the field.
 *
 * Old iproute2 (no Netid column with -t, IPv6 without brackets, `*:*` wildcards):
 *
 *     State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port
 *     LISTEN     129    128                      :::31493                   :::*      users:(("kube-proxy",pid=1515,fd=51))
 *     CLOSE-WAIT 1      0       ::ffff:172.1.52.100:31493  ::ffff:172.1.61.192:64923
 *
 * New iproute2 (brackets, zones, a Process column; Netid when -a without -t; -H drops the header):
 *
 *     Netid State  Recv-Q Send-Q      Local Address:Port   Peer Address:Port Process
 *     tcp   ESTAB  0      0      [::ffff:198.18.0.1]:31234 [::ffff:198.18.0.100]:41000 users:(("app",pid=7,fd=3))
 *     tcp   LISTEN 0      4096        127.0.0.53%lo:53          0.0.0.0:*
 *
 * The columns come in the same order in every version; which leading ones are present (Netid,
 * State) is read from the header when there is one and from each line's shape when there is none.
 * A single-state filter (`ss -tan state close-wait`) prints no State column at all: the caller says
 * which state those lines are in.
 *
 * Hot path: this reads a million-socket table in a few hundred milliseconds, so it walks the text
 * with indexOf/charCodeAt, never splits it into lines and runs no regular expression per line.
 */
import type { ParseIssue, ProcessRef, Socket, TcpState } from '../domain/snapshot.js';
import { Char, EndpointScanner, isDigit, readUint, skipWs, tokenEnd } from './endpoint-scan.js';
import { CountedLines } from './counted-lines.js';
import { createIssue, skipLine } from './parse-issue.js';
import { newStateCounts, presentCounts, toTcpState } from './tcp-state.js';

/** What a socket listing parser (`ss`, `netstat`) returns. */
export interface SsParseResult {
  /** The sockets read, except those in the `countOnly` states. */
  sockets: Socket[];
  /** Sockets read per state, the counted-only ones included. */
  counts: Partial<Record<TcpState, number>>;
  issue: ParseIssue;
  /** True when the listing shows owners: ss `-p`'s `users:((…))`, netstat `-p`'s `PID/Program name` column. */
  ownersSeen: boolean;
  /** Service names read as ports (`ssh` → 22), from a listing taken without `-n`. */
  serviceNames: Map<string, number>;
  /** True when a header line (`State …`, `Proto …`) came after a socket line: listings saved back to back. */
  headerAfterData: boolean;
  /** Offset of the last header line in the text read; -1 when there was none. */
  lastHeaderAt: number;
}

export interface SsParseOptions {
  /** State of lines printed without a State column (a single-state filter). @defaultValue 'UNKNOWN' */
  defaultState?: TcpState;
  /**
   * States whose lines are only counted (in `counts`), not kept as sockets: their addresses are
   * not read and no object is made. A line is still checked for a numeric Recv-Q and two
   * endpoint columns, so a malformed one is skipped as before. Owners on such lines are not read.
   */
  countOnly?: ReadonlySet<TcpState>;
  /**
   * Keep only listeners and sockets whose line shows owners (`users:((…))`); the rest are counted
   * like `countOnly` states. For an `ss -p` listing read only for its owners, beside a full table
   * that has every socket. @defaultValue false
   */
  ownersOnly?: boolean;
  /**
   * Read only `text[from, to)`, line-aligned: a block of a larger text (a transcript) read in
   * place, since scanning a slice of a big string is slower than scanning the string itself.
   * @defaultValue the whole text
   */
  from?: number;
  to?: number;
}

/**
 * Shared by every socket without owners. Frozen so a stray push fails loudly instead of giving
 * every socket in the table the same owner; code that adds owners replaces the array.
 */
const NO_PROCESSES: ProcessRef[] = Object.freeze([]) as unknown as ProcessRef[];

/** Netids `ss -a` prints besides tcp; their lines are understood and left out, not counted as skipped. */
const OTHER_NETIDS = new Set(['udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'nl', 'p_raw', 'p_dgr', 'mptcp', 'sctp', 'tipc', 'v_str', 'v_dgr', 'xdp', 'icmp6', '???']);

const NO_STATES: ReadonlySet<TcpState> = new Set();
/** The states of an owners listing (`ss -tanp state listening state close-wait state syn-recv`) whose ownerless lines are only counted. */
const OWNERLESS_COUNTED: readonly TcpState[] = ['CLOSE-WAIT', 'SYN-RECV'];

const HEADER_WORDS = new Set(['State', 'Netid', 'Recv-Q']);

const USERS = 'users:((';

/** Reads `ss` output into sockets. Never throws: unreadable lines are counted in `issue`. */
export function parseSs(text: string, source = 'ss', opts: SsParseOptions = {}): SsParseResult {
  const scanner = new SsScanner(source, opts);
  scanner.read(text, opts.from ?? 0, opts.to ?? text.length);
  return scanner.result();
}

/**
 * What the listing parsers (`ss`, `netstat`) share: what they read so far, and their result. Each
 * can be fed a listing in pieces (line-aligned chunks of a file read in turn, see
 * src/parse/listing-cut.ts): sockets, counts and notes add up across reads.
 */
export abstract class ListingScanner {
  protected readonly sockets: Socket[] = [];
  /** Per state, every state present from the start so the object keeps one shape (a Map lookup per line cost more). */
  protected readonly counts = newStateCounts();
  protected readonly issue: ParseIssue;
  protected ownersSeen = false;
  protected readonly endpoints = new EndpointScanner('');
  protected readonly counted: CountedLines;
  /** Offsets of the first line that is not a header (-1: none yet) and of the last header line, in the last text read. */
  protected firstData = -1;
  protected lastHeader = -1;

  /**
   * @param countOnly States whose lines are only counted.
   * @param ownersOnly An owners listing: a line that shows owners is read in full whatever its state.
   */
  constructor(
    tool: 'ss' | 'netstat',
    source: string,
    countOnly: ReadonlySet<TcpState>,
    protected readonly ownersOnly = false,
  ) {
    this.issue = createIssue(source);
    this.counted = new CountedLines(tool, countOnly);
  }

  /**
   * Reads the lines of `text[from, to)`. With `untilOther`, stops at the first line that is not a
   * socket (a header, a blank line, anything unreadable), leaves it uncounted and returns its
   * offset; otherwise, and when every line was a socket, returns `to`.
   */
  abstract read(text: string, from: number, to: number, untilOther?: boolean): number;

  /**
   * The states this scanner only counts, with their words as its tool prints them, and whether a
   * line that shows owners is read in full (an owners listing): for src/parse/counted-bytes.ts.
   */
  countedWords(): { states: readonly TcpState[]; words: readonly string[]; ownersOnly: boolean } {
    return { states: this.counted.states, words: this.counted.words, ownersOnly: this.ownersOnly };
  }

  /** Counts `n` counted lines of `state` read elsewhere, on the bytes (src/parse/counted-bytes.ts), as if read here. */
  addCounted(state: TcpState, n: number): void {
    this.counted.add(state, n);
  }

  result(): SsParseResult {
    const counts = { ...this.counts };
    this.counted.addTo(counts);
    return {
      sockets: this.sockets,
      counts: presentCounts(counts),
      issue: this.issue,
      ownersSeen: this.ownersSeen,
      serviceNames: this.endpoints.serviceNames,
      lastHeaderAt: this.lastHeader,
      headerAfterData: this.firstData !== -1 && this.lastHeader > this.firstData,
    };
  }
}

/** The `ss` parser, fed whole texts or pieces of one ({@link ListingScanner}). */
export class SsScanner extends ListingScanner {
  /** Position of the next `users:((` at or after the current line; -1 when there is none left. Keeps the search linear. */
  private nextUsers = -2;
  private readonly defaultState: TcpState;
  private readonly countOnly: ReadonlySet<TcpState>;
  private text = '';
  /** Set while a read stops at the first line that is not a socket: such a line is then left unread, not counted as skipped. */
  private untilOther = false;

  constructor(source: string, opts: Omit<SsParseOptions, 'from' | 'to'> = {}) {
    // An owners listing's ownerless lines are only counted: most take the counted-line match.
    const ownersOnly = opts.ownersOnly ?? false;
    super('ss', source, ownersOnly ? new Set([...(opts.countOnly ?? NO_STATES), ...OWNERLESS_COUNTED]) : (opts.countOnly ?? NO_STATES), ownersOnly);
    this.defaultState = opts.defaultState ?? 'UNKNOWN';
    this.countOnly = opts.countOnly ?? NO_STATES;
  }

  read(text: string, from: number, to: number, untilOther = false): number {
    this.text = text;
    this.endpoints.text = text;
    this.nextUsers = -2;
    this.untilOther = untilOther;
    const counted = this.counted;
    let start = from;
    while (start < to) {
      // Most lines of a big table: counted whole by a native match (src/parse/counted-lines.ts).
      // In an owners listing, only a line without owners: one that shows some is read in full.
      if (counted.match(text, start, this.ownersOnly ? this.usersAt(start) : Infinity)) {
        if (this.firstData === -1) this.firstData = start;
        start = counted.next;
        continue;
      }
      let end = text.indexOf('\n', start);
      if (end === -1 || end > to) end = to;
      if (!this.readLine(start, end) && untilOther) return start;
      start = end + 1;
    }
    return to;
  }

  /** An unreadable line: counted as skipped, unless this read stops at it. Returns false (no socket). */
  private bad(start: number, end: number): false {
    if (!this.untilOther) skipLine(this.issue, this.text.slice(start, end));
    return false;
  }

  /** Reads one line; true when it was a socket (kept or counted). */
  private readLine(start: number, end: number): boolean {
    const t = this.text;
    // `-i`/`-e` print a tab-indented detail line under each socket (`\t bbr cwnd:10`): not a socket.
    if (t.charCodeAt(start) === Char.Tab) return false;
    let p = skipWs(t, start, end);
    if (p === end) return false;
    if (this.firstData === -1) this.firstData = start;

    let e = tokenEnd(t, p, end);
    let state: TcpState | undefined;
    const c0 = t.charCodeAt(p);
    if (c0 >= Char.Zero && c0 <= Char.Nine) {
      state = this.defaultState;
    } else {
      state = ssStateAt(t, p, e);
      if (state === undefined) {
        const word = t.slice(p, e);
        if (HEADER_WORDS.has(word)) {
          if (this.firstData === start) this.firstData = -1;
          this.lastHeader = start;
          return false;
        }
        if (OTHER_NETIDS.has(word)) return false;
        if (word !== 'tcp') return this.bad(start, end);
        p = skipWs(t, e, end);
        e = tokenEnd(t, p, end);
        state = ssStateAt(t, p, e);
        if (state === undefined) return this.bad(start, end);
      }
      p = skipWs(t, e, end);
      e = tokenEnd(t, p, end);
    }

    const counted = this.countOnly.has(state) || (this.ownersOnly && state !== 'LISTEN' && !this.ownersOnLine(start, end));
    // A line of the counted shape is only counted; any other is read in full below, which notes
    // ports printed as service names and skips what is not a socket.
    if (counted && this.counted.shapeAt(t, p)) return this.count(state);

    const recvQ = readUint(t, p, e);
    if (recvQ < 0) return this.bad(start, end);
    p = skipWs(t, e, end);
    e = tokenEnd(t, p, end);
    const sendQ = readUint(t, p, e);
    if (sendQ < 0) return this.bad(start, end);

    p = skipWs(t, e, end);
    const ep = this.endpoints;
    e = ep.read(p, end, false);
    if (e < 0 || ep.port === null) return this.bad(start, end);
    const localAddress = ep.addr;
    const localPort = ep.port;

    p = skipWs(t, e, end);
    e = ep.read(p, end, true);
    if (e < 0) return this.bad(start, end);
    if (counted) return this.count(state);
    const peerAddress = ep.addr;
    const peerPort = ep.port;

    let processes = NO_PROCESSES;
    // Owners come after the peer; a listing without any (`ss -tan`) is searched once, not per line,
    // and the line's trailing padding is never walked.
    if (this.nextUsers !== -1) {
      if (this.nextUsers < e) this.nextUsers = t.indexOf(USERS, e);
      if (this.nextUsers !== -1 && this.nextUsers < end) {
        processes = readUsers(t, this.nextUsers + USERS.length - 1, end);
        this.ownersSeen = true;
      }
    }

    // One object shape for every socket, properties in the order of the domain type.
    this.sockets.push({ state, recvQ, sendQ, localAddress, localPort, peerAddress, peerPort, processes });
    return this.count(state);
  }

  /** True when the line at [start, end) shows owners. */
  private ownersOnLine(start: number, end: number): boolean {
    return this.usersAt(start) < end;
  }

  /** Where the next `users:((` at or after `start` is; Infinity when none is left. The search moves forward only, as in {@link readLine}. */
  private usersAt(start: number): number {
    if (this.nextUsers === -1) return Infinity;
    if (this.nextUsers < start) this.nextUsers = this.text.indexOf(USERS, start);
    return this.nextUsers === -1 ? Infinity : this.nextUsers;
  }

  private count(state: TcpState): true {
    this.counts[state]++;
    return true;
  }
}

/** The state named by the token in [p, e), found without allocating for the names `ss` prints. */
function ssStateAt(t: string, p: number, e: number): TcpState | undefined {
  let name: TcpState | undefined;
  const c = t.charCodeAt(p);
  switch (e - p) {
    case 5:
      name = 'ESTAB';
      break;
    case 6:
      name = c === 76 ? 'LISTEN' : 'UNCONN';
      break;
    case 7:
      name = 'CLOSING';
      break;
    case 8:
      name = c === 76 ? 'LAST-ACK' : t.charCodeAt(p + 4) === 82 ? 'SYN-RECV' : 'SYN-SENT';
      break;
    case 9:
      name = 'TIME-WAIT';
      break;
    case 10:
      name = c === 67 ? 'CLOSE-WAIT' : t.charCodeAt(p + 9) === 49 ? 'FIN-WAIT-1' : 'FIN-WAIT-2';
      break;
  }
  if (name !== undefined && t.startsWith(name, p)) return name;
  // Other spellings (netstat's CLOSE_WAIT, UNKNOWN) are rare: the slow path is fine for them.
  return toTcpState(t.slice(p, e));
}

/**
 * Reads the owner list that starts at the `(` of `((` in `users:(("name",pid=N,fd=N),("other",pid=M,fd=K))`.
 * Very old iproute2 prints `users:(("sshd",638,3))` without the `pid=`/`fd=` labels: read both.
 */
function readUsers(t: string, p: number, end: number): ProcessRef[] {
  const out: ProcessRef[] = [];
  while (p < end && t.charCodeAt(p) === Char.LParen) {
    if (t.charCodeAt(p + 1) !== Char.Quote) break;
    const nameEnd = t.indexOf('",', p + 2);
    if (nameEnd === -1 || nameEnd >= end) break;
    const name = t.slice(p + 2, nameEnd);
    p = nameEnd + 2;
    if (t.startsWith('pid=', p)) p += 4;
    let q = p;
    while (q < end && isDigit(t.charCodeAt(q))) q++;
    const pid = readUint(t, p, q);
    if (pid < 0) break;
    p = q;
    let fd: number | null = null;
    if (t.charCodeAt(p) === Char.Comma) {
      p++;
      if (t.startsWith('fd=', p)) p += 3;
      q = p;
      while (q < end && isDigit(t.charCodeAt(q))) q++;
      const n = readUint(t, p, q);
      fd = n < 0 ? null : n;
      p = q;
    }
    out.push({ name, pid, fd });
    while (p < end && t.charCodeAt(p) !== Char.RParen) p++;
    p++;
    if (t.charCodeAt(p) !== Char.Comma) break;
    p++;
  }
  return out.length === 0 ? NO_PROCESSES : out;
}

