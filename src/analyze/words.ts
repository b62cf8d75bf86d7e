/** Small wording helpers shared by the rules, so every finding counts and lists things the same way. */
import { collate, topN } from '../domain/order.js';

/** `1 socket`, `3 sockets`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a, b and c`; long lists end in `and N more`. */
export function listWords(items: readonly string[], max = 8): string {
  if (items.length === 0) return '';
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : [...items];
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Ports ascending, without repeats. */
export function sortPorts(ports: Iterable<number>): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** `kube-proxy (pid 1515)`; `no process` for an empty list. */
export function describeOwner(processes: readonly { name: string; pid: number }[]): string {
  if (processes.length === 0) return 'no process';
  return processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
}

/** A ratio as a percentage with one decimal: 0.147 → `14.7%`. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** A rate with at most one decimal: 170.2 → `170.2`, 3 → `3`. */
export function rate(perSecond: number): string {
  return Number.isInteger(perSecond) ? String(perSecond) : perSecond.toFixed(1);
}

/** `[::]:31493`, `127.0.0.1:10248`, `*:22`: an address and port as `ss` shows them today. */
export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Counts per key, largest first (ties by key): `[['172.1.48.252', 70], ['172.1.58.151', 55]]`. */
export function tally(keys: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort(tallyOrder);
}

const tallyOrder = (a: [string, number], b: [string, number]) => b[1] - a[1] || collate(a[0], b[0]);

/**
 * The first `max` entries of a tally, in {@link tally}'s order, and how many keys it has, without
 * sorting them all: the CLOSE-WAIT peers of a big table are tens of thousands of addresses.
 */
export function topOfTally(counts: ReadonlyMap<string, number>, max: number): { top: [string, number][]; distinct: number } {
  return { top: topN(counts, max, tallyOrder), distinct: counts.size };
}

/** `172.1.48.252 (70), 172.1.58.151 (55), 3 more` for the first `max` entries of a tally of `distinct` keys. */
export function describeTally(entries: readonly [string, number][], max: number, distinct = entries.length): string {
  const shown = entries.slice(0, max).map(([k, n]) => `${k} (${n})`);
  if (distinct > shown.length) shown.push(`${distinct - shown.length} more`);
  return shown.join(', ');
}
