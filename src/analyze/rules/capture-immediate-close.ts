/**
 * `capture-immediate-close`: peers that complete the handshake and close (FIN or RST) within a
 * moment, having sent nothing: the load-balancer health-check pattern. On a listener that never
 * accepts (or is full), these connections are what fills the queue and turns CLOSE-WAIT in it.
 */
import type { Finding, RuleId } from '../../domain/report.js';
import { peerFacts } from '../capture.js';
import { listenersOn } from '../context.js';
import { isFull } from '../listeners.js';
import { finding, type Rule } from '../rule.js';
import { TOP_PEERS } from '../thresholds.js';
import { describeTally, plural } from '../words.js';

/** Standard findings these peers cause on a listener that does not accept. */
const FILLS: readonly RuleId[] = ['accept-queue-full', 'accept-queue-backlog', 'close-wait-unaccepted', 'syn-recv-stuck'];

export const captureImmediateClose: Rule = {
  id: 'capture-immediate-close',
  needs: ['owner-never-accepts', ...FILLS],
  run(ctx, seen) {
    const out: Finding[] = [];
    const deep = ctx.snapshot.deep;
    for (const p of ctx.capture ?? []) {
      const peers = peerFacts(p.immediateClosePeers);
      if (peers.length === 0) continue;
      const total = peers.reduce((n, x) => n + x.count, 0);
      const neverAccepting = seen.get('owner-never-accepts').some((f) => f.ports.includes(p.port));
      const full = listenersOn(ctx, p.port).some(isFull);
      const filling = neverAccepting || full;
      out.push(
        finding({
          rule: 'capture-immediate-close',
          severity: filling ? 'warning' : 'info',
          ports: [p.port],
          title: `${plural(peers.length, 'peer')} on ${p.port} connect and close at once, sending nothing (${plural(total, 'connection')})`,
          detail:
            `These clients complete the handshake and close within ${deep?.immediateCloseMs ?? 1000} ms without sending a byte: the pattern of a load-balancer health check. ` +
            (filling
              ? `The listener on ${p.port} ${neverAccepting ? 'never accepts' : 'is full'}, so each of these connections stays in its accept queue (CLOSE-WAIT once the peer has closed): these peers are what fills the queue.`
              : 'The listener accepts them, so they cost little.'),
          evidence: [`${plural(total, 'immediate close')} of ${plural(p.handshakes, 'handshake')} on ${p.port}`, `peers: ${describeTally(peers.map((x) => [x.ip, x.count]), TOP_PEERS)}`],
          recommendation: filling
            ? 'Point these health checks at a port that answers (or fix the listener); they will keep the queue full until then.'
            : 'Nothing to do unless the checks are unexpected.',
          explains: filling ? FILLS.filter((rule) => seen.get(rule).some((f) => f.ports.includes(p.port))) : [],
          facts: { peers, counts: { connections: total, handshakes: p.handshakes }, neverAccepting, full, source: 'capture' },
        }),
      );
    }
    return out;
  },
};
