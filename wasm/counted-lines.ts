/**
 * AssemblyScript source of the byte scanner for counted lines (src/parse/counted-bytes.ts loads
 * it; `npm run build:wasm` compiles it into src/parse/counted-lines.wasm.ts).
 *
 * It takes the lines of src/parse/counted-lines.ts's pattern, on the bytes of a saved listing
 * before they are decoded:
 *
 *     ss:       WORD +Q +Q +LOCAL +PEER(?=[ \t\n]|$)
 *     netstat:  tcp6? +Q +Q +LOCAL +PEER +WORD(?=[ \t\n]|$)
 *
 * where WORD is one of the configured state words, Q is 1 to 15 digits, and LOCAL and PEER are a
 * run of bytes other than space, tab and newline whose last colon is followed by one or more
 * digits or `*` up to the run's end (the pattern's `[^ \t\n]*?:[\d*]+`: only the last colon can
 * have nothing but digits after it). The end of the text counts as a column end, as `$` does.
 * test/parse/counted-bytes.test.ts holds the two to the same answer on every line it makes.
 *
 * Columns, padding and the rest of a line are scanned 16 bytes at a time (WebAssembly SIMD); the
 * digits of a queue or port, a few at most, a byte at a time.
 *
 * Memory: the configured words in 16-byte slots from WORDS ([length, bytes…]), a tally per word
 * from TALLIES, the end of the line a run stopped at in STOP_END, and the text from TEXT on, with
 * at least 16 bytes of memory after its end.
 */
const WORDS: i32 = 0;
const MAX_WORDS: i32 = 8;
const TALLIES: i32 = 128;
/** Where {@link run} leaves the end of the line it stopped at (past its newline, or `end`). */
export const STOP_END: i32 = 192;
export const TEXT: i32 = 256;

const SPACE: i32 = 32;
const TAB: i32 = 9;
const NEWLINE: i32 = 10;
const COLON: i32 = 58;
const STAR: i32 = 42;

let netstat: bool = false;
let words: i32 = 0;
/** An owners listing read for its owners: a line that shows `users:((` anywhere is not counted. */
let owners: bool = false;

/**
 * Sets the tool (0: ss, 1: netstat), how many words the slots hold and whether lines with owners
 * are left to the parser (`ownersOnly` 1), and clears the tallies.
 */
export function configure(tool: i32, count: i32, ownersOnly: i32): void {
  netstat = tool == 1;
  owners = ownersOnly == 1;
  words = min(count, MAX_WORDS);
  for (let i = 0; i < MAX_WORDS; i++) store<i32>(TALLIES + 4 * i, 0);
}

/** Lines counted for the i-th word. */
export function tally(i: i32): i32 {
  return load<i32>(TALLIES + 4 * i);
}

@inline function at(p: i32): i32 {
  return <i32>load<u8>(p);
}

@inline function isColumnEnd(p: i32, end: i32): bool {
  if (p >= end) return true;
  const c = at(p);
  return c == SPACE || c == TAB || c == NEWLINE;
}

// The scans below read 16 bytes at a time (WebAssembly SIMD) and ignore what lies past `end`; the
// caller leaves room after the text, so a read past it stays in memory. The steps of a line
// (spaces, queue, endpoint) pass a miss on: given -1 they answer -1, so a line reads as a chain.

/** Bits 0..n-1 of a 16-lane mask: the lanes before `end` when the chunk at q runs past it. */
@inline function lanes(q: i32, end: i32): i32 {
  const n = end - q;
  return n >= 16 ? 0xffff : (1 << n) - 1;
}

/** Lanes of the 16 bytes at q that are a space, a tab or a newline (a column end). */
@inline function blanks(v: v128): i32 {
  return i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, i8x16.splat(<i8>SPACE)), i8x16.eq(v, i8x16.splat(<i8>TAB))), i8x16.eq(v, i8x16.splat(<i8>NEWLINE))));
}

/** After one or more spaces at p; -1 when there is none. */
@inline function spaces(p: i32, end: i32): i32 {
  if (p < 0 || p >= end || at(p) != SPACE) return -1;
  let q = p + 1;
  while (q < end) {
    const others = ~i8x16.bitmask(i8x16.eq(v128.load(q), i8x16.splat(<i8>SPACE))) & lanes(q, end);
    if (others != 0) return q + ctz(others);
    q += 16;
  }
  return end;
}

/** After 1 to 15 digits and one or more spaces at p; -1 when they are not there. */
@inline function queue(p: i32, end: i32): i32 {
  if (p < 0) return -1;
  let q = p;
  while (q < end && <u32>(at(q) - 48) < 10) q++;
  const n = q - p;
  if (n < 1 || n > 15) return -1;
  return spaces(q, end);
}

/** The end of the endpoint at p (a byte that is a column end, or `end`); -1 when it is not one. */
@inline function endpoint(p: i32, end: i32): i32 {
  if (p < 0) return -1;
  let q = p;
  let colon = -1;
  while (q < end) {
    const v = v128.load(q);
    const valid = lanes(q, end);
    const ends = blanks(v) & valid;
    let colons = i8x16.bitmask(i8x16.eq(v, i8x16.splat(<i8>COLON))) & valid;
    if (ends != 0) {
      const k = ctz(ends);
      colons &= (1 << k) - 1;
      if (colons != 0) colon = q + 31 - clz(colons);
      q += k;
      break;
    }
    if (colons != 0) colon = q + 31 - clz(colons);
    q = min(q + 16, end);
  }
  if (colon < p || colon == q - 1) return -1;
  for (let i = colon + 1; i < q; i++) {
    const c = at(i);
    if (<u32>(c - 48) >= 10 && c != STAR) return -1;
  }
  return q;
}

/** The start of the next line after q (past its newline), or `end`. */
@inline function nextLine(q: i32, end: i32): i32 {
  while (q < end) {
    const newlines = i8x16.bitmask(i8x16.eq(v128.load(q), i8x16.splat(<i8>NEWLINE))) & lanes(q, end);
    if (newlines != 0) return q + ctz(newlines) + 1;
    q += 16;
  }
  return end;
}

/** `users:((` as a little-endian u64: where `ss -p` starts a line's owners. */
const USERS: u64 = 0x28283a7372657375;

/** True when `users:((` starts anywhere in [p, e) and ends before e. */
@inline function hasUsers(p: i32, e: i32): bool {
  const last = e - 8;
  let q = p;
  while (q <= last) {
    // Where a `u` is, then the eight bytes from there at once.
    let us = i8x16.bitmask(i8x16.eq(v128.load(q), i8x16.splat(<i8>117))) & lanes(q, last + 1);
    while (us != 0) {
      if (load<u64>(q + ctz(us)) == USERS) return true;
      us &= us - 1;
    }
    q += 16;
  }
  return false;
}

/** The configured word at p, as its slot's index; -1 when none is. */
@inline function wordAt(p: i32, end: i32): i32 {
  const v = v128.load(p);
  for (let i = 0; i < words; i++) {
    const slot = WORDS + 16 * i;
    const len = at(slot);
    if (p + len > end) continue;
    // The word's bytes sit after its length: compare the first `len` lanes at once.
    const differ = i8x16.bitmask(v128.not(i8x16.eq(v, v128.load(slot + 1)))) & ((1 << len) - 1);
    if (differ == 0) return i;
  }
  return -1;
}

/**
 * The end of the columns both tools print from the gap after their first one: ` +Q +Q +LOCAL +PEER`,
 * up to the peer's last byte; -1 when they are not there.
 */
@inline function columns(p: i32, end: i32): i32 {
  const recvQ = spaces(p, end);
  const local = queue(queue(recvQ, end), end);
  return endpoint(spaces(endpoint(local, end), end), end);
}

/** The index of the word of the last line matched. */
let which: i32 = -1;

/** The end of the ss counted line at p (where its pattern ends); -1 when it is not one. Sets `which`. */
function ssLine(p: i32, end: i32): i32 {
  which = wordAt(p, end);
  if (which < 0) return -1;
  return columns(p + at(WORDS + 16 * which), end);
}

/** The end of the netstat counted line at p (where its pattern ends); -1 when it is not one. Sets `which`. */
function netstatLine(p: i32, end: i32): i32 {
  // `tcp`, or `tcp6`.
  if (p + 3 > end || at(p) != 116 || at(p + 1) != 99 || at(p + 2) != 112) return -1;
  let q = p + 3;
  if (q < end && at(q) == 54) q++;
  q = spaces(columns(q, end), end);
  if (q < 0) return -1;
  which = wordAt(q, end);
  if (which < 0) return -1;
  q += at(WORDS + 16 * which);
  return isColumnEnd(q, end) ? q : -1;
}

/**
 * Counts the lines from p while each is a counted line, up to `end` (a line start, or the text's
 * end); returns where the first line that is not one starts, or `end`. The end of that line goes
 * to STOP_END.
 */
export function run(p: i32, end: i32): i32 {
  while (p < end) {
    const q = netstat ? netstatLine(p, end) : ssLine(p, end);
    const next = nextLine(q < 0 ? p : q, end);
    if (q < 0 || (owners && hasUsers(p, next))) {
      store<i32>(STOP_END, next);
      return p;
    }
    const slot = TALLIES + 4 * which;
    store<i32>(slot, load<i32>(slot) + 1);
    p = next;
  }
  return end;
}
