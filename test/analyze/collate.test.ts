import { describe, expect, it } from 'vitest';
import { collate } from '../../src/domain/collate.js';
import { buildPeerViews } from '../../src/analyze/peers.js';
import type { Socket } from '../../src/domain/snapshot.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('collate', () => {
  const rand = rng(7);
  const pick = (alphabet: string) => Array.from({ length: 1 + Math.floor(rand() * 14) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');

  it.each([
    ['dotted decimals', '0123456789.'],
    ['IPv6 and host names', '0123456789abcdefABC.:-[]*'],
  ])('orders %s exactly as localeCompare does', (_what, alphabet) => {
    for (let i = 0; i < 20_000; i++) {
      const a = pick(alphabet);
      const b = rand() < 0.5 ? pick('0123456789.') : pick(alphabet);
      expect([a, b, Math.sign(collate(a, b))]).toEqual([a, b, Math.sign(a.localeCompare(b))]);
    }
  });

  it('leaves the order of peer groups as localeCompare gave it', () => {
    const ips = ['10.0.0.9', '10.0.0.10', '9.1.1.1', 'fd00::1', '::ffff:1', 'node-7', '172.1.1.1'];
    const sockets: Socket[] = ips.map((ip) => ({ state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, localAddress: '10.0.0.1', localPort: 80, peerAddress: ip, peerPort: 5000, processes: [] }));
    expect(buildPeerViews(sockets).map((v) => v.ip)).toEqual([...ips].sort((a, b) => a.localeCompare(b)));
  });
});
