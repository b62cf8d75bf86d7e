/**
 * Fixture pairs captured from the real tools on this machine's kernel (test/parse/capture-fixtures.ts):
 * each `<variant>.txt` is read saved (bare) and pasted after a prompt, and both must give the
 * `<variant>.json` summary: sockets per state, listeners with queue, backlog and owner, what was
 * skipped, the counters and notes. `UPDATE_FIXTURES=1` rewrites the `.json` files for review.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { parseTranscript } from '../../src/parse/transcript.js';

const CASES: [folder: string, variant: string, command: string][] = [
  ['netstat', 'tan', 'netstat -tan'],
  ['netstat', 'tanp', 'netstat -tanp'],
  ['netstat', 'antp', 'netstat -antp'],
  ['netstat', 'n', 'netstat -n'],
  ['netstat', 'l', 'netstat -l'],
  ['netstat', 'p', 'netstat -p'],
  ['netstat', 'lnp', 'netstat -lnp'],
  ['netstat', 'aeep', 'netstat -aeep'],
  ['netstat', 'plain-names', 'netstat -ta'],
  ['netstat', 'wide-W', 'netstat -tanW'],
  ['netstat', 'tanpo-timers', 'netstat -tanpo'],
  ['ss', 'real-a-names', 'ss -a'],
  ['ss', 'real-ta-names', 'ss -ta'],
  ['ss', 'real-tupna', 'ss -tupna'],
  ['ss', 'real-tulpen', 'ss -tulpen'],
  ['ss', 'real-tan', 'ss -tan'],
  ['proc', 'real-tcp', 'cat /proc/net/tcp'],
  ['proc', 'real-tcp6', 'cat /proc/net/tcp6'],
];

const path = (folder: string, variant: string, ext: string) => new URL(`../fixtures/${folder}/${variant}.${ext}`, import.meta.url);

/** What a report says about a listing, without the wording. */
function summary(text: string) {
  const snap = parseTranscript(text);
  const report = analyze(snap);
  return {
    states: report.states,
    listeners: report.listeners.map((l) => ({ address: l.address, port: l.port, acceptQueue: l.acceptQueue, backlog: l.backlog, owner: l.process?.name ?? null })),
    ownersKnown: snap.sockets.ownersKnown,
    skipped: snap.parseIssues.reduce((n, i) => n + i.skipped, 0),
    counters: snap.counterSamples.flatMap((c) => Object.keys(c.values)).sort(),
    sysctls: Object.keys(snap.sysctl).sort(),
    notes: snap.notes.map((n) => n.message),
    exitCode: report.exitCode,
  };
}

describe('listings from the real tools', () => {
  describe.each(CASES)('%s/%s', (folder, variant, command) => {
    const text = readFileSync(path(folder, variant, 'txt'), 'utf8');
    const saved = summary(text);
    if (process.env.UPDATE_FIXTURES === '1' || !existsSync(path(folder, variant, 'json'))) {
      writeFileSync(path(folder, variant, 'json'), `${JSON.stringify(saved, null, 2)}\n`);
    }
    const expected: unknown = JSON.parse(readFileSync(path(folder, variant, 'json'), 'utf8'));

    it('reads the saved file as the reviewed summary says, skipping nothing', () => {
      expect(saved).toEqual(expected);
      expect(saved.skipped).toBe(0);
    });

    it('gives the same sockets and listeners pasted after a prompt', () => {
      const prompted = summary(`root@lab-node-0:~# ${command}\n${text}root@lab-node-0:~#\n`);
      expect(prompted.states).toEqual(saved.states);
      expect(prompted.listeners).toEqual(saved.listeners);
      expect(prompted.skipped).toBe(0);
    });

    it('gives the same inside a markdown fence', () => {
      expect(summary(`Output from the node:\n\n\`\`\`\n${text}\`\`\`\n`).listeners).toEqual(saved.listeners);
    });
  });

  it('netstat and ss of the same node agree on the listeners and their queues', () => {
    const read = (folder: string, variant: string) => summary(readFileSync(path(folder, variant, 'txt'), 'utf8')).listeners.map((l) => [l.port, l.acceptQueue, l.owner]);
    const byPort = (rows: unknown[][]) => rows.sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(byPort(read('netstat', 'lnp'))).toEqual(byPort(read('ss', 'real-tulpen').filter((r) => r[0] !== 5353)));
  });

  it('reads three outputs saved in one file without prompts', () => {
    const listing = readFileSync(path('ss', 'real-tan', 'txt'), 'utf8');
    const counters = readFileSync(path('counters', 'proc-netstat-snmp', 'txt'), 'utf8');
    const text = `${listing}net.core.somaxconn = 128\nnet.ipv4.tcp_abort_on_overflow = 0\n${counters}`;
    const both = summary(text);
    expect(both.states).toEqual(summary(listing).states);
    expect(both.sysctls).toEqual(['net.core.somaxconn', 'net.ipv4.tcp_abort_on_overflow']);
    expect(both.counters).toContain('TcpExtListenOverflows');
  });

  it('says nstat without -a prints increments', () => {
    const text = readFileSync(path('counters', 'nstat-increments', 'txt'), 'utf8');
    const snap = parseTranscript(`$ nstat\n${text}`);
    expect(snap.counterSamples[0]?.values.TcpExtListenOverflows).toBeGreaterThan(0);
    expect(snap.notes.map((n) => n.message).join('\n')).toMatch(/increments since its previous run, not totals since boot/);
    expect(parseTranscript(`$ nstat -az\n${text}`).notes).toEqual([]);
  });
});
