/**
 * `retransmission-rate`: retransmitted segments over sent segments (TcpRetransSegs / TcpOutSegs),
 * between the samples when there are two, else over the node's lifetime. TcpExtTCPSynRetrans
 * counts the SYN and SYN-ACK retransmissions among them: a high share points at handshakes
 * (full queues, SYN-RECV), not at a lossy network.
 */
import type { CounterView } from '../../domain/report.js';
import { describeCounter } from '../counters.js';
import { finding, type Rule } from '../rule.js';
import { RETRANS_NOTE_RATIO, RETRANS_WARN_RATIO } from '../thresholds.js';
import { percent } from '../words.js';

/** Share of retransmissions that were SYN/SYN-ACK, over the same span as the ratio; null when unknown. */
export function synRetransShare(counters: Record<string, CounterView>): number | null {
  const retrans = counters.TcpRetransSegs;
  const syn = counters.TcpExtTCPSynRetrans;
  if (!retrans || !syn) return null;
  const both = retrans.delta !== null && syn.delta !== null && retrans.delta > 0;
  const total = both ? (retrans.delta as number) : retrans.value;
  const part = both ? (syn.delta as number) : syn.value;
  return total > 0 ? Math.min(1, part / total) : null;
}

export const retransmissionRate: Rule = {
  id: 'retransmission-rate',
  needs: [],
  run(ctx) {
    const retrans = ctx.counters.TcpRetransSegs;
    const out = ctx.counters.TcpOutSegs;
    if (!retrans || !out) return [];
    const live = retrans.delta !== null && out.delta !== null && out.delta > 0;
    const ratio = live ? (retrans.delta as number) / (out.delta as number) : out.value > 0 ? retrans.value / out.value : 0;
    if (ratio < (live ? RETRANS_WARN_RATIO : RETRANS_NOTE_RATIO)) return [];
    const share = synRetransShare(ctx.counters);
    const evidence = [describeCounter('TcpRetransSegs', retrans), describeCounter('TcpOutSegs', out)];
    const syn = ctx.counters.TcpExtTCPSynRetrans;
    if (syn) evidence.push(describeCounter('TcpExtTCPSynRetrans', syn));
    const handshakes =
      share !== null && share >= 0.5
        ? ` ${percent(share)} of them are SYN/SYN-ACK retransmissions: handshakes that do not complete, not a lossy network.`
        : '';
    return [
      finding({
        rule: 'retransmission-rate',
        severity: live ? 'warning' : 'info',
        facts: { ratio, ...(share === null ? {} : { synShare: share }) },
        title: `${percent(ratio)} of sent segments retransmitted ${live ? 'between samples' : 'since boot'}`,
        detail:
          (live
            ? 'Retransmissions are happening now at this rate; each one is a wait of at least 200 ms for the connection concerned.'
            : 'With a single counter sample the ratio covers the whole uptime and cannot say whether it is still happening.') + handshakes,
        evidence,
        recommendation:
          share !== null && share >= 0.5
            ? 'Look at the listeners and SYN-RECV findings: the handshakes are what is retransmitted.'
            : 'Look for loss on the path (interface errors, drops at the node or the load balancer) with `ip -s link` and `nstat -asz`.',
      }),
    ];
  },
};
