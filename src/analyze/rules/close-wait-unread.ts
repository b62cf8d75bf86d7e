/**
 * `close-wait-unread`: CLOSE-WAIT sockets still holding data. The peer sent a request, then closed;
 * nobody read it. Recv-Q counts the FIN as one byte, so only Recv-Q > 1 means data.
 */
import type { Socket } from '../../domain/snapshot.js';
import { groupByPort, ownersVisible, socketsIn } from '../context.js';
import { unreadBytes } from '../peers.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural, sortPorts } from '../words.js';
import { ownersOfSockets, topPeerFacts } from '../facts.js';

export const closeWaitUnread: Rule = {
  id: 'close-wait-unread',
  needs: [],
  run(ctx) {
    const unread = socketsIn(ctx, 'CLOSE-WAIT').filter((s) => s.recvQ > 1);
    if (unread.length === 0) return [];
    // A socket on a listening port was accepted (or waits to be); any other is one this node
    // opened (local ephemeral port, remote :443): "accepted" would be wrong for it.
    const listening = new Set(ctx.listeners.map((l) => l.port));
    const incoming = unread.filter((s) => listening.has(s.localPort));
    const outgoing = unread.filter((s) => !listening.has(s.localPort));
    const groups = groupByPort(incoming);
    const total = unread.reduce((sum, s) => sum + unreadBytes(s), 0);
    const describe = (label: string, list: readonly Socket[]) => {
      const top = list.reduce((a, b) => (b.recvQ > a.recvQ ? b : a));
      const bytes = list.reduce((sum, s) => sum + unreadBytes(s), 0);
      return `${label}: ${plural(list.length, 'socket')}, ${bytes} bytes unread; largest Recv-Q ${top.recvQ} from ${top.peerAddress}:${top.peerPort ?? '*'}`;
    };
    const byPeerPort = new Map<number, Socket[]>();
    for (const s of outgoing) {
      const list = byPeerPort.get(s.peerPort ?? 0);
      if (list) list.push(s);
      else byPeerPort.set(s.peerPort ?? 0, [s]);
    }
    const evidence = [
      ...groups.map(([port, list]) => describe(String(port), list)),
      ...[...byPeerPort].sort((x, y) => x[0] - y[0]).map(([port, list]) => describe(`outgoing to :${port}`, list)),
    ];
    const unowned = ownersVisible(ctx) && incoming.length > 0 && incoming.every((s) => s.processes.length === 0);
    const parts: string[] = [];
    if (incoming.length > 0) {
      parts.push(
        unowned
          ? 'No process holds the sockets on listening ports: they were never accepted, so these are requests that reached the listener, waited in its queue and were abandoned by their clients. They are real traffic, not bare health checks.'
          : 'The owning process accepted these connections but stopped reading them and did not close them after the peer hung up.',
      );
    }
    if (outgoing.length > 0) {
      parts.push('On the connections this node opened (to the peer ports above), the remote side sent data and closed; the local process neither read it nor closed its end.');
    }
    const detail = parts.join(' ');
    const where = [...groups.map(([p]) => String(p)), ...(outgoing.length > 0 ? [plural(outgoing.length, 'outgoing connection')] : [])];
    return [
      finding({
        rule: 'close-wait-unread',
        severity: 'warning',
        ports: sortPorts(groups.map(([port]) => port)),
        title: `${plural(unread.length, 'CLOSE-WAIT socket')} on ${listWords(where)} hold ${total} unread bytes`,
        detail: `${detail} Recv-Q counts the FIN as one byte, so a Recv-Q of 1 is no data and is left out.`,
        evidence,
        facts: { owners: ownersOfSockets(unread), peers: topPeerFacts(unread), counts: { sockets: unread.length, incoming: incoming.length, outgoing: outgoing.length, unreadBytes: total } },
        recommendation: unowned
          ? 'These requests were lost: find which clients send them (the peers above) and why the listener does not accept.'
          : 'Find where the owner stops reading: a blocked worker, a client that ignores the server closing, or a code path that returns without reading and closing.',
      }),
    ];
  },
};
