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
import { Ipv4Intern } from './ipv4-intern.js';
import { createIssue, skipLine } from './parse-issue.js';
import { toTcpState } from './tcp-state.js';

export interface SsParseResult {
  /** The sockets read, except those in {@link SsParseOptions.countOnly} states. */
  sockets: Socket[];
  /** Sockets read per state, the counted-only ones included. */
  counts: Partial<Record<TcpState, number>>;
  issue: ParseIssue;
  /** True when at least one line carried `users:((…))`: the listing was taken with `-p`. */
  ownersSeen: boolean;
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
}

/**
 * Shared by every socket without owners. Frozen so a stray push fails loudly instead of giving
 * every socket in the table the same owner; code that adds owners replaces the array.
 */
const NO_PROCESSES: ProcessRef[] = Object.freeze([]) as unknown as ProcessRef[];

/** Netids `ss -a` prints besides tcp; their lines are understood and left out, not counted as skipped. */
const OTHER_NETIDS = new Set(['udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'nl', 'p_raw', 'p_dgr', 'mptcp', 'sctp', 'tipc', 'v_str', 'v_dgr', 'xdp', 'icmp6', '???']);

const NO_STATES: ReadonlySet<TcpState> = new Set();

const HEADER_WORDS = new Set(['State', 'Netid', 'Recv-Q']);

const USERS = 'users:((';

/** Reads `ss` output into sockets. Never throws: unreadable lines are counted in `issue`. */
export function parseSs(text: string, source = 'ss', opts: SsParseOptions = {}): SsParseResult {
  return new SsScanner(text, source, opts.defaultState ?? 'UNKNOWN', opts.countOnly ?? NO_STATES).run();
}

const enum Char {
  Tab = 9,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Percent = 37,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Comma = 44,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  LBracket = 91,
  RBracket = 93,
}

class SsScanner {
  private readonly sockets: Socket[] = [];
  /** Per state; a Map as a line's count is one lookup, turned into a record at the end. */
  private readonly counts = new Map<TcpState, number>();
  private readonly issue: ParseIssue;
  private ownersSeen = false;
  /** Position of the next `users:((` at or after the current line; -1 when there is none left. Keeps the search linear. */
  private nextUsers = -2;
  /** Interning of the last addresses seen: a table repeats its local addresses and runs of the same peer. */
  private lastLocal = '';
  private lastPeer = '';
  // Results of the last endpoint read, to avoid allocating a tuple per endpoint.
  private addr = '';
  private port: number | null = null;
  private readonly ipv4 = new Ipv4Intern();

  constructor(
    private readonly text: string,
    source: string,
    private readonly defaultState: TcpState,
    private readonly countOnly: ReadonlySet<TcpState>,
  ) {
    this.issue = createIssue(source);
  }

  run(): SsParseResult {
    const t = this.text;
    const len = t.length;
    let start = 0;
    while (start < len) {
      let end = t.indexOf('\n', start);
      if (end === -1) end = len;
      this.readLine(start, end);
      start = end + 1;
    }
    return { sockets: this.sockets, counts: Object.fromEntries(this.counts), issue: this.issue, ownersSeen: this.ownersSeen };
  }

  private bad(start: number, end: number): void {
    skipLine(this.issue, this.text.slice(start, end));
  }

  private readLine(start: number, end: number): void {
    const t = this.text;
    // `-i`/`-e` print a tab-indented detail line under each socket (`\t bbr cwnd:10`): not a socket.
    if (t.charCodeAt(start) === Char.Tab) return;
    let p = skipWs(t, start, end);
    if (p === end) return;

    let e = tokenEnd(t, p, end);
    let state: TcpState | undefined;
    const c0 = t.charCodeAt(p);
    if (c0 >= Char.Zero && c0 <= Char.Nine) {
      state = this.defaultState;
    } else {
      state = ssStateAt(t, p, e);
      if (state === undefined) {
        const word = t.slice(p, e);
        if (HEADER_WORDS.has(word)) return;
        if (OTHER_NETIDS.has(word)) return;
        if (word !== 'tcp') return this.bad(start, end);
        p = skipWs(t, e, end);
        e = tokenEnd(t, p, end);
        state = ssStateAt(t, p, e);
        if (state === undefined) return this.bad(start, end);
      }
      p = skipWs(t, e, end);
      e = tokenEnd(t, p, end);
    }

    if (this.countOnly.has(state)) {
      // Only the shape is checked: a numeric Recv-Q, then (by native searches) a colon for the
      // local endpoint, a space, and another colon for the peer. Walking the rest of the line
      // char by char is what counting spares.
      if (readUint(t, p, e) < 0) return this.bad(start, end);
      const first = t.indexOf(':', e);
      if (first === -1 || first >= end) return this.bad(start, end);
      const gap = t.indexOf(' ', first);
      if (gap === -1 || gap > t.lastIndexOf(':', end - 1)) return this.bad(start, end);
      return this.count(state);
    }

    const recvQ = readUint(t, p, e);
    if (recvQ < 0) return this.bad(start, end);
    p = skipWs(t, e, end);
    e = tokenEnd(t, p, end);
    const sendQ = readUint(t, p, e);
    if (sendQ < 0) return this.bad(start, end);

    p = skipWs(t, e, end);
    e = this.readEndpoint(p, end, false);
    if (e < 0 || this.port === null) return this.bad(start, end);
    const localAddress = this.addr;
    const localPort = this.port;

    p = skipWs(t, e, end);
    e = this.readEndpoint(p, end, true);
    if (e < 0) return this.bad(start, end);
    const peerAddress = this.addr;
    const peerPort = this.port;

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
    this.count(state);
  }

  private count(state: TcpState): void {
    this.counts.set(state, (this.counts.get(state) ?? 0) + 1);
  }

  /**
   * Reads the `addr:port` token starting at `a` into this.addr / this.port and returns where it
   * ends (-1 when it is not an endpoint). Strips brackets and `%zone`, reduces `::ffff:1.2.3.4`
   * to `1.2.3.4`, and a wildcard peer (`*:*`, `0.0.0.0:*`, `[::]:*`, `:::*`) to `*`.
   *
   * One pass: it finds the token's end and the port colon, and reads a dotted IPv4 host on the way
   * (the digits after the last `:` or `[`, up to the port colon, `]` or `%`).
   */
  private readEndpoint(a: number, end: number, peer: boolean): number {
    const t = this.text;
    let p = a;
    let colon = -1;
    let pct = -1;
    // The segment being read (since the last `:` or `[`) as a dotted quad.
    let segStart = a;
    let v = 0;
    let octet = 0;
    let digits = 0;
    let dots = 0;
    let ok = true;
    // The host's IPv4 form, fixed at the port colon, or earlier at `]` or `%`.
    let ip = -1;
    let ipStart = 0;
    let ipEnd = 0;
    let hostEnded = false;
    for (; p < end; p++) {
      const c = t.charCodeAt(p);
      if (c >= Char.Zero && c <= Char.Nine) {
        if (digits === 5) ok = false;
        octet = octet * 10 + (c - Char.Zero);
        digits++;
      } else if (c === Char.Dot) {
        if (digits === 0 || digits > 3 || octet > 255) ok = false;
        v = v * 256 + octet;
        octet = 0;
        digits = 0;
        dots++;
      } else if (c === Char.Colon) {
        if (!hostEnded) {
          ip = ok && dots === 3 && digits > 0 && digits <= 3 && octet <= 255 ? v * 256 + octet : -1;
          ipStart = segStart;
          ipEnd = p;
        }
        colon = p;
        segStart = p + 1;
        v = octet = digits = dots = 0;
        ok = true;
      } else if (c === Char.Space || c === Char.Tab || c === Char.Cr) {
        break;
      } else {
        if ((c === Char.RBracket || c === Char.Percent) && !hostEnded) {
          ip = ok && dots === 3 && digits > 0 && digits <= 3 && octet <= 255 ? v * 256 + octet : -1;
          ipStart = segStart;
          ipEnd = p;
          hostEnded = true;
          if (c === Char.Percent) pct = p;
        } else if (c === Char.LBracket) {
          segStart = p + 1;
        }
        ok = false;
      }
    }
    if (colon < a || colon === p - 1) return -1;
    // The last segment is the port: digits only, or `*`.
    if (colon === p - 2 && t.charCodeAt(p - 1) === Char.Star) {
      this.port = null;
    } else {
      if (!ok || dots !== 0 || digits === 0 || octet > 65535) return -1;
      this.port = octet;
    }
    if (ip >= 0) {
      // IPv4, also the IPv4-mapped IPv6 form: the same host, so peers group together.
      this.addr = ip === 0 && peer && this.port === null ? '*' : this.ipv4.get(ip, t, ipStart, ipEnd);
      return p;
    }
    let hs = a;
    let he = pct !== -1 && pct < colon ? pct : colon;
    if (t.charCodeAt(hs) === Char.LBracket) {
      hs++;
      if (t.charCodeAt(he - 1) === Char.RBracket) he--;
    }
    if (he <= hs) return -1;
    if (peer && this.port === null && isWildcardHost(t, hs, he)) {
      this.addr = '*';
      return p;
    }
    const last = peer ? this.lastPeer : this.lastLocal;
    if (last.length === he - hs && t.startsWith(last, hs)) {
      this.addr = last;
    } else {
      this.addr = t.slice(hs, he);
      if (peer) this.lastPeer = this.addr;
      else this.lastLocal = this.addr;
    }
    return p;
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

function isWildcardHost(t: string, hs: number, he: number): boolean {
  const n = he - hs;
  if (n === 1) return t.charCodeAt(hs) === Char.Star;
  if (n === 2) return t.startsWith('::', hs);
  return n === 7 && t.startsWith('0.0.0.0', hs);
}

function skipWs(t: string, p: number, end: number): number {
  while (p < end) {
    const c = t.charCodeAt(p);
    if (c !== Char.Space && c !== Char.Tab && c !== Char.Cr) break;
    p++;
  }
  return p;
}

function tokenEnd(t: string, p: number, end: number): number {
  while (p < end) {
    const c = t.charCodeAt(p);
    if (c === Char.Space || c === Char.Tab || c === Char.Cr) break;
    p++;
  }
  return p;
}

/** Decimal digits in [a, b) as a number; -1 when empty or not all digits. */
function readUint(t: string, a: number, b: number): number {
  if (a >= b || b - a > 15) return -1;
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i) - Char.Zero;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
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

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}
