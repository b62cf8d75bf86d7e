/**
 * Peer views: sockets in the states worth a look, grouped by local port, peer address and state,
 * so "125 CLOSE-WAIT from 2 load balancers on 32430" reads as two lines, not 125.
 */
import type { PeerView } from '../domain/report.js';
import type { Socket, TcpState } from '../domain/snapshot.js';
import { collate, sortCollated } from '../domain/order.js';

/**
 * States whose peers are listed. ESTAB and TIME-WAIT are normal in any number and would drown the
 * rest; LISTEN has no peer.
 */
export const PEER_STATES: readonly TcpState[] = ['CLOSE-WAIT', 'SYN-RECV', 'LAST-ACK', 'FIN-WAIT-1', 'CLOSING'];

/**
 * Bytes a socket holds that its application has not read. In CLOSE-WAIT the peer's FIN takes one
 * sequence number, so Recv-Q counts it as one byte: a lone 1 is the FIN, not data.
 */
export function unreadBytes(s: Socket): number {
  return s.state === 'CLOSE-WAIT' ? Math.max(0, s.recvQ - 1) : s.recvQ;
}

/** Groups the sockets in {@link PEER_STATES}: by local port, then state, then count (largest first). */
export function buildPeerViews(sockets: readonly Socket[]): PeerView[] {
  // Bucketed by port and state as one number, then by peer: the output is ordered by port and
  // state first, so only each bucket's few groups need sorting, not tens of thousands at once.
  const buckets = new Map<number, Map<string, PeerView>>();
  for (const s of sockets) {
    const stateIndex = PEER_STATES.indexOf(s.state);
    if (stateIndex < 0) continue;
    const k = s.localPort * PEER_STATES.length + stateIndex;
    let byPeer = buckets.get(k);
    if (!byPeer) {
      byPeer = new Map();
      buckets.set(k, byPeer);
    }
    let view = byPeer.get(s.peerAddress);
    if (!view) {
      view = { localPort: s.localPort, ip: s.peerAddress, state: s.state, count: 0, unreadBytes: 0, maxRecvQ: 0 };
      byPeer.set(s.peerAddress, view);
    }
    view.count += 1;
    view.unreadBytes += unreadBytes(s);
    view.maxRecvQ = Math.max(view.maxRecvQ, s.recvQ);
  }
  // Addresses ranked once, not collated inside the sort of tens of thousands of groups.
  const ipRank = rankAddresses(buckets);
  const out: PeerView[] = [];
  for (const k of [...buckets.keys()].sort((a, b) => a - b)) {
    // Count descending, then address rank, as one number: counts stay far below 2^20, ranks below 2^31.
    const keyed = [...(buckets.get(k) as Map<string, PeerView>).values()].map((view) => ({ view, key: -Math.min(view.count, 0xfffff) * 2 ** 31 + (ipRank.get(view.ip) as number) }));
    keyed.sort((a, b) => a.key - b.key);
    for (const r of keyed) out.push(r.view);
  }
  return out;
}

/** Each distinct address's place in `localeCompare` order ({@link collate}); addresses that collate equal share one. */
function rankAddresses(buckets: ReadonlyMap<number, ReadonlyMap<string, PeerView>>): Map<string, number> {
  const distinct = new Set<string>();
  for (const byPeer of buckets.values()) for (const ip of byPeer.keys()) distinct.add(ip);
  const ips = sortCollated(distinct);
  const rank = new Map<string, number>();
  ips.forEach((ip, i) => rank.set(ip, i > 0 && collate(ips[i - 1] as string, ip) === 0 ? (rank.get(ips[i - 1] as string) as number) : i));
  return rank;
}
