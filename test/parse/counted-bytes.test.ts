/**
 * The byte scanner (src/parse/counted-bytes.ts, wasm/counted-lines.ts) must take exactly the lines
 * the pattern of src/parse/counted-lines.ts takes, or a saved file would be read differently from
 * its text in a transcript. Lines are made from the pieces real listings print, near misses of
 * each, and random bytes, and both are asked about every one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COUNTED_ONLY_STATES, type TcpState } from '../../src/domain/snapshot.js';
import { CountedBytes } from '../../src/parse/counted-bytes.js';
import { CountedLines } from '../../src/parse/counted-lines.js';
import { COUNTED_LINES_WASM } from '../../src/parse/counted-lines.wasm.js';
import { rng } from '../helpers/rng.js';
// @ts-expect-error: a plain ESM build script without type declarations.
import { compileCountedLines } from '../../scripts/build-wasm.mjs';

type Tool = 'ss' | 'netstat';

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;

/** Each part of a line is one real tools print, mostly, or a near miss of one. */
const PARTS = {
  word: { ss: ['ESTAB', 'TIME-WAIT', 'FIN-WAIT-2', 'CLOSE-WAIT', 'SYN-RECV'], netstat: ['ESTABLISHED', 'TIME_WAIT', 'FIN_WAIT2', 'CLOSE_WAIT', 'SYN_RECV'], odd: ['FIN-WAIT-1', 'LISTEN', 'ESTABLISHED', 'ESTAB', 'TIME_WAIT', 'TIME-WAIT', 'FIN_WAIT1', 'ESTABX', 'ESTA', 'estab', 'TIME-WAI', 'FIN-WAIT-22', ''] },
  gap: { ok: [' ', '  ', '   ', '      '], odd: ['\t', ' \t', '', '  \r'] },
  queue: { ok: ['0', '1', '129', '7169', '123456789012345'], odd: ['1234567890123456', '', '1a', '-1', '*', ' '] },
  endpoint: {
    ok: ['10.0.12.7:31493', '172.1.5.9:5122', '[::ffff:172.1.8.162]:56219', '::ffff:10.0.0.1:80', '[::1]:22', ':::22', '*:*', '0.0.0.0:*', '[::]:*', '127.0.0.53%lo:53', '[fe80::1%eth0]:22', 'a:1:2', '1.2.3.4:8**', 'host:123456', '1.2.3.4:65536', ':80'],
    odd: ['localhost:smtp', '*:ssh', '10.0.0.2:50x0', '1.2.3.4:', 'a:1a', 'x::', '1.2.3.4:8\r', '', ':', '::', '[::1]:ipp', '1.2.3.4', 'users:((1:80', 'xusers:((:1'],
  },
  tail: { ok: ['', ' ', '   ', '\t', ' users:(("kube-proxy",pid=1515,fd=10))', '  users:(("leaky-app",pid=29708,fd=20))', '  timer:(keepalive,1min,0)', ' ESTAB'], odd: ['\r', 'x', ':1', '\t bbr', ' users:(', 'users:((', ' users:(("a",1,2))x'] },
  lead: { ok: ['tcp', 'tcp6'], odd: ['tcp66', 'udp', 'tcp4', 'TCP', ''] },
};

/** A part: a real one 9 times in 10. */
function part(r: () => number, ok: readonly string[], odd: readonly string[]): string {
  return r() < 0.9 ? pick(r, ok) : pick(r, odd);
}

function ssLine(r: () => number): string {
  const { word, gap, queue, endpoint, tail } = PARTS;
  return part(r, word.ss, word.odd) + part(r, gap.ok, gap.odd) + part(r, queue.ok, queue.odd) + part(r, gap.ok, gap.odd) + part(r, queue.ok, queue.odd) + part(r, gap.ok, gap.odd) + part(r, endpoint.ok, endpoint.odd) + part(r, gap.ok, gap.odd) + part(r, endpoint.ok, endpoint.odd) + part(r, tail.ok, tail.odd);
}

function netstatLine(r: () => number): string {
  const { lead, word, gap, queue, endpoint, tail } = PARTS;
  return part(r, lead.ok, lead.odd) + part(r, gap.ok, gap.odd) + part(r, queue.ok, queue.odd) + part(r, gap.ok, gap.odd) + part(r, queue.ok, queue.odd) + part(r, gap.ok, gap.odd) + part(r, endpoint.ok, endpoint.odd) + part(r, gap.ok, gap.odd) + part(r, endpoint.ok, endpoint.odd) + part(r, gap.ok, gap.odd) + part(r, word.netstat, word.odd) + part(r, tail.ok, tail.odd);
}

/** A line with one byte changed to any ASCII byte but a newline, now and then. */
function mutate(r: () => number, line: string): string {
  if (line.length === 0 || r() < 0.8) return line;
  const at = Math.floor(r() * line.length);
  let c = Math.floor(r() * 128);
  if (c === 10) c = 32;
  return line.slice(0, at) + String.fromCharCode(c) + line.slice(at + 1);
}

/**
 * What the pattern says of each line, walking as the byte scanner does: the starts of the lines it
 * does not take, and its tallies. `ownersOnly`: the limit an owners listing gives it (src/parse/ss.ts),
 * where the next `users:((` is.
 */
function byPattern(text: string, tool: Tool, states: ReadonlySet<TcpState>, ownersOnly: boolean): { stops: number[]; tallies: number[] } {
  const lines = new CountedLines(tool, states);
  const stops: number[] = [];
  let p = 0;
  while (p < text.length) {
    const users = ownersOnly ? text.indexOf('users:((', p) : -1;
    if (lines.match(text, p, users === -1 ? Infinity : users)) {
      p = lines.next;
      continue;
    }
    stops.push(p);
    const nl = text.indexOf('\n', p);
    p = nl === -1 ? text.length : nl + 1;
  }
  return { stops, tallies: [...lines.tallies] };
}

function byBytes(text: string, tool: Tool, states: ReadonlySet<TcpState>, ownersOnly: boolean): { stops: number[]; tallies: number[] } {
  const lines = new CountedLines(tool, states);
  const counter = new CountedBytes(text.length + 1);
  counter.configure(tool, lines.states, lines.words, ownersOnly);
  counter.bytes.write(text, 'latin1');
  const stops: number[] = [];
  let p = 0;
  while (p < text.length) {
    p = counter.count(p, text.length);
    if (p >= text.length) break;
    stops.push(p);
    // The scanner says where the line it stopped at ends.
    p = counter.stopLineEnd();
  }
  return { stops, tallies: counter.tallies().map(([, n]) => n) };
}

const STATE_SETS: [string, ReadonlySet<TcpState>, boolean][] = [
  ['the counted-only states', new Set(COUNTED_ONLY_STATES), false],
  ["an owners listing's ownerless states, lines with owners left to the parser", new Set<TcpState>(['CLOSE-WAIT', 'SYN-RECV']), true],
];

describe('counted lines on the bytes', () => {
  it('runs the module compiled from wasm/counted-lines.ts (npm run build:wasm)', async () => {
    const fresh: Buffer = await compileCountedLines();
    expect(fresh.toString('base64')).toBe(COUNTED_LINES_WASM);
  });

  for (const tool of ['ss', 'netstat'] as const) {
    for (const [name, states, ownersOnly] of STATE_SETS) {
      it(`takes exactly the ${tool} lines the pattern takes, for ${name}`, () => {
        const r = rng(tool === 'ss' ? 41 : 43);
        for (let round = 0; round < 40; round++) {
          const lines = Array.from({ length: 500 }, () => mutate(r, tool === 'ss' ? ssLine(r) : netstatLine(r)));
          // Sometimes the last line has no newline: the end of the text ends its last column.
          const text = lines.join('\n') + (r() < 0.5 ? '\n' : '');
          const pattern = byPattern(text, tool, states, ownersOnly);
          expect(byBytes(text, tool, states, ownersOnly)).toEqual(pattern);
        }
      });
    }
  }

  it('takes the lines real listings print, and counts them by state', () => {
    const text = readFileSync(new URL('../fixtures/ss/real-tan.txt', import.meta.url), 'latin1');
    const states = new Set(COUNTED_ONLY_STATES);
    const bytes = byBytes(text, 'ss', states, false);
    expect(bytes).toEqual(byPattern(text, 'ss', states, false));
    expect(bytes.tallies.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const netstat = readFileSync(new URL('../fixtures/netstat/tan.txt', import.meta.url), 'latin1');
    expect(byBytes(netstat, 'netstat', states, false)).toEqual(byPattern(netstat, 'netstat', states, false));
  });

  it('refuses words it could not tell apart as the pattern does', () => {
    const counter = new CountedBytes(16);
    expect(() => counter.configure('ss', ['ESTAB', 'TIME-WAIT'], ['ESTAB', 'ESTABLISHED'])).toThrow(/prefix/);
    expect(() => counter.configure('ss', ['ESTAB'], ['ESTAB', 'X'])).toThrow(/one word per state/);
  });
});
