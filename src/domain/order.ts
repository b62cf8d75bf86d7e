/** Orders shared by the analysis and the renderers. */

/**
 * `localeCompare`'s order, without calling into ICU when both strings are dotted decimals (IPv4
 * addresses): for digits and dots it is the code-unit order. Sorting tens of thousands of peer
 * addresses spent most of its time in ICU.
 */
export function collate(a: string, b: string): number {
  if (DOTTED.test(a) && DOTTED.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

/** Digits and dots only: the strings {@link collate} compares by code units. */
const DOTTED = /^[0-9.]+$/;

/**
 * `strings` sorted by {@link collate}. Dotted decimals, most of any peer list, are sorted by the
 * engine's own string order (code units, without a comparator called from JavaScript), the rest
 * by `collate`, and the two runs merged.
 */
export function sortCollated(strings: Iterable<string>): string[] {
  const dotted: string[] = [];
  const other: string[] = [];
  for (const s of strings) (DOTTED.test(s) ? dotted : other).push(s);
  dotted.sort();
  if (other.length === 0) return dotted;
  other.sort(collate);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < dotted.length && j < other.length) out.push(collate(other[j] as string, dotted[i] as string) < 0 ? (other[j++] as string) : (dotted[i++] as string));
  while (i < dotted.length) out.push(dotted[i++] as string);
  while (j < other.length) out.push(other[j++] as string);
  return out;
}

/**
 * The first `n` of `items` in `order`, ties kept in input order (as a stable sort and a slice would
 * give), in one pass that keeps only the best few: tens of thousands of peers are never all sorted.
 */
export function topN<T>(items: Iterable<T>, n: number, order: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === n && order(item, best[n - 1] as T) >= 0) continue;
    let i = best.length;
    while (i > 0 && order(item, best[i - 1] as T) < 0) i--;
    best.splice(i, 0, item);
    if (best.length > n) best.pop();
  }
  return best;
}
