import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawBundle, RawSection } from '../../src/domain/raw.js';
import { buildSnapshot } from '../../src/parse/bundle.js';
import { splitSections } from '../../src/parse/sections.js';

const planOutput = readFileSync(new URL('../fixtures/plan/local-debian12.txt', import.meta.url), 'utf8');
const bundleOf = (sections: RawSection[]): RawBundle => ({ node: 'vm', transport: 'local', collectedAt: '2026-05-01T10:00:00.000Z', intervalSec: 5, sections });
const section = (name: string, stdout: string, exitCode: number | null = 0, stderr = ''): RawSection => ({ name, stdout, stderr, exitCode });

describe('buildSnapshot', () => {
  describe('when a full run of the plan on Debian 12 is read', () => {
    const snap = buildSnapshot(bundleOf(splitSections(planOutput, { nonce: null })));

    it('reads the node facts and keeps time from the bundle', () => {
      expect(snap.meta).toEqual({ node: 'vm', hostname: 'vm', kernel: '6.18.44-fc-v595', uptimeSec: 4380.46, collectedAt: '2026-05-01T10:00:00.000Z', intervalSec: 5, uid: 0, source: 'local' });
    });
    it('has the full table with owners merged from ss-owned', () => {
      expect(snap.sockets.coverage).toEqual({ kind: 'full' });
      expect(snap.sockets.ownersKnown).toBe(true);
      expect(snap.sockets.sockets).toHaveLength(11);
      expect(snap.sockets.sockets.find((s) => s.localPort === 6379 && s.localAddress === '127.0.0.1')?.processes).toEqual([{ name: 'redis-server', pid: 2204, fd: 6 }]);
    });
    it('counts ESTAB, TIME-WAIT and FIN-WAIT-2 of the full table without keeping them as sockets', () => {
      expect(snap.sockets.counts).toEqual({ LISTEN: 11, ESTAB: 2, 'TIME-WAIT': 2 });
      expect(snap.sockets.countedOnly).toEqual(['ESTAB', 'TIME-WAIT', 'FIN-WAIT-2']);
      expect(snap.sockets.sockets.filter((s) => s.state === 'ESTAB' || s.state === 'TIME-WAIT')).toEqual([]);
    });
    it('takes two listen samples and two counter samples, interval apart', () => {
      expect(snap.listenSamples.map((l) => [l.atSec, l.listeners.length])).toEqual([[0, 11], [5, 11]]);
      expect(snap.counterSamples.map((c) => c.atSec)).toEqual([0, 5]);
      expect(snap.counterSamples[0]?.values.TcpOutSegs).toBe(8728);
    });
    it('reads sysctls and owner command lines', () => {
      expect(snap.sysctl['net.core.somaxconn']).toBe('4096');
      expect(snap.processes[2941]?.cmdline).toMatch(/^\/usr\/sbin\/nats-server -a 127.0.0.1/);
    });
    it('has nothing to note and skipped nothing', () => {
      expect(snap.notes).toEqual([]);
      expect(snap.parseIssues).toEqual([]);
      expect(snap.stateTotals).toBeNull();
    });
  });

  it('falls back to /proc/net/tcp when ss is missing, with the backlog from somaxconn', () => {
    const proc = readFileSync(new URL('../fixtures/proc/mapped-and-queues.txt', import.meta.url), 'utf8');
    const snap = buildSnapshot(bundleOf([section('meta', 'hostname n1\nuid 0\n'), section('sysctl', 'net.core.somaxconn = 128\n'), section('proc-net-tcp', proc)]));
    expect(snap.sockets.ownersKnown).toBe(false);
    expect(snap.sockets.coverage).toEqual({ kind: 'full' });
    expect(snap.listenSamples[0]?.listeners[0]).toMatchObject({ localPort: 31493, recvQ: 129, sendQ: 128 });
    expect(snap.notes.map((n) => n.message)).toContain('ss not found: read /proc/net/tcp; no process owners');
    expect(snap.parseIssues).toEqual([expect.objectContaining({ source: 'proc-net-tcp', skipped: 2 })]);
  });

  it('turns failed, cut and missing sections into notes and never throws', () => {
    const snap = buildSnapshot(bundleOf([
      section('meta', 'hostname n1\nuid 1000\n'),
      section('sysctl', '', 1, 'tr: /proc/sys/net/core/somaxconn: Permission denied'),
      section('ss-owned', 'LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n'),
      section('ss-all', 'LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nESTAB 0 0 10.0', null),
    ]));
    const messages = snap.notes.map((n) => n.message);
    expect(messages).toContain('could not read sysctl settings: tr: /proc/sys/net/core/somaxconn: Permission denied');
    expect(messages).toContain('could not read the socket table (ss -tan): the output was cut short');
    expect(messages.some((m) => m.startsWith('could not read kernel counters'))).toBe(true);
    expect(messages).toContain("collected as uid 1000, not root: process owners of other users' sockets are hidden");
    expect(snap.sockets).toMatchObject({ coverage: { kind: 'partial' }, ownersKnown: false });
    expect(snap.parseIssues).toEqual([{ source: 'ss-all', skipped: 1, examples: ['ESTAB 0 0 10.0'] }]);
  });

  it('reads an empty bundle into an empty snapshot with notes', () => {
    const snap = buildSnapshot(bundleOf([]));
    expect(snap.sockets.sockets).toEqual([]);
    expect(snap.notes.length).toBeGreaterThan(0);
  });
});
