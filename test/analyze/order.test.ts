import { describe, expect, it } from 'vitest';
import { collate, sortCollated, topN } from '../../src/domain/order.js';
import { buildPeerViews } from '../../src/analyze/peers.js';
import type { Socket } from '../../src/domain/snapshot.js';
import { rng } from '../helpers/rng.js';

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

  it('sorts a mix of dotted decimals and other names as a sort by localeCompare does (sortCollated)', () => {
    for (let round = 0; round < 300; round++) {
      const strings = [...new Set(Array.from({ length: Math.floor(rand() * 80) }, () => (rand() < 0.7 ? pick('0123456789.') : pick('0123456789abcdefABC.:-[]*'))))];
      expect(sortCollated(strings)).toEqual([...strings].sort((a, b) => a.localeCompare(b)));
    }
  });

  it('leaves the order of peer groups as localeCompare gave it', () => {
    const ips = ['10.0.0.9', '10.0.0.10', '9.1.1.1', 'fd00::1', '::ffff:1', 'node-7', '172.1.1.1'];
    const sockets: Socket[] = ips.map((ip) => ({ state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, localAddress: '10.0.0.1', localPort: 80, peerAddress: ip, peerPort: 5000, processes: [] }));
    expect(buildPeerViews(sockets).map((v) => v.ip)).toEqual([...ips].sort((a, b) => a.localeCompare(b)));
  });
});

describe('topN', () => {
  it('keeps what a stable sort and a slice keep, ties in input order', () => {
    const rand = rng(11);
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: Math.floor(rand() * 60) }, (_, i) => ({ i, count: Math.floor(rand() * 5) }));
      const order = (a: { count: number }, b: { count: number }) => b.count - a.count;
      const n = 1 + Math.floor(rand() * 10);
      expect(topN(items, n, order)).toEqual([...items].sort(order).slice(0, n));
    }
  });
});
