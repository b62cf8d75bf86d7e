/**
 * A big saved listing read in pieces. Most of a saved million-socket file is one run of socket
 * lines under one header; holding it whole as a string (80 MB, plus the bytes it was decoded from)
 * and searching it for prompts and fences cost more than reading it. So the run is cut out while
 * the file is read chunk by chunk ({@link ListingCutter}, fed by src/collect/listing-file.ts), and
 * only what is left, the text before the run's first socket and after its last, goes through the
 * transcript reader. The one listing parse whose block holds the cut adds the run's result to its
 * own ({@link addCut}); if none does, the caller reads the file whole instead.
 *
 *     root@node:~# ss -tan                 ┐ kept: the head, up to the listing's header
 *     State  Recv-Q Send-Q Local … Peer …  ┘
 *     ESTAB  0      0      10.0.0.1:80 …   ┐ cut: socket lines only, read as they arrive
 *     …                                    ┘
 *     root@node:~#                         ─ kept: from the first line that is not a socket on
 *
 * Every line of the run is a socket (kept or counted): the run ends at the first header, blank
 * line, prompt or unreadable line, which stays in the text and is read (or skipped) there, so what
 * is cut out never holds a line the transcript reader would have seen differently.
 */
import { COUNTED_ONLY_STATES, type TcpState } from '../domain/snapshot.js';
import { leadingListingKind } from './content-runs.js';
import type { CountedBytes } from './counted-bytes.js';
import { NetstatScanner, type NetstatParseResult } from './netstat.js';
import { SsScanner, type SsParseResult } from './ss.js';

/**
 * States a full listing only counts (see {@link COUNTED_ONLY_STATES}): in a transcript, in a
 * bundle's full-table sources (`ss-all`, `/proc/net/tcp`) and in the cut alike, so the cut's run
 * fits every reader.
 */
export const LISTING_COUNT_ONLY: ReadonlySet<TcpState> = new Set(COUNTED_ONLY_STATES);

/** The run cut out of a text: where it was, how many lines, and what its lines read as. */
export interface ListingCut {
  kind: 'ss' | 'netstat';
  /** Offset in the remaining text where the run was. */
  at: number;
  /** Lines cut out (every one a socket), for the line numbers of what follows. */
  lines: number;
  /** The run read by the tool's parser with the transcript's options (counted-only {@link COUNTED_ONLY_STATES}). */
  part: SsParseResult | NetstatParseResult;
}

/**
 * What a bundle section's listing is cut as: the tool that printed it, and for `ss-owned` beside a
 * full table, `ownersOnly` (read for its listeners and owned sockets, as src/parse/bundle.ts reads it).
 */
export interface CutSpec {
  kind: 'ss' | 'netstat';
  ownersOnly?: boolean;
}

export class ListingCutter {
  readonly kind: 'ss' | 'netstat';
  private readonly scanner: SsScanner | NetstatScanner;

  /** The run is read with the options its section's whole parse uses: counted-only states, or `ownersOnly` for an owners listing. */
  private constructor(kind: 'ss' | 'netstat', ownersOnly: boolean) {
    this.kind = kind;
    this.scanner =
      kind === 'netstat' ? new NetstatScanner('cut', { countOnly: LISTING_COUNT_ONLY }) : new SsScanner('cut', ownersOnly ? { ownersOnly: true } : { countOnly: LISTING_COUNT_ONLY });
  }

  /**
   * Where the head of a saved file's first piece ends. With no `kind` (a file of any output): its
   * first line may be anything (a prompt, a fence), then comes an `ss` or `netstat` header. With a
   * `kind` (a bundle section, that tool's output and nothing else, often without a header): the
   * head is only header lines, maybe none. Then come any more header lines of that tool (netstat's
   * title and column line). Null when the piece does not start like that, or holds nothing after
   * the head. `ownersOnly` goes with a `kind` (see {@link CutSpec}).
   */
  static start(first: string, spec?: CutSpec): { cutter: ListingCutter; headEnd: number } | null {
    let kind = spec?.kind;
    const lineAfter = (p: number) => {
      const nl = first.indexOf('\n', p);
      return nl === -1 ? first.length : nl + 1;
    };
    const headerAt = (p: number) => leadingListingKind(first.slice(p, lineAfter(p)));
    let p = 0;
    if (kind === undefined) {
      const lead = headerAt(0) ?? headerAt((p = lineAfter(0)));
      if (lead === null) return null;
      kind = lead;
    }
    while (p < first.length && headerAt(p) === kind) p = lineAfter(p);
    return p < first.length ? { cutter: new ListingCutter(kind, spec?.ownersOnly ?? false), headEnd: p } : null;
  }

  /** Sets `counter` to take this cutter's counted lines on the bytes (src/parse/counted-bytes.ts). */
  countOn(counter: CountedBytes): void {
    const { states, words, ownersOnly } = this.scanner.countedWords();
    counter.configure(this.kind, states, words, ownersOnly);
  }

  /** Adds the lines `counter` took to the run, as if they had been read here. */
  addCounted(counter: CountedBytes): void {
    for (const [state, n] of counter.tallies()) this.scanner.addCounted(state, n);
  }

  /** Reads `text[from, to)` (whole lines) and returns where the run ends: `to` when every line was a socket. */
  feed(text: string, from: number, to: number): number {
    return this.scanner.read(text, from, to, true);
  }

  /** The run read so far, cut out at offset `at` of the remaining text; null when it has no line. */
  finish(at: number): ListingCut | null {
    const part = this.scanner.result();
    const lines = Object.values(part.counts).reduce((x, y) => x + y, 0);
    return lines === 0 ? null : { kind: this.kind, at, lines, part };
  }
}

/**
 * The in-place parse of a block that holds the cut, with the run's result added as if its lines
 * were still there: its sockets first (the block's lines before the cut are only headers), counts
 * and service names summed, and a header anywhere after the cut is a header after data.
 */
export function addCut<R extends SsParseResult>(parsed: R, cut: ListingCut): R {
  const part = cut.part;
  const counts: Partial<Record<TcpState, number>> = { ...parsed.counts };
  for (const [state, n] of Object.entries(part.counts) as [TcpState, number][]) counts[state] = (counts[state] ?? 0) + n;
  const merged: R = {
    ...parsed,
    sockets: part.sockets.concat(parsed.sockets),
    counts,
    ownersSeen: parsed.ownersSeen || part.ownersSeen,
    serviceNames: new Map([...part.serviceNames, ...parsed.serviceNames]),
    headerAfterData: parsed.lastHeaderAt >= cut.at,
  };
  if ('understood' in merged && 'understood' in part) (merged as unknown as NetstatParseResult).understood += part.understood;
  return merged;
}
