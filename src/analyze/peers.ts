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
  const groups = new Map<string, PeerView>();
  for (const s of sockets) {
    if (!PEER_STATES.includes(s.state)) continue;
    const k = `${s.localPort} ${s.peerAddress} ${s.state}`;
    let view = groups.get(k);
    if (!view) {
      view = { localPort: s.localPort, ip: s.peerAddress, state: s.state, count: 0, unreadBytes: 0, maxRecvQ: 0 };
      groups.set(k, view);
    }
    view.count += 1;
    view.unreadBytes += unreadBytes(s);
    view.maxRecvQ = Math.max(view.maxRecvQ, s.recvQ);
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.localPort - b.localPort ||
      PEER_STATES.indexOf(a.state) - PEER_STATES.indexOf(b.state) ||
      b.count - a.count ||
      a.ip.localeCompare(b.ip),
  );
}
