/**
 * `sysctl-audit`: the TCP settings that shape the problem seen on this node. A setting is reported
 * only when a finding it worsens is present, never for its own sake: a healthy node's defaults are
 * not a problem.
 */
import { isRising } from '../counters.js';
import { socketsIn, sysctlInt } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { SYN_BACKLOG_RATIO } from '../thresholds.js';
import { synRecvLifetimeSec } from './syn-recv-stuck.js';

export const sysctlAudit: Rule = {
  id: 'sysctl-audit',
  needs: ['accept-queue-full', 'syn-recv-stuck', 'listen-overflow'],
  run(ctx, seen) {
    const full = seen.get('accept-queue-full').length > 0;
    const stuck = seen.get('syn-recv-stuck').length > 0;
    const synRecv = socketsIn(ctx, 'SYN-RECV').length;
    const points: { evidence: string; why: string }[] = [];

    const abort = sysctlInt(ctx, 'net.ipv4.tcp_abort_on_overflow');
    if (full && abort === 0) {
      points.push({
        evidence: 'net.ipv4.tcp_abort_on_overflow = 0',
        why: 'tcp_abort_on_overflow=0 makes a full queue silent: the handshake\'s final ACK is dropped without a reset, which is what leaves SYN-RECV sockets and clients that hang instead of failing fast. Setting 1 makes clients see a reset at once, but also resets connections a brief burst would have survived: it treats the symptom.',
      });
    }
    const retries = sysctlInt(ctx, 'net.ipv4.tcp_synack_retries');
    if (stuck && retries !== null) {
      points.push({
        evidence: `net.ipv4.tcp_synack_retries = ${retries}`,
        why: `tcp_synack_retries=${retries} keeps each stuck handshake alive about ${synRecvLifetimeSec(retries)} s while the client waits; lowering it (2 gives 7 s) shortens the hang but treats the symptom.`,
      });
    }
    const synBacklog = sysctlInt(ctx, 'net.ipv4.tcp_max_syn_backlog');
    if (synBacklog !== null && synBacklog > 0 && synRecv >= synBacklog * SYN_BACKLOG_RATIO) {
      points.push({
        evidence: `net.ipv4.tcp_max_syn_backlog = ${synBacklog} (${synRecv} SYN-RECV)`,
        why: `${synRecv} SYN-RECV sockets use much of tcp_max_syn_backlog=${synBacklog}; when the SYN queue fills, new SYNs are dropped or answered with cookies.`,
      });
    }
    const cookies = sysctlInt(ctx, 'net.ipv4.tcp_syncookies');
    const synPressure = synRecv > 0 || isRising(ctx.counters.TcpExtTCPReqQFullDrop) || isRising(ctx.counters.TcpExtListenDrops);
    if (cookies === 0 && synPressure) {
      points.push({
        evidence: 'net.ipv4.tcp_syncookies = 0',
        why: 'tcp_syncookies=0: with the SYN queue under pressure, new SYNs are dropped instead of answered with a cookie.',
      });
    }
    if (points.length === 0) return [];
    return [
      finding({
        rule: 'sysctl-audit',
        severity: 'info',
        title: `TCP settings that shape what is seen: ${points.map((p) => p.evidence.split(' (')[0]).join(', ')}`,
        detail: points.map((p) => p.why).join(' '),
        evidence: points.map((p) => p.evidence),
        recommendation: 'Change these only after the cause is fixed, and only to make failures faster or more visible; none of them stops a queue from filling.',
      }),
    ];
  },
};
