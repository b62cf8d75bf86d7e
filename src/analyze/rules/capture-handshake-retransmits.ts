/**
 * `capture-handshake-retransmits`: SYNs or SYN-ACKs sent again on a watched port. Kernels since
 * 4.10 drop a SYN when the accept queue is full, so the client retransmits it (1, 2, 4, 8 s…, or
 * 1 s apart for the first few with tcp_syn_linear_timeouts on 6.5+); older kernels, and any
 * kernel with tcp_abort_on_overflow=0 dropping the final ACK, retransmit the SYN-ACK instead.
 */
import type { Finding } from '../../domain/report.js';
import { peerFacts } from '../capture.js';
import { finding, type Rule } from '../rule.js';
import { TOP_PEERS } from '../thresholds.js';
import { describeTally, plural } from '../words.js';

/** Intervals in seconds as a reader would say them: `1, 2, 4, 8 s`. */
export function describeIntervals(ms: readonly number[]): string {
  const secs = [...new Set(ms.map((m) => (m >= 1000 ? Math.round(m / 100) / 10 : m / 1000)))].sort((a, b) => a - b);
  return `${secs.slice(0, 8).join(', ')} s`;
}

export const captureHandshakeRetransmits: Rule = {
  id: 'capture-handshake-retransmits',
  needs: [],
  run(ctx) {
    const out: Finding[] = [];
    for (const p of ctx.capture ?? []) {
      if (p.synRetransmits + p.synAckRetransmits === 0) continue;
      const peers = peerFacts(p.retransmitPeers);
      const what = [p.synRetransmits ? plural(p.synRetransmits, 'SYN retransmit') : '', p.synAckRetransmits ? plural(p.synAckRetransmits, 'SYN-ACK retransmit') : ''].filter(Boolean).join(' and ');
      out.push(
        finding({
          rule: 'capture-handshake-retransmits',
          severity: 'warning',
          ports: [p.port],
          title: `${what} on ${p.port}, ${describeIntervals(p.handshakeIntervalsMs)} apart`,
          detail:
            (p.synRetransmits ? 'Clients sent their SYN again: the node did not answer it. Linux since 4.10 drops a SYN while the accept queue is full. ' : '') +
            (p.synAckRetransmits ? 'The node sent its SYN-ACK again: the client\'s final ACK was not taken, as happens with a full queue and tcp_abort_on_overflow=0. ' : '') +
            'Each retransmit adds a second or more to a client\'s connect time.',
          evidence: [`${plural(p.packets, 'packet')} on ${p.port}: ${what}; intervals ${describeIntervals(p.handshakeIntervalsMs)}`, `peers: ${describeTally(peers.map((x) => [x.ip, x.count]), TOP_PEERS)}`],
          recommendation: 'Make room in the accept queue (see the cause above); the retransmits stop when the owner accepts.',
          facts: {
            peers,
            counts: { synRetransmits: p.synRetransmits, synAckRetransmits: p.synAckRetransmits, packets: p.packets },
            intervalsMs: p.handshakeIntervalsMs,
            source: 'capture',
          },
        }),
      );
    }
    return out;
  },
};
