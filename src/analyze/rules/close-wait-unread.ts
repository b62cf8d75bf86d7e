/**
 * `close-wait-unread`: CLOSE-WAIT sockets still holding data. The peer sent a request, then closed;
 * nobody read it. Recv-Q counts the FIN as one byte, so only Recv-Q > 1 means data.
 */
import type { Socket } from '../../domain/snapshot.js';
import { ownersVisible, socketsIn } from '../context.js';
import { unreadBytes } from '../peers.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural, sortPorts } from '../words.js';
import { ownersOfSockets, topPeerFacts } from '../facts.js';

/** Sockets grouped by local port, ports ascending. */
export function groupByPort(sockets: readonly Socket[]): [number, Socket[]][] {
  const byPort = new Map<number, Socket[]>();
  for (const s of sockets) {
    const list = byPort.get(s.localPort);
    if (list) list.push(s);
    else byPort.set(s.localPort, [s]);
  }
  return [...byPort.entries()].sort((a, b) => a[0] - b[0]);
}

export const closeWaitUnread: Rule = {
  id: 'close-wait-unread',
  needs: [],
  run(ctx) {
    const unread = socketsIn(ctx, 'CLOSE-WAIT').filter((s) => s.recvQ > 1);
    if (unread.length === 0) return [];
    const groups = groupByPort(unread);
    const total = unread.reduce((sum, s) => sum + unreadBytes(s), 0);
    const evidence = groups.map(([port, list]) => {
      const top = list.reduce((a, b) => (b.recvQ > a.recvQ ? b : a));
      const bytes = list.reduce((sum, s) => sum + unreadBytes(s), 0);
      return `${port}: ${plural(list.length, 'socket')}, ${bytes} bytes unread; largest Recv-Q ${top.recvQ} from ${top.peerAddress}:${top.peerPort ?? '*'}`;
    });
    const unowned = ownersVisible(ctx) && unread.every((s) => s.processes.length === 0);
    const detail = unowned
      ? 'No process holds these sockets: they were never accepted, so these are requests that reached the listener, waited in its queue and were abandoned by their clients. They are real traffic, not bare health checks.'
      : 'The owning process accepted these connections but stopped reading them and did not close them after the peer hung up.';
    return [
      finding({
        rule: 'close-wait-unread',
        severity: 'warning',
        ports: sortPorts(groups.map(([port]) => port)),
        title: `${plural(unread.length, 'CLOSE-WAIT socket')} on ${listWords(groups.map(([p]) => String(p)))} hold ${total} unread bytes`,
        detail: `${detail} Recv-Q counts the FIN as one byte, so a Recv-Q of 1 is no data and is left out.`,
        evidence,
        facts: { owners: ownersOfSockets(unread), peers: topPeerFacts(unread), counts: { sockets: unread.length, unreadBytes: total } },
        recommendation: unowned
          ? 'These requests were lost: find which clients send them (the peers above) and why the listener does not accept.'
          : 'Find where the owner stops reading: a blocked worker, or a code path that returns without reading and closing.',
      }),
    ];
  },
};
