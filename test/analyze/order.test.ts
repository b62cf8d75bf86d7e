import { describe, expect, it } from 'vitest';
import { collate, sortCollated, topN } from '../../src/domain/order.js';
import { buildPeerViews, PEER_STATES, unreadBytes } from '../../src/analyze/peers.js';
import type { PeerView } from '../../src/domain/report.js';
import type { TcpState } from '../../src/domain/snapshot.js';
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

describe('buildPeerViews', () => {
  /** The groups as a map by port, state and peer, sorted by one comparator: what the views must be. */
  const reference = (sockets: Socket[]): PeerView[] => {
    const groups = new Map<string, PeerView>();
    for (const s of sockets) {
      if (!PEER_STATES.includes(s.state)) continue;
      const key = `${s.localPort} ${s.state} ${s.peerAddress}`;
      const v = groups.get(key) ?? { localPort: s.localPort, ip: s.peerAddress, state: s.state, count: 0, unreadBytes: 0, maxRecvQ: 0 };
      v.count += 1;
      v.unreadBytes += unreadBytes(s);
      v.maxRecvQ = Math.max(v.maxRecvQ, s.recvQ);
      groups.set(key, v);
    }
    return [...groups.values()].sort((a, b) => a.localPort - b.localPort || PEER_STATES.indexOf(a.state) - PEER_STATES.indexOf(b.state) || b.count - a.count || a.ip.localeCompare(b.ip));
  };

  it('groups by port, state and peer and orders the groups as one sort would, on random tables', () => {
    const rand = rng(23);
    const states: TcpState[] = ['CLOSE-WAIT', 'SYN-RECV', 'LAST-ACK', 'FIN-WAIT-1', 'CLOSING', 'ESTAB', 'LISTEN', 'TIME-WAIT', 'FIN-WAIT-2'];
    const peers = ['10.0.0.9', '10.0.0.10', '9.1.1.1', '172.1.200.3', 'fd00::1', '::ffff:1', 'node-7', 'lb-a.example', '*'];
    for (let round = 0; round < 200; round++) {
      const sockets: Socket[] = Array.from({ length: Math.floor(rand() * 300) }, () => ({
        state: states[Math.floor(rand() * states.length)] as TcpState,
        recvQ: Math.floor(rand() * 4),
        sendQ: 0,
        localAddress: '10.0.0.1',
        localPort: 30000 + Math.floor(rand() * 5),
        peerAddress: rand() < 0.5 ? (peers[Math.floor(rand() * peers.length)] as string) : `172.1.${Math.floor(rand() * 3)}.${Math.floor(rand() * 40)}`,
        peerPort: 1000,
        processes: [],
      }));
      expect(buildPeerViews(sockets)).toEqual(reference(sockets));
    }
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
