/**
 * `conntrack-near-max`: the netfilter connection-tracking table close to nf_conntrack_max. When
 * it is full the kernel drops the first packet of new flows ("nf_conntrack: table full, dropping
 * packet"), and on a Kubernetes node every Service connection goes through conntrack.
 */
import { sysctlInt } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { CONNTRACK_CRITICAL_RATIO, CONNTRACK_WARN_RATIO } from '../thresholds.js';
import { percent } from '../words.js';

export const conntrackNearMax: Rule = {
  id: 'conntrack-near-max',
  needs: [],
  run(ctx) {
    const count = sysctlInt(ctx, 'net.netfilter.nf_conntrack_count');
    const max = sysctlInt(ctx, 'net.netfilter.nf_conntrack_max');
    if (count === null || max === null || max <= 0) return [];
    const ratio = count / max;
    if (ratio < CONNTRACK_WARN_RATIO) return [];
    return [
      finding({
        rule: 'conntrack-near-max',
        severity: ratio >= CONNTRACK_CRITICAL_RATIO ? 'critical' : 'warning',
        facts: { counts: { count, max } },
        title: `conntrack table ${percent(ratio)} full (${count} of ${max})`,
        detail:
          'When the table is full the kernel drops the first packet of every new flow, which clients see as connection timeouts; on a Kubernetes node every Service connection is tracked.',
        evidence: [`net.netfilter.nf_conntrack_count = ${count}`, `net.netfilter.nf_conntrack_max = ${max}`],
        recommendation:
          'Find what creates the flows (conntrack -S; conntrack -L | awk on the destination). Raising nf_conntrack_max (and the hash size) buys room; shorter nf_conntrack_tcp_timeout_* values clear idle entries sooner.',
        commands: ['conntrack -S', 'dmesg | grep -i conntrack'],
      }),
    ];
  },
};
