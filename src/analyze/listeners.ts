/**
 * Listener views: each listen socket with its accept queue in every sample, so a rule can tell a
 * backlog that stays from a transient one.
 *
 * For a LISTEN socket `ss` prints the accept-queue length as Recv-Q and the backlog
 * (min(listen() argument, somaxconn)) as Send-Q. The queue holds backlog+1 connections, so
 * Recv-Q > Send-Q means full.
 */
import type { Finding, ListenerView } from '../domain/report.js';
import type { Snapshot, Socket } from '../domain/snapshot.js';

const key = (s: Socket): string => `${s.localAddress} ${s.localPort}`;

/** Builds one view per listen socket (address and port), ordered by port then address. */
export function buildListenerViews(snapshot: Snapshot): ListenerView[] {
  const samples =
    snapshot.listenSamples.length > 0
      ? snapshot.listenSamples.map((s) => s.listeners)
      : [snapshot.sockets.sockets.filter((s) => s.state === 'LISTEN')];
  const views = new Map<string, ListenerView>();
  for (const listeners of samples) {
    for (const s of listeners) {
      const k = key(s);
      const view = views.get(k) ?? {
        address: s.localAddress,
        port: s.localPort,
        process: null,
        acceptQueue: s.recvQ,
        backlog: s.backlogUnknown ? null : s.sendQ,
        acceptQueueSamples: [],
        status: 'empty',
        flagged: false,
      };
      view.acceptQueue = s.recvQ;
      view.backlog = s.backlogUnknown ? null : s.sendQ;
      view.acceptQueueSamples.push(s.recvQ);
      const owner = s.processes[0];
      if (!view.process && owner) view.process = { name: owner.name, pid: owner.pid };
      views.set(k, view);
    }
  }
  // The socket table may name an owner the listen samples did not ask for (a second `ss -ltn`).
  for (const s of snapshot.sockets.sockets) {
    if (s.state !== 'LISTEN') continue;
    const view = views.get(key(s));
    const owner = s.processes[0];
    if (view && !view.process && owner) view.process = { name: owner.name, pid: owner.pid };
  }
  return [...views.values()].sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

/** Sets each listener's status and whether its port is flagged; returns the flagged ports, ascending. */
export function flagListeners(listeners: ListenerView[], findings: readonly Finding[]): number[] {
  const flagged = new Set<number>();
  for (const f of findings) if (f.severity !== 'info') for (const p of f.ports) flagged.add(p);
  for (const l of listeners) {
    l.status = isFull(l) ? 'full' : l.acceptQueue > 0 || l.acceptQueueSamples.some((q) => q > 0) ? 'backlogged' : 'empty';
    if (l.status !== 'empty') flagged.add(l.port);
  }
  for (const l of listeners) l.flagged = flagged.has(l.port);
  return [...flagged].sort((a, b) => a - b);
}

/** The queue holds backlog+1 connections: one more than Send-Q means no room. */
export function isFull(l: ListenerView): boolean {
  return l.backlog !== null && l.acceptQueue > l.backlog;
}

/**
 * True when the queue was non-empty in every sample and there were at least two: a backlog that
 * stays. A transcript's second listing with the same values counts, as it was taken later.
 */
export function isPersistent(l: ListenerView): boolean {
  return l.acceptQueueSamples.length >= 2 && l.acceptQueueSamples.every((q) => q > 0);
}
