/**
 * Builders for a finding's structured facts (src/domain/report.ts `FindingFacts`), so every rule
 * states owners and peers the same way and nothing downstream has to read a title.
 */
import type { FindingFacts, ListenerView } from '../domain/report.js';
import type { Socket } from '../domain/snapshot.js';
import { TOP_PEERS } from './thresholds.js';
import { describeTally, topOfTally } from './words.js';

/** Distinct owners of some listeners (a listener with no owner seen is left out), by pid. */
export function ownersOfListeners(listeners: readonly ListenerView[]): NonNullable<FindingFacts['owners']> {
  const byPid = new Map<number, { name: string; pid: number }>();
  for (const l of listeners) if (l.process && !byPid.has(l.process.pid)) byPid.set(l.process.pid, { name: l.process.name, pid: l.process.pid });
  return [...byPid.values()];
}

/** Distinct owners holding some sockets. */
export function ownersOfSockets(sockets: readonly Socket[]): NonNullable<FindingFacts['owners']> {
  const byPid = new Map<number, { name: string; pid: number }>();
  for (const s of sockets) {
    // Most sockets of a big table share one empty owner list: nothing to look at.
    if (s.processes.length === 0) continue;
    for (const p of s.processes) if (!byPid.has(p.pid)) byPid.set(p.pid, { name: p.name, pid: p.pid });
  }
  return [...byPid.values()];
}

/** The peers of some sockets with their socket counts, most first, cut to `max`. */
export function topPeerFacts(sockets: readonly Socket[], max = TOP_PEERS): NonNullable<FindingFacts['peers']> {
  return peerTally(sockets, max).top.map(([ip, count]) => ({ ip, count }));
}

/** `172.1.48.252 (70), 172.1.58.151 (55), 3 more`: the top peers of some sockets, for evidence lines. */
export function describePeers(sockets: readonly Socket[], max = TOP_PEERS): string {
  const { top, distinct } = peerTally(sockets, max);
  return describeTally(top, max, distinct);
}

/**
 * Top {@link TOP_PEERS} tallies by socket list, made once per list: several rules state the peers
 * of the same sockets (every CLOSE-WAIT of a node: tens of thousands on a big table). Lists are
 * never changed once made (src/analyze/context.ts `socketsWhere`).
 */
const tallies = new WeakMap<readonly Socket[], ReturnType<typeof topOfTally>>();

function peerTally(sockets: readonly Socket[], max: number): ReturnType<typeof topOfTally> {
  let tally = max === TOP_PEERS ? tallies.get(sockets) : undefined;
  if (tally === undefined) {
    // An indexed loop over the sockets themselves: no array of addresses, no iterator.
    const counts = new Map<string, number>();
    for (let i = 0; i < sockets.length; i++) {
      const ip = (sockets[i] as Socket).peerAddress;
      counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    tally = topOfTally(counts, max);
    if (max === TOP_PEERS) tallies.set(sockets, tally);
  }
  return tally;
}
