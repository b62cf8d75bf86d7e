/**
 * Reads a saved file in pieces, cutting its big listing out as it goes (src/parse/listing-cut.ts):
 * the listing is never held whole, and the text that is left is small. The bytes are read into the
 * counted-line scanner's memory (src/parse/counted-bytes.ts), which takes most lines (ESTAB,
 * TIME-WAIT, FIN-WAIT-2) without decoding them; each other line is decoded alone and read by the
 * parser. A piece ends at its last newline; the bytes after it start the next one. Only ASCII is
 * cut: the first piece that is not ASCII (or a line longer than a piece) ends the cut, and
 * everything from there on is decoded as {@link decodeOutput} would decode it in the whole file
 * (line-aligned, so the same string).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { CountedBytes } from '../parse/counted-bytes.js';
import { ListingCutter, type CutSpec, type ListingCut } from '../parse/listing-cut.js';
import { decodeOutput } from './decode.js';
import { MAX_READ_BYTES } from './read-whole.js';

/**
 * Bytes per read, and per piece: reads large enough that the system calls cost little; a piece is
 * checked for ASCII at once, and bounds the longest line the cut takes.
 */
export interface CutSizes {
  read: number;
  piece: number;
}
const SIZES: CutSizes = { read: 1 << 20, piece: 64 << 10 };

export interface CutFile {
  /** The file without the cut run: head, then everything from the first line after the run. */
  text: string;
  cut: ListingCut;
}

/**
 * The file with its leading listing cut out; null when the file does not start with a listing
 * (after at most one line: a prompt, a fence) or the listing has no socket line, and then the
 * caller reads the file whole. `section`: the file is a bundle section of that tool's output,
 * whose lines may start without a header (see {@link ListingCutter.start}), read with that
 * section's options ({@link CutSpec}). Synchronous: reads of a regular file, one after another.
 */
export function readCutFile(path: string, opts: { section?: CutSpec; sizes?: CutSizes } = {}): CutFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // Whatever stops this read stops the whole read too, which says what it is.
    return null;
  }
  try {
    return cutFrom(fd, opts.section, opts.sizes ?? SIZES);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function cutFrom(fd: number, section: CutSpec | undefined, sizes: CutSizes): CutFile | null {
  const size = fstatSync(fd).size;
  // Past the whole read's limit the whole read says so; a file of unknown size (/proc) is read whole.
  if (size === 0 || size > MAX_READ_BYTES) return null;
  // The bytes are read into the counted-line scanner's memory, which takes most lines before they are decoded.
  const counter = new CountedBytes(Math.max(sizes.read, sizes.piece, 2));
  const buf = counter.bytes;
  /** File offset read up to; the buffer's bytes [start, held) are read and not yet parsed. */
  let pos = 0;
  let start = 0;
  let held = 0;
  const atEnd = () => pos >= size;
  const readInto = (target: Buffer, at: number) => {
    while (at < target.length) {
      const n = readSync(fd, target, at, target.length - at, pos);
      if (n === 0) break;
      at += n;
      pos += n;
    }
    return at;
  };
  /** Where the next piece (whole lines from `start`, up to a piece's size) ends; -1 when a line is longer than a piece or the bytes are not ASCII. */
  const pieceEnd = () => {
    if (held - start < sizes.piece && !atEnd()) {
      buf.copy(buf, 0, start, held);
      held -= start;
      start = 0;
      held = readInto(buf, held);
    }
    let end = Math.min(start + sizes.piece, held);
    if (end < held || !atEnd()) end = buf.lastIndexOf(10, end - 1) + 1;
    return end > start && isAscii(buf.subarray(start, end)) ? end : -1;
  };
  /** The buffer's bytes from `from` on and the rest of the file, decoded together. */
  const rest = (from: number) => {
    const tail = Buffer.allocUnsafe(held - from + Math.max(0, size - pos));
    buf.copy(tail, 0, from, held);
    return decodeOutput(tail.subarray(0, readInto(tail, held - from)));
  };

  let end = pieceEnd();
  if (end === -1) return null;
  const first = buf.toString('latin1', start, end);
  const started = ListingCutter.start(first, section);
  if (started === null) return null;
  const { cutter, headEnd } = started;
  cutter.countOn(counter);
  const head = first.slice(0, headEnd);
  let tail = '';
  // ASCII: the head's length in characters is its length in bytes.
  let p = start + headEnd;
  for (;;) {
    const stop = feedPiece(counter, cutter, p, end);
    if (stop < end) {
      tail = buf.toString('latin1', stop, end) + rest(end);
      break;
    }
    start = end;
    if (start >= held && atEnd()) break;
    end = pieceEnd();
    // A line longer than a piece, or bytes that are not ASCII: the cut ends here.
    if (end === -1) {
      tail = rest(start);
      break;
    }
    p = start;
  }
  cutter.addCounted(counter);
  const cut = cutter.finish(head.length);
  return cut === null ? null : { text: head + tail, cut };
}

/**
 * Feeds the lines of `counter.bytes[from, to)` to the cutter: the counted lines are taken on the
 * bytes, each other line is decoded and read by the cutter's parser. Returns where the run ends
 * (`to` when every line was a socket).
 */
function feedPiece(counter: CountedBytes, cutter: ListingCutter, from: number, to: number): number {
  const buf = counter.bytes;
  let p = from;
  while (p < to) {
    p = counter.count(p, to);
    if (p >= to) break;
    const lineEnd = counter.stopLineEnd();
    const line = buf.toString('latin1', p, lineEnd);
    if (cutter.feed(line, 0, line.length) < line.length) return p;
    p = lineEnd;
  }
  return to;
}
