/**
 * `time-wait-pressure`: TIME-WAIT sockets against what bounds them. Outgoing connections to one
 * destination can use each local port of ip_local_port_range once per TIME-WAIT period (60 s);
 * past tcp_max_tw_buckets the kernel destroys TIME-WAIT sockets early and counts
 * TcpExtTCPTimeWaitOverflow.
 */
import { describeCounter, isRising } from '../counters.js';
import { sysctlInt } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { TIME_WAIT_BUCKETS_RATIO, TIME_WAIT_RANGE_RATIO } from '../thresholds.js';
import { percent } from '../words.js';

/** Size of `net.ipv4.ip_local_port_range` (`32768 60999` → 28232); null when unreadable. */
export function portRangeSize(value: string | undefined): number | null {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(value ?? '');
  if (!m) return null;
  const size = Number(m[2]) - Number(m[1]) + 1;
  return size > 0 ? size : null;
}

export const timeWaitPressure: Rule = {
  id: 'time-wait-pressure',
  needs: [],
  run(ctx) {
    const tw = ctx.states['TIME-WAIT'] ?? 0;
    const range = portRangeSize(ctx.snapshot.sysctl['net.ipv4.ip_local_port_range']);
    const buckets = sysctlInt(ctx, 'net.ipv4.tcp_max_tw_buckets');
    const overflow = ctx.counters.TcpExtTCPTimeWaitOverflow;
    const reasons: string[] = [];
    const evidence: string[] = [`${tw} TIME-WAIT sockets`];
    if (range !== null) evidence.push(`net.ipv4.ip_local_port_range = ${ctx.snapshot.sysctl['net.ipv4.ip_local_port_range']} (${range} ports)`);
    if (buckets !== null) evidence.push(`net.ipv4.tcp_max_tw_buckets = ${buckets}`);
    if (overflow) evidence.push(describeCounter('TcpExtTCPTimeWaitOverflow', overflow));
    if (range !== null && tw >= range * TIME_WAIT_RANGE_RATIO) reasons.push(`TIME-WAIT sockets are ${percent(tw / range)} of the ephemeral port range`);
    if (buckets !== null && buckets > 0 && tw >= buckets * TIME_WAIT_BUCKETS_RATIO) reasons.push(`TIME-WAIT sockets are ${percent(tw / buckets)} of tcp_max_tw_buckets`);
    if (isRising(overflow)) reasons.push('the kernel is destroying TIME-WAIT sockets early (TcpExtTCPTimeWaitOverflow rising)');
    if (reasons.length === 0) {
      if (!overflow || overflow.value === 0 || overflow.delta !== null) return [];
      return [
        finding({
          rule: 'time-wait-pressure',
          severity: 'info',
          facts: { counts: { timeWait: tw, overflows: overflow.value } },
          title: `TIME-WAIT bucket overflow ${overflow.value} times since boot`,
          detail: 'The kernel once ran out of TIME-WAIT buckets and destroyed sockets early; a single sample cannot say when.',
          evidence,
          recommendation: 'Sample again; if it rises, look at which clients open many short connections.',
        }),
      ];
    }
    return [
      finding({
        rule: 'time-wait-pressure',
        severity: 'warning',
        facts: { counts: { timeWait: tw, ...(range === null ? {} : { localPorts: range }), ...(buckets === null ? {} : { maxBuckets: buckets }) } },
        title: `TIME-WAIT pressure: ${reasons.join('; ')}`,
        detail:
          'Many short-lived outgoing connections leave TIME-WAIT sockets for 60 s each. When they use up the local ports for a destination, new connect() calls fail with EADDRNOTAVAIL or stall.',
        evidence,
        recommendation:
          'Reuse connections (HTTP keep-alive, connection pools) in the clients on this node. net.ipv4.tcp_tw_reuse=1 and a wider ip_local_port_range relieve outgoing connections but treat the symptom.',
        commands: ['ss -tan state time-wait | awk \'NR>1 {print $4}\' | sort | uniq -c | sort -rn | head'],
      }),
    ];
  },
};
