/**
 * `syn-recv-stuck`: SYN-RECV sockets on ports whose accept queue is full. The client's final ACK
 * arrives while the queue is full; with tcp_abort_on_overflow=0 the kernel drops it silently, keeps
 * the request in SYN-RECV and retransmits the SYN-ACK tcp_synack_retries times (1 s, 2 s, 4 s… so
 * about 2^(N+1)-1 s in all, 63 s for the default 5). The client believes it is connected: its data
 * and its FIN go unanswered and are retransmitted in turn.
 */
import { sysctlInt, socketsIn } from '../context.js';
import { describeFullQueueBehaviour } from '../kernel.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural, sortPorts } from '../words.js';
import { synRetransShare } from './retransmission-rate.js';
import { describePeers, topPeerFacts } from '../facts.js';

/** Seconds a half-open connection lives with N SYN-ACK retries: 1+2+…+2^N. */
export function synRecvLifetimeSec(retries: number): number {
  return 2 ** (retries + 1) - 1;
}

export const synRecvStuck: Rule = {
  id: 'syn-recv-stuck',
  needs: ['accept-queue-full', 'retransmission-rate'],
  run(ctx, seen) {
    const full = new Set(seen.get('accept-queue-full').flatMap((f) => f.ports));
    const stuck = socketsIn(ctx, 'SYN-RECV').filter((s) => full.has(s.localPort));
    if (stuck.length === 0) return [];
    const ports = sortPorts(stuck.map((s) => s.localPort));
    const evidence = ports.map((port) => {
      const here = stuck.filter((s) => s.localPort === port);
      return `${port}: ${plural(here.length, 'SYN-RECV socket')} from ${describePeers(here)}`;
    });
    const retriesSet = sysctlInt(ctx, 'net.ipv4.tcp_synack_retries');
    const retries = retriesSet ?? 5;
    const abort = sysctlInt(ctx, 'net.ipv4.tcp_abort_on_overflow');
    evidence.push(`net.ipv4.tcp_synack_retries = ${retriesSet ?? '5 (not read; kernel default)'}`);
    evidence.push(`net.ipv4.tcp_abort_on_overflow = ${abort ?? '0 (not read; kernel default)'}`);
    const share = synRetransShare(ctx.counters);
    const retransFindings = seen.get('retransmission-rate');
    const explains = share !== null && share >= 0.5 && retransFindings.length > 0 ? (['retransmission-rate'] as const) : [];
    const abortText =
      abort === 1
        ? 'tcp_abort_on_overflow is 1, so the kernel should answer such an ACK with a reset; SYN-RECV here means SYN-ACKs that got no answer at all.'
        : 'With tcp_abort_on_overflow=0 the kernel drops the final ACK of the handshake without a reset, keeps the connection in SYN-RECV and retransmits the SYN-ACK.';
    return [
      finding({
        rule: 'syn-recv-stuck',
        severity: 'warning',
        ports,
        title: `${plural(stuck.length, 'handshake')} stuck in SYN-RECV on the full ${ports.length === 1 ? 'queue' : 'queues'} of ${listWords(ports.map(String))}`,
        detail:
          `${abortText} After tcp_synack_retries=${retries} retransmissions (about ${synRecvLifetimeSec(retries)} s) it gives up. ` +
          'Meanwhile the client believes it is connected: its request and its FIN go unanswered and are retransmitted too. ' +
          describeFullQueueBehaviour(ctx.snapshot.meta.kernel),
        evidence,
        recommendation:
          'This follows from the full queue: empty it and the SYN-RECV sockets go. tcp_abort_on_overflow=1 (clients get a reset instead of a hang) and a lower tcp_synack_retries (a shorter hang) only treat the symptom.',
        commands: [`ss -tan state syn-recv '( ${ports.map((p) => `sport = :${p}`).join(' or ')} )'`],
        explains: [...explains],
        facts: { peers: topPeerFacts(stuck), counts: { synRecv: stuck.length } },
      }),
    ];
  },
};
