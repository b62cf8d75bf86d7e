/**
 * Counted lines (src/parse/counted-lines.ts) taken on the bytes of a saved listing before they are
 * decoded, by a small WebAssembly scanner (wasm/counted-lines.ts). A million-socket file is mostly
 * such lines: decoding them into strings, matching each with the pattern from JavaScript and
 * collecting the strings afterwards cost half of `tcpcheck analyze`. The scanner stops at the
 * first line it does not take; the caller decodes that line and gives it to the parser, which
 * reads it as it reads any line (the pattern first, then the full read).
 *
 * The scanner takes exactly the lines the pattern takes: test/parse/counted-bytes.test.ts holds
 * the two to the same answer on every line it makes, and the compiled module to its source.
 */
import type { TcpState } from '../domain/snapshot.js';
import { COUNTED_LINES_WASM } from './counted-lines.wasm.js';

interface ScannerExports {
  TEXT: WebAssembly.Global;
  STOP_END: WebAssembly.Global;
  configure(tool: number, count: number, ownersOnly: number): void;
  tally(i: number): number;
  run(from: number, to: number): number;
}

/** Word slots in the module's memory: 16 bytes each ([length, bytes…]), up to MAX_WORDS. */
const SLOT = 16;
const MAX_WORDS = 8;
const PAGE = 65536;

let compiled: WebAssembly.Module | null = null;

export class CountedBytes {
  /** The text goes here: bytes [0, capacity) of the module's memory. */
  readonly bytes: Buffer;
  private readonly scanner: ScannerExports;
  private readonly base: number;
  private readonly memory: Uint8Array;
  /** The module's memory as int32s, and where in it the end of the last stop's line is. */
  private readonly ints: Int32Array;
  private readonly stopEnd: number;
  private states: readonly TcpState[] = [];

  constructor(capacity: number) {
    compiled ??= new WebAssembly.Module(Buffer.from(COUNTED_LINES_WASM, 'base64'));
    // Room for the words and tallies below the text (the module says where the text starts), and
    // after it for the 16-byte reads that run past the text's end.
    const memory = new WebAssembly.Memory({ initial: Math.ceil((capacity + 1024) / PAGE) });
    this.scanner = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as ScannerExports;
    this.base = this.scanner.TEXT.value as number;
    if (this.base + capacity + 16 > memory.buffer.byteLength) throw new Error('counted bytes: the text does not fit the memory');
    this.memory = new Uint8Array(memory.buffer);
    this.ints = new Int32Array(memory.buffer);
    this.stopEnd = (this.scanner.STOP_END.value as number) >> 2;
    this.bytes = Buffer.from(memory.buffer, this.base, capacity);
  }

  /**
   * Takes the lines of `tool` in `states`, spelt `words` (src/parse/counted-lines.ts), and clears
   * the tallies. With `ownersOnly` (an owners listing read for its owners), a line that shows
   * `users:((` is left to the parser, as the pattern's limit leaves it. A word that is a prefix of
   * another would need the pattern's backtracking: refused.
   */
  configure(tool: 'ss' | 'netstat', states: readonly TcpState[], words: readonly string[], ownersOnly = false): void {
    if (states.length !== words.length || words.length > MAX_WORDS) throw new Error('counted bytes: one word per state, at most 8');
    words.forEach((w, i) => {
      if (w.length === 0 || w.length >= SLOT || !/^[\x21-\x7e]+$/.test(w)) throw new Error(`counted bytes: cannot take the word ${JSON.stringify(w)}`);
      if (words.some((other, j) => j !== i && other.startsWith(w))) throw new Error(`counted bytes: ${w} is a prefix of another word`);
      this.memory[i * SLOT] = w.length;
      this.memory.set(Buffer.from(w, 'latin1'), i * SLOT + 1);
    });
    this.states = states;
    this.scanner.configure(tool === 'netstat' ? 1 : 0, words.length, ownersOnly ? 1 : 0);
  }

  /**
   * Counts the lines of `bytes[from, to)` (`from` a line start; `to` a line start or the text's
   * end) while each is a counted line; returns where the first line that is not starts, or `to`.
   */
  count(from: number, to: number): number {
    return this.scanner.run(this.base + from, this.base + to) - this.base;
  }

  /** Where the line {@link count} stopped at ends: past its newline, or at `to`. */
  stopLineEnd(): number {
    return (this.ints[this.stopEnd] as number) - this.base;
  }

  /** Lines counted per state since {@link configure}. */
  tallies(): [TcpState, number][] {
    return this.states.map((s, i) => [s, this.scanner.tally(i)]);
  }
}
