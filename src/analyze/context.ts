/**
 * What every rule reads: the snapshot plus the views derived from it once (listeners with their
 * samples, sockets by state, counter deltas, state totals), so no rule recounts a million sockets.
 */
import type { CounterView, ListenerView } from '../domain/report.js';
import type { Snapshot, Socket, TcpState } from '../domain/snapshot.js';
import { analyzeCapture, type PortCapture } from './capture.js';
import { buildCounterViews } from './counters.js';
import { buildListenerViews } from './listeners.js';

/** Display order of states, roughly from "worth a look" to "normal". */
export const STATE_ORDER: readonly TcpState[] = [
  'LISTEN', 'SYN-RECV', 'CLOSE-WAIT', 'LAST-ACK', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSING', 'TIME-WAIT', 'SYN-SENT', 'ESTAB', 'UNCONN', 'UNKNOWN',
];

export interface AnalysisContext {
  snapshot: Snapshot;
  listeners: ListenerView[];
  /** Sockets per state kept in the socket table (LISTEN included; not the table's counted-only states). */
  byState: ReadonlyMap<TcpState, Socket[]>;
  /** Count per state: the source's own totals when it printed them, else the table's counts. */
  states: Partial<Record<TcpState, number>>;
  counters: Record<string, CounterView>;
  /** The deep probe's capture read per watched port; null without a capture. */
  capture: PortCapture[] | null;
}

/** Derives the shared views from a snapshot. Linear in the number of sockets. */
export function buildContext(snapshot: Snapshot): AnalysisContext {
  const byState = new Map<TcpState, Socket[]>();
  for (const s of snapshot.sockets.sockets) {
    const list = byState.get(s.state);
    if (list) list.push(s);
    else byState.set(s.state, [s]);
  }
  const listeners = buildListenerViews(snapshot);
  const deep = snapshot.deep;
  const capture = deep?.packets ? analyzeCapture(deep.packets, deep.ports, { immediateCloseMs: deep.immediateCloseMs }) : null;
  return { snapshot, listeners, byState, states: countStates(snapshot, listeners), counters: buildCounterViews(snapshot.counterSamples), capture };
}

/** Sockets in the table, the counted-only ones included. */
export function tableSize(snapshot: Snapshot): number {
  let n = 0;
  for (const c of Object.values(snapshot.sockets.counts)) n += c;
  return n;
}

function countStates(snapshot: Snapshot, listeners: ListenerView[]): Partial<Record<TcpState, number>> {
  const counted: Partial<Record<TcpState, number>> = {};
  for (const state of STATE_ORDER) {
    const fromTotals = snapshot.stateTotals?.[state];
    // The table's counts, not `byState`: ESTAB, TIME-WAIT and FIN-WAIT-2 of a full table are counted, not kept.
    const fromTable = snapshot.sockets.counts[state] ?? 0;
    if (fromTotals !== undefined) counted[state] = fromTotals;
    // `netstat -n` never prints listeners, so a transcript's tally lacks LISTEN: take it from the listings.
    else if (state === 'LISTEN' && listeners.length > 0) counted[state] = Math.max(listeners.length, fromTable);
    else if (snapshot.stateTotals === null && fromTable > 0) counted[state] = fromTable;
  }
  return counted;
}

/** A sysctl as an integer; null when absent or not a number. */
export function sysctlInt(ctx: AnalysisContext, key: string): number | null {
  const raw = ctx.snapshot.sysctl[key]?.trim();
  if (raw === undefined || !/^-?\d+$/.test(raw)) return null;
  return Number(raw);
}

/** Sockets in a state (empty when none). */
export function socketsIn(ctx: AnalysisContext, state: TcpState): readonly Socket[] {
  return ctx.byState.get(state) ?? [];
}

/**
 * Sockets in a state that pass `keep`: the very list {@link socketsIn} gives when all of them do,
 * so the facts made from a list once (its top peers, src/analyze/facts.ts) serve every rule that
 * looks at the same sockets.
 */
export function socketsWhere(ctx: AnalysisContext, state: TcpState, keep: (s: Socket) => boolean): readonly Socket[] {
  const all = socketsIn(ctx, state);
  const kept = all.filter(keep);
  return kept.length === all.length ? all : kept;
}

/**
 * Groups by local port of socket lists, made once per list: several rules group every CLOSE-WAIT
 * of a node (tens of thousands on a big table). Lists are never changed once made.
 */
const byPortGroups = new WeakMap<readonly Socket[], readonly (readonly [number, readonly Socket[]])[]>();

/** Sockets grouped by local port, ports ascending: an array of the caller's own (it may sort it) of shared groups. */
export function groupByPort(sockets: readonly Socket[]): [number, readonly Socket[]][] {
  let groups = byPortGroups.get(sockets);
  if (groups === undefined) {
    const byPort = new Map<number, Socket[]>();
    for (const s of sockets) {
      const list = byPort.get(s.localPort);
      if (list) list.push(s);
      else byPort.set(s.localPort, [s]);
    }
    groups = [...byPort.entries()].sort((a, b) => a[0] - b[0]);
    byPortGroups.set(sockets, groups);
  }
  return groups.map(([port, list]) => [port, list]);
}

/** Listeners by port, made once per context's listener list: rules ask per port of hundreds. */
const byPort = new WeakMap<readonly ListenerView[], Map<number, ListenerView[]>>();

/** The listeners on a port (IPv4 and IPv6 may both listen), in the order of `ctx.listeners`. */
export function listenersOn(ctx: AnalysisContext, port: number): ListenerView[] {
  let ports = byPort.get(ctx.listeners);
  if (!ports) {
    ports = new Map();
    for (const l of ctx.listeners) {
      const list = ports.get(l.port);
      if (list) list.push(l);
      else ports.set(l.port, [l]);
    }
    byPort.set(ctx.listeners, ports);
  }
  return [...(ports.get(port) ?? [])];
}

/**
 * True when an empty owner list means "no process holds it": the source asked for owners and the
 * collection ran as root (non-root cannot see other users' processes).
 */
export function ownersVisible(ctx: AnalysisContext): boolean {
  const uid = ctx.snapshot.meta.uid;
  return ctx.snapshot.sockets.ownersKnown && (uid === null || uid === 0);
}
