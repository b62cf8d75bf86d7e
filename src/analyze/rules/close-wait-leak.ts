/**
 * `close-wait-leak`: CLOSE-WAIT sockets per local port and owner, with the top peers. CLOSE-WAIT
 * means the peer closed and the local side has not: it lasts until the owner calls close(), with
 * no timeout. Owned sockets are an application that accepted and never closed; unowned ones were
 * never accepted (see close-wait-unaccepted).
 */
import type { ProcessRef, Socket } from '../../domain/snapshot.js';
import { groupByPort, listenersOn, ownersVisible, socketsIn } from '../context.js';
import { evidenceLines, finding, type Rule } from '../rule.js';
import { CLOSE_WAIT_WARN_PER_PORT } from '../thresholds.js';
import { describeOwner, plural, sortPorts, tally } from '../words.js';
import { describePeers, ownersOfSockets, topPeerFacts } from '../facts.js';

/** Each socket's owners in words, described once per distinct owner list (sockets share them). */
function ownerNames(sockets: readonly Socket[]): string[] {
  const described = new Map<readonly ProcessRef[], string>();
  return sockets.map((s) => {
    let name = described.get(s.processes);
    if (name === undefined) {
      name = describeOwner(s.processes);
      described.set(s.processes, name);
    }
    return name;
  });
}

export const closeWaitLeak: Rule = {
  id: 'close-wait-leak',
  needs: [],
  run(ctx) {
    const sockets = socketsIn(ctx, 'CLOSE-WAIT');
    const total = Math.max(ctx.states['CLOSE-WAIT'] ?? 0, sockets.length);
    if (total === 0) return [];
    const visible = ownersVisible(ctx);
    const groups = groupByPort(sockets).sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
    const owned = sockets.filter((s) => s.processes.length > 0);
    const evidenceOf = ([port, list]: [number, readonly Socket[]]) => {
      const holders = tally(ownerNames(list));
      const listener = listenersOn(ctx, port)[0];
      const owner = listener ? ` by ${describeOwner(listener.process ? [listener.process] : [])}` : '';
      const held = holders
        .map(([who, n]) => (who === 'no process' ? (visible ? `${n} never accepted${owner}` : `${n} owner not collected`) : `${n} held by ${who}`))
        .join(', ');
      return `${port}: ${plural(list.length, 'CLOSE-WAIT socket')}, ${held}, from ${describePeers(list)}`;
    };
    const unseen = sockets.length < total ? `${total} CLOSE-WAIT on the node; the listings show ${sockets.length}${sockets.length > 0 ? ' on the ports above' : ', so the ports are unknown'}` : null;
    // A line per port, the busiest first: only the lines a finding keeps are described.
    const evidence = evidenceLines(groups.length + (unseen === null ? 0 : 1), (i) => (i < groups.length ? evidenceOf(groups[i] as [number, readonly Socket[]]) : (unseen as string)));
    const busiest = groups[0]?.[1].length ?? 0;
    const severity = busiest >= CLOSE_WAIT_WARN_PER_PORT || (groups.length === 0 && total >= CLOSE_WAIT_WARN_PER_PORT) ? 'warning' : 'info';
    const ownedText =
      owned.length > 0
        ? ` ${plural(owned.length, 'socket')} ${owned.length === 1 ? 'is' : 'are'} held by ${[...new Set(ownerNames(owned))].join('; ')}: accepted and never closed, an application bug (a missing close() after the peer hangs up).`
        : '';
    return [
      finding({
        rule: 'close-wait-leak',
        severity,
        ports: sortPorts(groups.map(([p]) => p)),
        title: `${total} CLOSE-WAIT${groups.length > 0 ? `, most on ${groups.slice(0, 3).map(([p, l]) => `${p} (${l.length})`).join(', ')}` : ''}`,
        detail:
          'CLOSE-WAIT means the peer closed and this side has not. The kernel never times it out: each socket stays until its owner calls close(), holding a file descriptor and memory.' +
          ownedText,
        evidence,
        recommendation:
          owned.length > 0
            ? 'For owned sockets: find the code path that does not close a connection after reading end-of-file (lsof -p PID shows them). Restarting the owner only clears them until the next leak.'
            : 'These sockets have no owner; see close-wait-unaccepted and the cause above.',
        facts: { owners: ownersOfSockets(sockets), peers: topPeerFacts(sockets), counts: { closeWait: total, owned: owned.length } },
        commands: groups.length > 0 ? [`ss -tanp state close-wait '( ${groups.slice(0, 5).map(([p]) => `sport = :${p}`).join(' or ')} )'`] : ['ss -tanp state close-wait'],
      }),
    ];
  },
};
