import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COUNTED_ONLY_STATES, type TcpState } from '../../src/domain/snapshot.js';
import { parseNetstat } from '../../src/parse/netstat.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/netstat/${name}.txt`, import.meta.url), 'utf8');

describe('parseNetstat when the counted-only states (ESTAB, TIME-WAIT, FIN-WAIT-2) are only counted', () => {
  const countOnly: ReadonlySet<TcpState> = new Set(COUNTED_ONLY_STATES);

  it.each(['tan', 'tanp', 'antp', 'aeep', 'n', 'p', 'plain-names', 'tanpo-timers', 'wide-W', 'l', 'lnp'])('counts every state of netstat -%s as a full read does and keeps only the others', (variant) => {
    const full = parseNetstat(fixture(variant), variant);
    const counted = parseNetstat(fixture(variant), variant, { countOnly });
    expect(counted.counts).toEqual(full.counts);
    expect(counted.sockets).toEqual(full.sockets.filter((s) => !countOnly.has(s.state)));
    expect(counted.understood).toBe(full.understood);
    expect(counted.issue).toEqual(full.issue);
    expect([...counted.serviceNames]).toEqual([...full.serviceNames]);
  });

  it('counts a counted line by its State column, not by a later column that spells a state', () => {
    const text = [
      'tcp        0      0 10.0.0.1:80             10.0.0.2:5000           TIME_WAIT   ESTABLISHED 0          -',
      'tcp        0      0 10.0.0.1:80             10.0.0.3:5001           CLOSE_WAIT  ESTABLISHED 0          -',
      'tcp6       0      0 ::1:22                  ::1:41000               ESTABLISHED root       0          1/init',
    ].join('\n');
    const result = parseNetstat(text, 'netstat', { countOnly });
    expect(result.counts).toEqual({ 'TIME-WAIT': 1, 'CLOSE-WAIT': 1, ESTAB: 1 });
    expect(result.sockets.map((s) => s.state)).toEqual(['CLOSE-WAIT']);
  });

  it('reads the service names of counted lines, so the report can say what it translated', () => {
    const result = parseNetstat('tcp        0      0 node-1:https            peer-7:40312            ESTABLISHED\n', 'netstat', { countOnly });
    expect(result.counts).toEqual({ ESTAB: 1 });
    expect([...result.serviceNames]).toEqual([['https', 443]]);
  });

  it.each([
    ['a missing peer', 'tcp        0      0 10.0.0.1:80             ESTABLISHED'],
    ['a non-numeric queue', 'tcp        x      0 10.0.0.1:80             10.0.0.2:5000           ESTABLISHED'],
    ['a peer without a port colon', 'tcp        0      0 10.0.0.1:80             10.0.0.2                TIME_WAIT'],
  ])('still skips and counts as skipped a line with %s', (_what, line) => {
    const result = parseNetstat(`${line}\ntcp        0      0 10.0.0.1:80             10.0.0.3:5001           ESTABLISHED\n`, 'netstat', { countOnly });
    expect(result.counts).toEqual({ ESTAB: 1 });
    expect(result.issue.skipped).toBe(1);
    expect(result.issue.examples).toEqual([line]);
  });
});
