/**
 * Builders for a finding's structured facts (src/domain/report.ts `FindingFacts`), so every rule
 * states owners and peers the same way and nothing downstream has to read a title.
 */
import type { FindingFacts, ListenerView } from '../domain/report.js';
import type { Socket } from '../domain/snapshot.js';
import { TOP_PEERS } from './thresholds.js';
import { describeTally, tallyTop } from './words.js';

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
const tallies = new WeakMap<readonly Socket[], ReturnType<typeof tallyTop>>();

function peerTally(sockets: readonly Socket[], max: number): ReturnType<typeof tallyTop> {
  if (max !== TOP_PEERS) return tallyTop(sockets.map((s) => s.peerAddress), max);
  let tally = tallies.get(sockets);
  if (tally === undefined) {
    tally = tallyTop(sockets.map((s) => s.peerAddress), max);
    tallies.set(sockets, tally);
  }
  return tally;
}
