import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COUNTED_ONLY_STATES, type TcpState } from '../../src/domain/snapshot.js';
import { parseSs } from '../../src/parse/ss.js';
import { GARBAGE } from './garbage.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ss/${name}.txt`, import.meta.url), 'utf8');
const dataLines = (text: string) => text.split('\n').filter((l) => /^(tcp\s+)?[A-Z][A-Z-]+[0-9]?\s+\d/.test(l) || /^\d+\s+\d+\s/.test(l)).length;

describe('parseSs', () => {
  describe.each([
    // variant, sockets expected, owners seen
    ['old-listen-owners', 69, true],
    ['old-grep-31493', 17, true],
    ['old-grep-31591-with-header', 73, true],
    ['new-tan', dataLines(fixture('new-tan')), false],
    ['new-tanp', dataLines(fixture('new-tanp')), true],
    ['new-headerless', dataLines(fixture('new-headerless')), false],
    ['new-extended-ei', dataLines(fixture('new-extended-ei')), false],
    ['new-oneline-O', dataLines(fixture('new-oneline-O')), true],
    ['new-single-state-listening', dataLines(fixture('new-single-state-listening')), false],
    ['new-mapped-zones', 8, true],
  ] as const)('when the %s format is read', (variant, count, owners) => {
    const result = parseSs(fixture(variant), variant, { defaultState: variant.includes('single-state') ? 'LISTEN' : undefined });

    it('reads every TCP socket and skips nothing', () => {
      expect(result.sockets).toHaveLength(count);
      expect(result.issue).toEqual({ source: variant, skipped: 0, examples: [] });
    });

    it(owners ? 'sees the owners' : 'sees no owners', () => {
      expect(result.ownersSeen).toBe(owners);
    });

    it('keeps addresses without brackets, zones or IPv4-mapped prefixes', () => {
      for (const s of result.sockets) {
        expect(s.localAddress).not.toMatch(/[[\]%]|^::ffff:\d/);
        expect(s.peerAddress).not.toMatch(/[[\]%]|^::ffff:\d/);
        expect(s.state).not.toBe('UNKNOWN');
      }
    });
  });

  describe('when the old iproute2 format is read', () => {
    const { sockets } = parseSs(fixture('old-listen-owners'));
    it('reads the accept queue and backlog of a full listener', () => {
      expect(sockets.find((s) => s.localPort === 31493)).toEqual({
        state: 'LISTEN', recvQ: 129, sendQ: 128, localAddress: '::', localPort: 31493, peerAddress: '*', peerPort: null,
        processes: [{ name: 'kube-proxy', pid: 1515, fd: 51 }],
      });
    });
    it('reads `*:22` as a wildcard listener', () => {
      expect(sockets.find((s) => s.localPort === 22 && s.localAddress === '*')).toMatchObject({ peerAddress: '*', peerPort: null, processes: [{ name: 'sshd', pid: 638, fd: 3 }] });
    });
    it('reduces IPv4-mapped local and peer addresses to IPv4', () => {
      const cw = parseSs(fixture('old-grep-31591-with-header')).sockets.find((s) => s.recvQ === 10507);
      expect(cw).toMatchObject({ state: 'CLOSE-WAIT', localAddress: '172.1.52.100', localPort: 31591, peerAddress: '172.1.55.148', peerPort: 57410, processes: [] });
    });
  });

  describe('when the new iproute2 format is read', () => {
    const { sockets } = parseSs(fixture('new-mapped-zones'));
    it.each([
      ['a zone suffix', 53, { localAddress: '127.0.0.53', peerAddress: '*' }],
      ['a bracketed zone', 8080, { localAddress: 'fe80::1', peerAddress: '*' }],
      ['bracketed IPv4-mapped endpoints', 31591, { localAddress: '198.18.0.1', peerAddress: '198.18.0.100', peerPort: 57410, recvQ: 10507 }],
      ['plain IPv6 endpoints', 443, { localAddress: '2001:db8::5', peerAddress: '2001:db8::9', state: 'TIME-WAIT' }],
    ])('reads %s', (_what, port, expected) => {
      expect(sockets.find((s) => s.localPort === port)).toMatchObject(expected);
    });
    it('reads every owner of a shared socket', () => {
      expect(sockets.find((s) => s.localPort === 22)?.processes).toEqual([{ name: 'sshd', pid: 638, fd: 4 }, { name: 'sshd', pid: 639, fd: 4 }]);
    });
    it('leaves out other protocols of `ss -a`', () => {
      expect(sockets.some((s) => s.localPort === 68)).toBe(false);
    });
  });

  it('reads the owner list of very old iproute2 without pid=/fd= labels', () => {
    const { sockets } = parseSs('LISTEN 0 128 *:22 *:* users:(("sshd",638,3))\n');
    expect(sockets[0]?.processes).toEqual([{ name: 'sshd', pid: 638, fd: 3 }]);
  });

  it('uses the caller state for lines of a single-state filter', () => {
    const { sockets } = parseSs('Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n1 0 10.0.0.1:80 10.0.0.2:5000\n', 'ss', { defaultState: 'CLOSE-WAIT' });
    expect(sockets).toEqual([{ state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, localAddress: '10.0.0.1', localPort: 80, peerAddress: '10.0.0.2', peerPort: 5000, processes: [] }]);
  });

  it.each([
    ['a name outside the standard services table', 'ESTAB 0 0 10.0.0.1:no-such-service 10.0.0.2:5000'],
    ['a port above 65535', 'ESTAB 0 0 10.0.0.1:70000 10.0.0.2:5000'],
    ['a missing peer', 'ESTAB 0 0 10.0.0.1:80'],
    ['a non-numeric queue', 'ESTAB x 0 10.0.0.1:80 10.0.0.2:5000'],
    ['an unknown state', 'WAITING 0 0 10.0.0.1:80 10.0.0.2:5000'],
  ])('skips and counts a line with %s', (_what, line) => {
    const result = parseSs(`${line}\nESTAB 0 0 10.0.0.1:80 10.0.0.3:5001\n`, 'ss');
    expect(result.sockets).toHaveLength(1);
    expect(result.issue.skipped).toBe(1);
    expect(result.issue.examples).toEqual([line]);
  });

  it.each(['new-tan', 'new-tanp', 'old-listen-owners'])('reads %s in place inside a larger text (from, to) as it reads it alone', (variant) => {
    const listing = fixture(variant).replace(/\n$/, '');
    const before = 'root@node:~# ss -tanp\n';
    const text = `${before}${listing}\nroot@node:~# ESTAB 0 0 9.9.9.9:1 9.9.9.9:2\n`;
    const countOnly = new Set(['ESTAB', 'TIME-WAIT'] as const);
    const inPlace = parseSs(text, variant, { countOnly, from: before.length, to: before.length + listing.length });
    const alone = parseSs(listing, variant, { countOnly });
    // Offsets are the text's: the header lies `before.length` further in.
    expect({ ...inPlace, lastHeaderAt: inPlace.lastHeaderAt - before.length }).toEqual(alone);
  });

  it('keeps only listeners and owned sockets of an owners listing read beside a full table (ownersOnly)', () => {
    const text = [
      'State      Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
      'LISTEN     129    128          0.0.0.0:31493      0.0.0.0:*     users:(("kube-proxy",pid=1515,fd=51))',
      'CLOSE-WAIT 1      0         10.0.0.1:31493     10.0.0.9:5122',
      'CLOSE-WAIT 7169   0         10.0.0.1:31591     10.0.0.8:4000  users:(("leaky-app",pid=29708,fd=20))',
      'SYN-RECV   0      0         10.0.0.1:31493     10.0.0.7:6000',
    ].join('\n');
    const full = parseSs(text, 'ss-owned');
    const owners = parseSs(text, 'ss-owned', { ownersOnly: true });
    expect(owners.counts).toEqual(full.counts);
    expect(owners.sockets).toEqual(full.sockets.filter((s) => s.state === 'LISTEN' || s.processes.length > 0));
    expect(owners.sockets.map((s) => [s.state, s.processes[0]?.name])).toEqual([
      ['LISTEN', 'kube-proxy'],
      ['CLOSE-WAIT', 'leaky-app'],
    ]);
    expect(owners.issue.skipped).toBe(0);
  });

  it.each(['new-tan', 'new-tanp', 'new-headerless', 'new-extended-ei', 'new-oneline-O', 'new-mapped-zones', 'new-netid-all', 'old-listen-owners', 'real-tan', 'real-tupna', 'real-a-names'])(
    'reads %s owners-only as a full read filtered to listeners and owned sockets, counting every line as a full read does',
    (variant) => {
      const full = parseSs(fixture(variant), variant);
      const owners = parseSs(fixture(variant), variant, { ownersOnly: true });
      expect(owners.counts).toEqual(full.counts);
      expect(owners.sockets).toEqual(full.sockets.filter((s) => s.state === 'LISTEN' || s.processes.length > 0));
      expect(owners.issue).toEqual(full.issue);
      expect([...owners.serviceNames]).toEqual([...full.serviceNames]);
    },
  );

  describe('when the counted-only states (ESTAB, TIME-WAIT, FIN-WAIT-2) are only counted', () => {
    const countOnly: ReadonlySet<TcpState> = new Set(COUNTED_ONLY_STATES);

    it.each(['new-tan', 'new-tanp', 'new-headerless', 'new-extended-ei', 'new-oneline-O', 'new-mapped-zones', 'old-grep-31591-with-header', 'old-listen-owners', 'real-tan', 'real-ta-names'])('counts every state of %s as a full read does and keeps only the others', (variant) => {
      const full = parseSs(fixture(variant), variant);
      const counted = parseSs(fixture(variant), variant, { countOnly });
      const byState: Record<string, number> = {};
      for (const s of full.sockets) byState[s.state] = (byState[s.state] ?? 0) + 1;
      expect(full.counts).toEqual(byState);
      expect(counted.counts).toEqual(byState);
      expect(counted.sockets).toEqual(full.sockets.filter((s) => !countOnly.has(s.state)));
      expect(counted.issue.skipped).toBe(0);
    });

    it('makes no socket for a counted state', () => {
      const text = 'State Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB 0 0 10.0.0.1:80 10.0.0.2:5000\nTIME-WAIT 0 0 10.0.0.1:80 10.0.0.3:5001\nCLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.4:5002\nESTAB 0 0 [::1]:22 [::1]:41000\n';
      const result = parseSs(text, 'ss', { countOnly });
      expect(result.counts).toEqual({ ESTAB: 2, 'TIME-WAIT': 1, 'CLOSE-WAIT': 1 });
      expect(result.sockets.map((s) => s.state)).toEqual(['CLOSE-WAIT']);
    });

    it('reads the service names of counted lines, so the report can say what it translated', () => {
      const result = parseSs('ESTAB 0 0 node-1:https peer-7:40312\nTIME-WAIT 0 0 [::1]:ipp [::1]:41000\n', 'ss', { countOnly });
      expect(result.counts).toEqual({ ESTAB: 1, 'TIME-WAIT': 1 });
      expect(result.sockets).toEqual([]);
      expect([...result.serviceNames]).toEqual([
        ['https', 443],
        ['ipp', 631],
      ]);
    });

    it.each([
      ['a missing peer', 'ESTAB 0 0 10.0.0.1:80'],
      ['no endpoints', 'TIME-WAIT 0 0'],
      ['a non-numeric queue', 'ESTAB x 0 10.0.0.1:80 10.0.0.2:5000'],
      ['a peer without a port colon', 'TIME-WAIT 0 0 10.0.0.1:80 10.0.0.2'],
      ['an endpoint with no space before the peer', 'TIME-WAIT 0 0 10.0.0.1:80:5000'],
      ['a peer port that is neither a number nor a service name', 'ESTAB 0 0 10.0.0.1:80 10.0.0.2:50x0'],
      ['a local port that is neither a number nor a service name', 'TIME-WAIT 0 0 10.0.0.1:8x 10.0.0.2:5000'],
    ])('still skips and counts as skipped a line with %s', (_what, line) => {
      const result = parseSs(`${line}\nESTAB 0 0 10.0.0.1:80 10.0.0.3:5001\n`, 'ss', { countOnly });
      expect(result.counts).toEqual({ ESTAB: 1 });
      expect(result.sockets).toEqual([]);
      expect(result.issue.skipped).toBe(1);
      expect(result.issue.examples).toEqual([line]);
    });
  });

  it.each(GARBAGE)('does not throw on %s and counts what it skipped', (_what, text) => {
    const result = parseSs(text, 'ss');
    expect(result.sockets.length).toBeLessThanOrEqual(0);
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('\t')).length);
    expect(result.issue.examples.length).toBeLessThanOrEqual(3);
  });
});
