/**
 * Parser for net-tools' `netstat` socket tables, with any of its flags (`-tan`, `-tanp`, `-antp`,
 * `-l`, `-p`, `-lnp`, `-aeep`, `-o`, `-W`, without `-n`):
 *
 *     Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name
 *     tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      root       53515      1127/sshd: /usr/sb
 *     tcp6     129      0 [::]:31493              [::]:*                  LISTEN      root       53536      23429/kube-proxy
 *     tcp6       1      0 198.18.0.100:31493      198.18.0.2:42347        CLOSE_WAIT  root       0          -
 *
 * Only tcp and tcp6 lines are sockets here; udp, raw and unix lines (and the `Active ...` and
 * `Proto ...` headers) are understood and left out. Columns after State are found by their form:
 * `User Inode` under `-e`, `PID/Program name` under `-p` (`-` when the owner is hidden), a
 * `Timer` (`off (0.00/0/0)`) under `-o`.
 *
 * net-tools reads /proc/net/tcp, which prints 0 as a listener's tx_queue (net/ipv4/tcp_ipv4.c,
 * get_tcp4_sock): a LISTEN line's Send-Q is NOT its backlog, unlike `ss`. Listeners come out with
 * `backlogKnown: false` and `sendQ` set to {@link NetstatParseOptions.listenBacklog}.
 */
import type { ProcessRef, TcpState } from '../domain/snapshot.js';
import { Char, readUint, skipWs, tokenEnd } from './endpoint-scan.js';
import { skipLine } from './parse-issue.js';
import { toTcpState } from './tcp-state.js';
import { ListingScanner, type SsParseResult } from './ss.js';

export interface NetstatParseResult extends SsParseResult {
  /** Lines read or understood (sockets, other protocols, headers): how much of the text is netstat. */
  understood: number;
}

export interface NetstatParseOptions {
  /** States whose lines are only counted, not kept as sockets. */
  countOnly?: ReadonlySet<TcpState>;
  /** Backlog to give listeners, as netstat prints none. @defaultValue 0 */
  listenBacklog?: number;
  /** Read only `text[from, to)`, line-aligned, as the `ss` parser does. @defaultValue the whole text */
  from?: number;
  to?: number;
}

/** Protocols netstat lists besides TCP. */
const OTHER_PROTOCOLS = new Set(['udp', 'udp6', 'udpl', 'udpl6', 'raw', 'raw6', 'unix', 'sctp', 'sctp6', 'ax25', 'ipx', 'netrom', 'x25', 'rose', 'ddp']);
/** Words that start the timer column of `-o`: `off (0.00/0/0)`, `keepalive (7174.54/0/0)`. */
const TIMERS = new Set(['off', 'on', 'keepalive', 'timewait', 'probe']);

const NO_PROCESSES: ProcessRef[] = Object.freeze([]) as unknown as ProcessRef[];
const NO_STATES: ReadonlySet<TcpState> = new Set();

/** Reads netstat output into sockets. Never throws: unreadable lines are counted in `issue`. */
export function parseNetstat(text: string, source = 'netstat', opts: NetstatParseOptions = {}): NetstatParseResult {
  const scanner = new NetstatScanner(source, opts);
  scanner.read(text, opts.from ?? 0, opts.to ?? text.length);
  return scanner.result();
}

/** The `netstat` parser as an object that can be fed a listing in pieces, like {@link SsScanner}. */
export class NetstatScanner extends ListingScanner {
  private readonly countOnly: ReadonlySet<TcpState>;
  private readonly backlog: number;
  private understood = 0;

  constructor(source: string, opts: Omit<NetstatParseOptions, 'from' | 'to'> = {}) {
    super('netstat', source, opts.countOnly ?? NO_STATES);
    this.countOnly = opts.countOnly ?? NO_STATES;
    this.backlog = opts.listenBacklog ?? 0;
  }

  override addCounted(state: TcpState, n: number): void {
    super.addCounted(state, n);
    this.understood += n;
  }

  read(text: string, from: number, to: number, untilOther = false): number {
    const { endpoints, countOnly, sockets, counts, counted } = this;
    endpoints.text = text;
    for (let start = from; start < to; ) {
      // Most lines of a big table: counted whole by a native match (src/parse/counted-lines.ts).
      if (counted.match(text, start)) {
        this.understood++;
        if (this.firstData === -1) this.firstData = start;
        start = counted.next;
        continue;
      }
      let end = text.indexOf('\n', start);
      if (end === -1 || end > to) end = to;
      const lineStart = start;
      start = end + 1;
      let p = skipWs(text, lineStart, end);
      if (p === end) {
        if (untilOther) return lineStart;
        continue;
      }
      let e = tokenEnd(text, p, end);
      const proto = e - p === 3 && text.startsWith('tcp', p) ? 4 : e - p === 4 && text.startsWith('tcp6', p) ? 6 : 0;
      if (proto === 0) {
        if (untilOther) return lineStart;
        const word = text.slice(p, e);
        if (word === 'Proto') this.ownersSeen ||= text.slice(lineStart, end).includes('PID/Program');
        if (word === 'Proto' || word === 'Active') {
          this.understood++;
          this.lastHeader = lineStart;
          continue;
        }
      }
      // Every other line is data, a socket or not.
      if (this.firstData === -1) this.firstData = lineStart;
      if (proto === 0) {
        if (OTHER_PROTOCOLS.has(text.slice(p, e))) this.understood++;
        else skipLine(this.issue, text.slice(lineStart, end));
        continue;
      }
      p = skipWs(text, e, end);
      e = tokenEnd(text, p, end);
      const recvQ = readUint(text, p, e);
      p = skipWs(text, e, end);
      e = tokenEnd(text, p, end);
      const sendQ = readUint(text, p, e);
      if (recvQ < 0 || sendQ < 0) {
        if (untilOther) return lineStart;
        skipLine(this.issue, text.slice(lineStart, end));
        continue;
      }
      p = skipWs(text, e, end);
      const localEnd = endpoints.read(p, end, false);
      const localAddress = endpoints.addr;
      const localPort = endpoints.port;
      p = localEnd < 0 ? end : skipWs(text, localEnd, end);
      const peerEnd = localEnd < 0 ? -1 : endpoints.read(p, end, true);
      p = skipWs(text, peerEnd < 0 ? end : peerEnd, end);
      e = tokenEnd(text, p, end);
      const state = stateAt(text, p, e);
      if (localPort === null || peerEnd < 0 || state === undefined) {
        if (untilOther) return lineStart;
        skipLine(this.issue, text.slice(lineStart, end));
        continue;
      }
      this.understood++;
      counts[state]++;
      if (countOnly.has(state)) continue;
      const owner = readOwner(text, e, end);
      if (owner !== null) this.ownersSeen = true;
      const listening = state === 'LISTEN';
      sockets.push({
        state,
        recvQ,
        sendQ: listening ? this.backlog : sendQ,
        localAddress,
        localPort,
        peerAddress: endpoints.addr,
        peerPort: endpoints.port,
        processes: owner === null || owner === NO_PROCESSES ? NO_PROCESSES : owner,
      });
    }
    return to;
  }

  override result(): NetstatParseResult {
    return { ...super.result(), understood: this.understood };
  }
}

/** netstat's state spellings; the two most common found without allocating. */
function stateAt(t: string, p: number, e: number): TcpState | undefined {
  if (e - p === 11 && t.startsWith('ESTABLISHED', p)) return 'ESTAB';
  if (e - p === 9 && t.startsWith('TIME_WAIT', p)) return 'TIME-WAIT';
  return toTcpState(t.slice(p, e));
}

/**
 * The owner after the State column: null when the line has no owner column, an empty list for
 * `-` (hidden: another user's socket, or one no process holds, like an unaccepted connection).
 * The program name is the column's text up to `: ` (sshd rewrites its argv to `sshd: /usr/sbin/…`,
 * which netstat prints cut at 20 columns).
 */
function readOwner(t: string, p: number, end: number): ProcessRef[] | null {
  for (p = skipWs(t, p, end); p < end; p = skipWs(t, p, end)) {
    const e = tokenEnd(t, p, end);
    if (e - p === 1 && t.charCodeAt(p) === 45) return NO_PROCESSES;
    let slash = p;
    while (slash < e && t.charCodeAt(slash) !== Char.Slash) slash++;
    const pid = slash > p && slash < e - 1 ? readUint(t, p, slash) : -1;
    if (pid >= 0) {
      let nameEnd = timerStart(t, slash + 1, end);
      while (nameEnd > slash + 1 && isSpace(t.charCodeAt(nameEnd - 1))) nameEnd--;
      let name = t.slice(slash + 1, nameEnd);
      const cut = name.indexOf(': ');
      if (cut > 0) name = name.slice(0, cut);
      return [{ name, pid, fd: null }];
    }
    if (TIMERS.has(t.slice(p, e))) return null;
    p = e;
  }
  return null;
}

/** Where the `-o` timer begins (` off (`), or the line's end. Searches this line only. */
function timerStart(t: string, p: number, end: number): number {
  for (let i = p; i + 1 < end; i++) {
    if (t.charCodeAt(i) !== Char.Space || t.charCodeAt(i + 1) !== Char.LParen) continue;
    let w = i;
    while (w > p && !isSpace(t.charCodeAt(w - 1))) w--;
    if (TIMERS.has(t.slice(w, i))) return w;
  }
  return end;
}

function isSpace(c: number): boolean {
  return c === Char.Space || c === Char.Tab || c === Char.Cr;
}
