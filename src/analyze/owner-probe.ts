/**
 * Reading an owner's syscall profile and thread stacks: did it accept, where does its time go,
 * where do its threads wait. Shared by the owner rules.
 */
import type { OwnerProbe, SyscallRow, ThreadStack } from '../domain/deep.js';
import type { ListenerView } from '../domain/report.js';
import type { AnalysisContext } from './context.js';
import { tally } from './words.js';

/** Syscalls that take a connection off an accept queue. */
const ACCEPT = new Set(['accept', 'accept4']);
/** Syscalls a thread sleeps in while it waits for a lock or for events. */
const WAITS = new Set(['futex', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'poll', 'ppoll', 'select', 'pselect6', 'nanosleep', 'clock_nanosleep']);

/** accept/accept4 calls in the window. */
export function acceptCalls(rows: readonly SyscallRow[]): number {
  return rows.filter((r) => ACCEPT.has(r.name)).reduce((n, r) => n + r.calls, 0);
}

/** Percent of the traced time in each waiting syscall that took any, most first. */
export function waitShares(rows: readonly SyscallRow[]): SyscallRow[] {
  return rows.filter((r) => WAITS.has(r.name) && r.percent > 0).sort((a, b) => b.percent - a.percent);
}

/** Threads per wait site (innermost frame, else wchan), most first: `[['futex_wait_queue_me', 15], …]`. */
export function waitSites(threads: readonly ThreadStack[]): [string, number][] {
  return tally(threads.map((t) => t.frames[0] ?? t.wchan ?? 'unknown'));
}

/** Threads per state letter: `{ S: 15, R: 1 }`. */
export function threadStates(threads: readonly ThreadStack[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of threads) if (t.state) out[t.state] = (out[t.state] ?? 0) + 1;
  return out;
}

/** The owner's listeners (any address) on the ports the probe watched. */
export function probedListeners(ctx: AnalysisContext, owner: OwnerProbe): ListenerView[] {
  const ports = new Set(ctx.snapshot.deep?.ports ?? []);
  return ctx.listeners.filter((l) => l.process?.pid === owner.pid && ports.has(l.port));
}

/** The owner's name as the listeners show it, else from the process table. */
export function ownerName(ctx: AnalysisContext, pid: number): string {
  return ctx.listeners.find((l) => l.process?.pid === pid)?.process?.name ?? ctx.snapshot.processes[pid]?.name ?? `pid ${pid}`;
}
