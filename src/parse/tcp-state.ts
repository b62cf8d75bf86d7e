/**
 * TCP state names as the tools print them, reduced to the `ss` spelling the domain uses.
 *
 *     ss:       ESTAB  SYN-RECV  CLOSE-WAIT  TIME-WAIT  FIN-WAIT-1
 *     netstat:  ESTABLISHED  SYN_RECV  CLOSE_WAIT  TIME_WAIT  FIN_WAIT1
 */
import type { TcpState } from '../domain/snapshot.js';

const NAMES = new Map<string, TcpState>([
  ['ESTAB', 'ESTAB'],
  ['ESTABLISHED', 'ESTAB'],
  ['SYN-SENT', 'SYN-SENT'],
  ['SYN_SENT', 'SYN-SENT'],
  ['SYN-RECV', 'SYN-RECV'],
  ['SYN_RECV', 'SYN-RECV'],
  ['FIN-WAIT-1', 'FIN-WAIT-1'],
  ['FIN_WAIT1', 'FIN-WAIT-1'],
  ['FIN_WAIT_1', 'FIN-WAIT-1'],
  ['FIN-WAIT-2', 'FIN-WAIT-2'],
  ['FIN_WAIT2', 'FIN-WAIT-2'],
  ['FIN_WAIT_2', 'FIN-WAIT-2'],
  ['TIME-WAIT', 'TIME-WAIT'],
  ['TIME_WAIT', 'TIME-WAIT'],
  ['UNCONN', 'UNCONN'],
  ['CLOSE-WAIT', 'CLOSE-WAIT'],
  ['CLOSE_WAIT', 'CLOSE-WAIT'],
  ['LAST-ACK', 'LAST-ACK'],
  ['LAST_ACK', 'LAST-ACK'],
  ['LISTEN', 'LISTEN'],
  ['CLOSING', 'CLOSING'],
  // netstat's name for TCP_CLOSE, which ss prints as UNCONN.
  ['CLOSE', 'UNCONN'],
  ['UNKNOWN', 'UNKNOWN'],
]);

/** The domain state for a printed state name (`CLOSE_WAIT` → `CLOSE-WAIT`); undefined when it is none. */
export function toTcpState(name: string): TcpState | undefined {
  return NAMES.get(name);
}

/**
 * A count per state, every state present from the start so the object keeps one shape: a
 * million-line listing counts one state per line, and a Map lookup per line cost more.
 */
export function newStateCounts(): Record<TcpState, number> {
  return { ESTAB: 0, 'SYN-SENT': 0, 'SYN-RECV': 0, 'FIN-WAIT-1': 0, 'FIN-WAIT-2': 0, 'TIME-WAIT': 0, UNCONN: 0, 'CLOSE-WAIT': 0, 'LAST-ACK': 0, LISTEN: 0, CLOSING: 0, UNKNOWN: 0 };
}

/** The counts of the states seen; a state with none is absent. */
export function presentCounts(all: Record<TcpState, number>): Partial<Record<TcpState, number>> {
  const out: Partial<Record<TcpState, number>> = {};
  for (const [state, n] of Object.entries(all) as [TcpState, number][]) if (n > 0) out[state] = n;
  return out;
}
