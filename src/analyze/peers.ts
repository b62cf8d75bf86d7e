/**
 * Peer views: sockets in the states worth a look, grouped by local port, peer address and state,
 * so "125 CLOSE-WAIT from 2 load balancers on 32430" reads as two lines, not 125.
 */
import type { PeerView } from '../domain/report.js';
import type { Socket, TcpState } from '../domain/snapshot.js';

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
  // Keyed by peer, then by port and state as one number: a string key built per socket took most
  // of analyze's time on a million-socket table. `views` keeps the order groups were first seen.
  const groups = new Map<string, Map<number, PeerView>>();
  const views: PeerView[] = [];
  for (const s of sockets) {
    const stateIndex = PEER_STATES.indexOf(s.state);
    if (stateIndex < 0) continue;
    let byPortState = groups.get(s.peerAddress);
    if (!byPortState) {
      byPortState = new Map();
      groups.set(s.peerAddress, byPortState);
    }
    const k = s.localPort * PEER_STATES.length + stateIndex;
    let view = byPortState.get(k);
    if (!view) {
      view = { localPort: s.localPort, ip: s.peerAddress, state: s.state, count: 0, unreadBytes: 0, maxRecvQ: 0 };
      byPortState.set(k, view);
      views.push(view);
    }
    view.count += 1;
    view.unreadBytes += unreadBytes(s);
    view.maxRecvQ = Math.max(view.maxRecvQ, s.recvQ);
  }
  // localeCompare once per distinct address, not once per comparison: collating inside the sort of
  // tens of thousands of groups was the other large cost. Addresses that collate equal share a rank.
  const ips = [...groups.keys()].sort((a, b) => a.localeCompare(b));
  const ipRank = new Map<string, number>();
  ips.forEach((ip, i) => ipRank.set(ip, i > 0 && (ips[i - 1] as string).localeCompare(ip) === 0 ? (ipRank.get(ips[i - 1] as string) as number) : i));
  return views
    .map((view) => ({ view, state: PEER_STATES.indexOf(view.state), ip: ipRank.get(view.ip) as number }))
    .sort((a, b) => a.view.localPort - b.view.localPort || a.state - b.state || b.view.count - a.view.count || a.ip - b.ip)
    .map(({ view }) => view);
}
