/**
 * `socket-memory-pressure`: receive buffers overrun (PruneCalled, RcvPruned, OfoPruned), packets
 * collapsed to save memory (TCPRcvCollapsed) and the TCP memory limit hit (TCPMemoryPressures).
 * Pruning drops received data, which the sender must retransmit.
 */
import { describeCounter, isRising } from '../counters.js';
import { finding, type Rule } from '../rule.js';

const NAMES = ['TcpExtPruneCalled', 'TcpExtRcvPruned', 'TcpExtOfoPruned', 'TcpExtTCPRcvCollapsed', 'TcpExtTCPMemoryPressures'] as const;

export const socketMemoryPressure: Rule = {
  id: 'socket-memory-pressure',
  needs: [],
  run(ctx) {
    const seen = NAMES.flatMap((name) => {
      const view = ctx.counters[name];
      return view && view.value > 0 ? [{ name, view }] : [];
    });
    if (seen.length === 0) return [];
    const rising = seen.filter((c) => isRising(c.view));
    const sampled = seen.some((c) => c.view.delta !== null);
    if (sampled && rising.length === 0) return [];
    const live = rising.length > 0;
    return [
      finding({
        rule: 'socket-memory-pressure',
        severity: live ? 'warning' : 'info',
        facts: { counts: Object.fromEntries(seen.map((c) => [c.name, c.view.value])) },
        title: live
          ? `socket memory pressure now: ${rising.map((c) => c.name.replace('TcpExt', '')).join(', ')} rising`
          : `socket memory pressure since boot: ${seen.map((c) => `${c.name.replace('TcpExt', '')} ${c.view.value}`).join(', ')}`,
        detail:
          'Receive queues outgrew their buffers: the kernel collapsed queued packets to save memory (CPU cost) or pruned them (data dropped, the sender retransmits). ' +
          'Applications that read slowly, or sockets nobody reads, fill their buffers.' +
          (live ? '' : ' A single sample cannot say whether this is still happening.'),
        evidence: seen.map((c) => describeCounter(c.name, c.view)),
        recommendation:
          'Find the sockets with large Recv-Q (`ss -tanm` shows their memory). Raising net.ipv4.tcp_rmem or tcp_mem only treats the symptom of a slow reader.',
        commands: ["ss -tan | awk 'NR > 1 && $2 > 65536'"],
      }),
    ];
  },
};
