/**
 * Parser for /proc/net/tcp and /proc/net/tcp6: the fallback when a node has no `ss`. It carries no
 * process owners, and for a listener only the accept-queue length, not the backlog.
 *
 *       sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *        0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 10361 1 …
 *        1: 0000000000000000FFFF00006400A8C0:7B05 0000000000000000FFFF0000C80012C6:A028 01 …
 *
 * Addresses are hex of the kernel's 32-bit words in host byte order (little-endian on x86 and
 * arm64, the nodes we meet). For a LISTEN socket the kernel prints the accept-queue length as
 * rx_queue (net/ipv4/tcp_ipv4.c, get_tcp4_sock), so it becomes `recvQ` as in `ss`.
 */
import type { ParseIssue, Socket, TcpState } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface ProcNetTcpParseResult {
  /** The sockets read, except those in {@link ProcNetTcpOptions.countOnly} states. */
  sockets: Socket[];
  /** Sockets read per state, the counted-only ones included. */
  counts: Partial<Record<TcpState, number>>;
  issue: ParseIssue;
}

export interface ProcNetTcpOptions {
  /**
   * Backlog to report for listeners, which /proc/net/tcp does not print. Pass
   * `net.core.somaxconn` (the largest any listener can have) so only a surely full queue reads full.
   * @defaultValue 0
   */
  listenBacklog?: number;
  /** States whose lines are only counted (in `counts`) once matched, not kept as sockets: their addresses are not decoded. */
  countOnly?: ReadonlySet<TcpState>;
}

/** include/net/tcp_states.h */
const STATES: Record<string, TcpState> = {
  '01': 'ESTAB',
  '02': 'SYN-SENT',
  '03': 'SYN-RECV',
  '04': 'FIN-WAIT-1',
  '05': 'FIN-WAIT-2',
  '06': 'TIME-WAIT',
  '07': 'UNCONN',
  '08': 'CLOSE-WAIT',
  '09': 'LAST-ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'SYN-RECV',
};

const LINE = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})\s/;

/** Reads the tcp and tcp6 tables (also concatenated). Never throws. */
export function parseProcNetTcp(text: string, source = 'proc-net-tcp', opts: ProcNetTcpOptions = {}): ProcNetTcpParseResult {
  const sockets: Socket[] = [];
  const counts: Partial<Record<TcpState, number>> = {};
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '' || /^\s*sl\s+local_address/.test(line)) continue;
    const m = LINE.exec(line);
    const state = m ? STATES[(m[5] as string).toUpperCase()] : undefined;
    if (!m || !state) {
      skipLine(issue, line);
      continue;
    }
    counts[state] = (counts[state] ?? 0) + 1;
    if (opts.countOnly?.has(state)) continue;
    const txQueue = parseInt(m[6] as string, 16);
    const rxQueue = parseInt(m[7] as string, 16);
    const peerPort = parseInt(m[4] as string, 16);
    const peerHost = hexToAddress(m[3] as string);
    const listening = state === 'LISTEN';
    sockets.push({
      state,
      recvQ: rxQueue,
      sendQ: listening ? (opts.listenBacklog ?? 0) : txQueue,
      localAddress: hexToAddress(m[1] as string),
      localPort: parseInt(m[2] as string, 16),
      peerAddress: listening && peerPort === 0 ? '*' : peerHost,
      peerPort: listening && peerPort === 0 ? null : peerPort,
      processes: [],
    });
  }
  return { sockets, counts, issue };
}

/** Hex of little-endian 32-bit words → printed address; IPv4-mapped IPv6 becomes plain IPv4. */
export function hexToAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(hex.slice(w + b, w + b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return compressIpv6(groups);
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
