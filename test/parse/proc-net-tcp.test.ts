import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToAddress, parseProcNetTcp } from '../../src/parse/proc-net-tcp.js';
import { GARBAGE } from './garbage.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/proc/${name}.txt`, import.meta.url), 'utf8');

describe('parseProcNetTcp', () => {
  it('reads the tcp and tcp6 tables of this machine', () => {
    const text = fixture('local-debian12');
    const result = parseProcNetTcp(text);
    expect(result.issue.skipped).toBe(0);
    expect(result.sockets).toHaveLength(text.split('\n').filter((l) => /^\s*\d+:/.test(l)).length);
    expect(result.sockets).toContainEqual({ state: 'LISTEN', recvQ: 0, sendQ: 0, localAddress: '127.0.0.1', localPort: 3306, peerAddress: '*', peerPort: null, processes: [] });
    expect(result.sockets.some((s) => s.localAddress === '::1')).toBe(true);
  });

  describe('when IPv4-mapped sockets with queues are read', () => {
    const result = parseProcNetTcp(fixture('mapped-and-queues'), 'proc', { listenBacklog: 128 });
    it('reads the accept queue of a listener and takes the given backlog', () => {
      expect(result.sockets[0]).toEqual({ state: 'LISTEN', recvQ: 129, sendQ: 128, localAddress: '::', localPort: 31493, peerAddress: '*', peerPort: null, processes: [] });
    });
    it('reduces mapped addresses and reads unread bytes', () => {
      expect(result.sockets[1]).toEqual({ state: 'CLOSE-WAIT', recvQ: 10507, sendQ: 0, localAddress: '172.1.52.100', localPort: 31591, peerAddress: '172.1.55.148', peerPort: 57410, processes: [] });
    });
    it('writes IPv6 in its short form', () => {
      expect(result.sockets[2]).toMatchObject({ state: 'TIME-WAIT', localAddress: '2001:db8::5', localPort: 443, peerAddress: '2001:db8::9', peerPort: 40000 });
    });
    it('counts the malformed lines', () => {
      expect(result.issue.skipped).toBe(2);
    });
  });

  describe('when ESTAB and TIME-WAIT are only counted', () => {
    const countOnly = new Set(['ESTAB', 'TIME-WAIT'] as const);

    it('counts every state as a full read does and keeps only the others', () => {
      const text = fixture('local-debian12');
      const full = parseProcNetTcp(text);
      const counted = parseProcNetTcp(text, 'proc', { countOnly });
      expect(full.counts).toEqual({ LISTEN: 15, ESTAB: 4, 'TIME-WAIT': 10 });
      expect(counted.counts).toEqual(full.counts);
      expect(counted.sockets).toEqual(full.sockets.filter((s) => s.state === 'LISTEN'));
      expect(counted.issue.skipped).toBe(0);
    });

    it('still skips the malformed lines', () => {
      const counted = parseProcNetTcp(fixture('mapped-and-queues'), 'proc', { countOnly });
      expect(counted.issue.skipped).toBe(2);
      expect(counted.sockets.some((s) => s.state === 'TIME-WAIT')).toBe(false);
      expect(counted.counts['TIME-WAIT']).toBeGreaterThan(0);
    });
  });

  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000000000000000000001000000', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['0000000000000000FFFF00000100007F', '127.0.0.1'],
    ['B80D0120000000000000000001000000', '2001:db8::1'],
  ])('writes %s as %s', (hex, text) => {
    expect(hexToAddress(hex)).toBe(text);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parseProcNetTcp(text);
    expect(result.sockets).toEqual([]);
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '').length);
  });
});
