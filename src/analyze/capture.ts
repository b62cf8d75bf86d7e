/**
 * Reads a capture port by port: handshakes, SYN and SYN-ACK retransmits with their intervals,
 * clients that close right after the handshake without sending data, FINs retransmitted with no
 * answer, resets. Pure: packets in, figures out.
 *
 * A connection is keyed by the client's address and port and the server port; the server is the
 * side that received the first SYN (a capture that starts mid-connection is read from its next
 * handshake). A retransmit is the same segment again: a SYN or SYN-ACK with the same sequence
 * number, a FIN with the same sequence number (RFC 9293 §3.8.1: retransmissions reuse it).
 */
import { TcpFlag, type TcpPacket } from '../domain/deep.js';
import { collate } from '../domain/order.js';

export interface CaptureOptions {
  /** A close (FIN or RST) this soon after the handshake, with no payload before it, is "immediate". @defaultValue 1000 */
  immediateCloseMs: number;
}

export interface PortCapture {
  port: number;
  /** Handshakes completed (the client's ACK of the SYN-ACK was seen). */
  handshakes: number;
  /** SYNs seen more than once for the same connection attempt. */
  synRetransmits: number;
  synAckRetransmits: number;
  /** Gaps between successive copies of a SYN or SYN-ACK, ms, in the order seen. */
  handshakeIntervalsMs: number[];
  /** Peers whose SYN or SYN-ACK was retransmitted, with how many connections. */
  retransmitPeers: Map<string, number>;
  /** Peers that closed within the threshold of the handshake without sending data, with counts. */
  immediateClosePeers: Map<string, number>;
  /** Client FINs sent more than once and never acknowledged by the server. */
  finUnanswered: number;
  /** Gaps between the copies of those FINs, ms. */
  finIntervalsMs: number[];
  finUnansweredPeers: Map<string, number>;
  resets: number;
  /** Packets on this port. */
  packets: number;
}

interface Conn {
  peer: string;
  synTimes: number[];
  synAckSeq: number | null;
  synAckTimes: number[];
  established: number | null;
  clientPayload: number;
  closedAt: number | null;
  finSeq: number | null;
  finTimes: number[];
  finAcked: boolean;
}

const has = (p: TcpPacket, flag: number) => (p.flags & flag) !== 0;
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const gaps = (times: number[]) => times.slice(1).map((t, i) => Math.round((t - times[i]!) / 1000));

/** Analyses the packets of each watched port. Ports with no packets still get an entry (all zero). */
export function analyzeCapture(packets: readonly TcpPacket[], ports: readonly number[], opts: CaptureOptions): PortCapture[] {
  const watched = new Set(ports);
  const conns = new Map<string, Conn>();
  const perPort = new Map<number, PortCapture>();
  for (const port of ports) perPort.set(port, emptyPort(port));
  for (const p of packets) {
    // Direction: towards the server when the destination port is watched.
    const toServer = watched.has(p.dstPort);
    const serverPort = toServer ? p.dstPort : p.srcPort;
    if (!watched.has(serverPort)) continue;
    const stats = perPort.get(serverPort)!;
    stats.packets++;
    const peer = toServer ? p.src : p.dst;
    const key = `${peer}|${toServer ? p.srcPort : p.dstPort}|${serverPort}`;
    if (has(p, TcpFlag.rst)) stats.resets++;
    let c = conns.get(key);
    if (toServer && has(p, TcpFlag.syn) && !has(p, TcpFlag.ack)) {
      // A SYN with a new sequence number starts a new attempt on a reused client port.
      if (!c || (c.synTimes.length > 0 && c.established !== null)) {
        c = { peer, synTimes: [], synAckSeq: null, synAckTimes: [], established: null, clientPayload: 0, closedAt: null, finSeq: null, finTimes: [], finAcked: false };
        conns.set(key, c);
      }
      c.synTimes.push(p.timeUs);
      continue;
    }
    if (!c) continue;
    if (!toServer && has(p, TcpFlag.syn) && has(p, TcpFlag.ack)) {
      c.synAckSeq = p.seq;
      c.synAckTimes.push(p.timeUs);
      continue;
    }
    if (toServer) {
      if (c.established === null && has(p, TcpFlag.ack) && c.synAckSeq !== null && p.ack === ((c.synAckSeq + 1) >>> 0)) c.established = p.timeUs;
      if (c.closedAt === null) c.clientPayload += p.payload;
      if (c.closedAt === null && (has(p, TcpFlag.fin) || has(p, TcpFlag.rst))) c.closedAt = p.timeUs;
      if (has(p, TcpFlag.fin) && (c.finSeq === null || c.finSeq === p.seq)) {
        c.finSeq = p.seq;
        c.finTimes.push(p.timeUs);
      }
    } else if (c.finSeq !== null && has(p, TcpFlag.ack) && seqAfter(p.ack, c.finSeq)) {
      c.finAcked = true;
    }
  }
  for (const [key, c] of conns) {
    const stats = perPort.get(Number(key.slice(key.lastIndexOf('|') + 1)))!;
    if (c.established !== null) stats.handshakes++;
    const retransmitted = c.synTimes.length > 1 || c.synAckTimes.length > 1;
    if (c.synTimes.length > 1) {
      stats.synRetransmits += c.synTimes.length - 1;
      stats.handshakeIntervalsMs.push(...gaps(c.synTimes));
    }
    if (c.synAckTimes.length > 1) {
      stats.synAckRetransmits += c.synAckTimes.length - 1;
      stats.handshakeIntervalsMs.push(...gaps(c.synAckTimes));
    }
    if (retransmitted) bump(stats.retransmitPeers, c.peer);
    if (c.established !== null && c.closedAt !== null && c.clientPayload === 0 && c.closedAt - c.established <= opts.immediateCloseMs * 1000) {
      bump(stats.immediateClosePeers, c.peer);
    }
    if (c.finTimes.length > 1 && !c.finAcked) {
      stats.finUnanswered++;
      stats.finIntervalsMs.push(...gaps(c.finTimes));
      bump(stats.finUnansweredPeers, c.peer);
    }
  }
  return [...perPort.values()];
}

/** True when `ack` acknowledges the byte at `seq` (modular 32-bit comparison, RFC 9293 §3.4). */
function seqAfter(ack: number, seq: number): boolean {
  return ((ack - seq - 1) | 0) >= 0;
}

function emptyPort(port: number): PortCapture {
  return {
    port, handshakes: 0, synRetransmits: 0, synAckRetransmits: 0, handshakeIntervalsMs: [], retransmitPeers: new Map(),
    immediateClosePeers: new Map(), finUnanswered: 0, finIntervalsMs: [], finUnansweredPeers: new Map(), resets: 0, packets: 0,
  };
}

/** Peers as facts: most first, then by address. */
export function peerFacts(m: ReadonlyMap<string, number>): Array<{ ip: string; count: number }> {
  return [...m].map(([ip, count]) => ({ ip, count })).sort((a, b) => b.count - a.count || collate(a.ip, b.ip));
}
