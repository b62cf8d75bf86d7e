/**
 * Reads a saved file in chunks, cutting its big listing out as it goes (src/parse/listing-cut.ts):
 * the listing's lines are parsed from small one-chunk strings and never held whole, and the text
 * that is left is small. Each chunk is decoded up to its last newline; the bytes after it start the
 * next chunk. Only ASCII is cut: the first chunk that is not ASCII (or a line longer than a chunk)
 * ends the cut, and everything from there on is decoded as {@link decodeOutput} would decode it in
 * the whole file (line-aligned, so the same string).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { ListingCutter, type ListingCut } from '../parse/listing-cut.js';
import { decodeOutput } from './decode.js';
import { MAX_READ_BYTES } from './read-whole.js';

/** Small enough that each chunk's string is an ordinary heap string, which V8 reads faster than one 80 MB string. */
const DEFAULT_CHUNK = 64 * 1024;

export interface CutFile {
  /** The file without the cut run: head, then everything from the first line after the run. */
  text: string;
  cut: ListingCut;
}

/**
 * The file with its leading listing cut out; null when the file does not start with a listing
 * (after at most one line: a prompt, a fence) or the listing has no socket line, and then the
 * caller reads the file whole. Synchronous: chunk reads of a regular file, one after another.
 */
export function readCutFile(path: string, chunkBytes = DEFAULT_CHUNK): CutFile | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // Past the whole read's limit the whole read says so; a file of unknown size (/proc) is read whole.
    if (size === 0 || size > MAX_READ_BYTES) return null;
    const buf = Buffer.allocUnsafe(Math.max(chunkBytes, 2));
    let pos = 0;
    let held = 0;
    /** Fills the buffer after the `held` bytes kept from the last chunk; returns the bytes in it. */
    const fill = () => {
      while (held < buf.length) {
        const n = readSync(fd, buf, held, buf.length - held, pos);
        if (n === 0) break;
        held += n;
        pos += n;
      }
      return held;
    };
    /** The chunk's whole lines: up to its last newline, or all of it at the end of the file. */
    const lineEnd = (n: number) => (pos >= size ? n : buf.lastIndexOf(10, n - 1) + 1);
    /** Everything from `from` in the buffer on, and the rest of the file, decoded together. */
    const rest = (from: number) => {
      const tail = Buffer.allocUnsafe(held - from + Math.max(0, size - pos));
      buf.copy(tail, 0, from, held);
      let n = held - from;
      while (n < tail.length) {
        const r = readSync(fd, tail, n, tail.length - n, pos);
        if (r === 0) break;
        n += r;
        pos += r;
      }
      return decodeOutput(tail.subarray(0, n));
    };

    let end = lineEnd(fill());
    if (end <= 0 || !isAscii(buf.subarray(0, end))) return null;
    const first = buf.toString('latin1', 0, end);
    const started = ListingCutter.start(first);
    if (started === null) return null;
    const { cutter, headEnd } = started;
    const head = first.slice(0, headEnd);
    let tail = '';
    let chunk = first;
    let from = headEnd;
    for (;;) {
      const stop = cutter.feed(chunk, from, chunk.length);
      if (stop < chunk.length) {
        tail = chunk.slice(stop) + rest(end);
        break;
      }
      // The next chunk starts with the bytes after this one's last newline.
      buf.copy(buf, 0, end, held);
      held -= end;
      const n = fill();
      if (n === 0) break;
      end = lineEnd(n);
      // A line longer than a chunk, or bytes that are not ASCII: the cut ends here.
      if (end <= 0 || !isAscii(buf.subarray(0, end))) {
        tail = rest(0);
        break;
      }
      chunk = buf.toString('latin1', 0, end);
      from = 0;
    }
    const cut = cutter.finish(head.length);
    return cut === null ? null : { text: head + tail, cut };
  } finally {
    closeSync(fd);
  }
}
