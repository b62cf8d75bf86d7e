/**
 * `capture-fin-unanswered`: a client's FIN sent again and again with no ACK from the node. The
 * node's side of that connection is still SYN-RECV (its final ACK was dropped on a full queue),
 * so the FIN, for a connection it does not consider open, goes unanswered.
 */
import type { Finding } from '../../domain/report.js';
import { peerFacts } from '../capture.js';
import { finding, type Rule } from '../rule.js';
import { TOP_PEERS } from '../thresholds.js';
import { describeTally, plural } from '../words.js';
import { describeIntervals } from './capture-handshake-retransmits.js';

export const captureFinUnanswered: Rule = {
  id: 'capture-fin-unanswered',
  needs: [],
  run(ctx) {
    const out: Finding[] = [];
    for (const p of ctx.capture ?? []) {
      if (p.finUnanswered === 0) continue;
      const peers = peerFacts(p.finUnansweredPeers);
      out.push(
        finding({
          rule: 'capture-fin-unanswered',
          severity: 'warning',
          ports: [p.port],
          title: `${plural(p.finUnanswered, 'client FIN')} on ${p.port} retransmitted with no answer`,
          detail:
            'The clients closed, and the node never acknowledged their FIN: for the node these connections never finished their handshake (SYN-RECV, the final ACK dropped on a full accept queue). ' +
            'The clients retransmit until they give up.',
          evidence: [`${plural(p.finUnanswered, 'connection')} on ${p.port}; FIN intervals ${describeIntervals(p.finIntervalsMs)}`, `peers: ${describeTally(peers.map((x) => [x.ip, x.count]), TOP_PEERS)}`],
          recommendation: 'Make room in the accept queue (see the cause above).',
          facts: { peers, counts: { finUnanswered: p.finUnanswered }, intervalsMs: p.finIntervalsMs, source: 'capture' },
        }),
      );
    }
    return out;
  },
};
