import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStraceSummary } from '../../src/parse/strace-summary.js';
import { parseThreadStacks, waitSiteOf } from '../../src/parse/thread-stacks.js';
import { GARBAGE } from './garbage.js';

const fixture = (path: string) => readFileSync(join(import.meta.dirname, '../fixtures', path), 'utf8');

describe('parseStraceSummary', () => {
  it.each([
    // [fixture, rows, first row, accept calls, total calls, threads]
    ['strace/incident-kube-proxy.txt', 38, { name: 'futex', percent: 79.46, seconds: 51.761311, calls: 4388, errors: 147 }, 0, 320256, 16],
    ['strace/node-epoll-6.1.txt', 1, { name: 'epoll_pwait', percent: 100, seconds: 0.000239, calls: 56, errors: 0 }, 0, 56, 7],
    ['strace/accepting-server-6.1.txt', 8, { name: 'shutdown', percent: 56, seconds: 0.000014, calls: 20, errors: 0 }, 20, 156, 7],
  ])('reads %s', (path, rows, first, accepts, totalCalls, threads) => {
    const s = parseStraceSummary(fixture(path));
    expect(s.found).toBe(true);
    expect(s.rows).toHaveLength(rows);
    expect(s.rows[0]).toEqual(first);
    expect(s.rows.filter((r) => r.name.startsWith('accept')).reduce((n, r) => n + r.calls, 0)).toBe(accepts);
    expect(s.total?.calls).toBe(totalCalls);
    expect(s.threads).toBe(threads);
    expect(s.issue.skipped).toBe(0);
  });

  it('reads the errors column only where strace printed one', () => {
    const s = parseStraceSummary(fixture('strace/incident-kube-proxy.txt'));
    expect(s.rows.find((r) => r.name === 'epoll_wait')).toEqual({ name: 'epoll_wait', percent: 8.6, seconds: 5.604, calls: 122, errors: 0 });
    expect(s.total).toEqual({ name: 'total', percent: 100, seconds: 65.142836, calls: 320256, errors: 57189 });
  });

  it.each(GARBAGE)('finds no table in %s', (_what, text) => {
    const s = parseStraceSummary(text);
    expect(s.found).toBe(false);
    expect(s.rows).toEqual([]);
  });
});

describe('parseThreadStacks', () => {
  it('reads the incident report\'s hand-made dump: 16 threads, every one waiting in futex', () => {
    const { threads, issue } = parseThreadStacks(fixture('stacks/incident-kube-proxy.txt'));
    expect(threads).toHaveLength(16);
    expect(threads.every((t) => t.tid === null && t.state === null)).toBe(true);
    expect(threads.filter((t) => waitSiteOf(t)?.startsWith('futex')).length).toBeGreaterThanOrEqual(14);
    expect(threads[0]!.frames.slice(0, 2)).toEqual(['futex_wait_queue_me', 'futex_wait']);
    expect(issue.skipped).toBe(0);
  });

  it('reads the deep plan\'s dump with tid, state and wchan', () => {
    const { threads, issue } = parseThreadStacks(fixture('stacks/node-idle-6.18.txt'));
    expect(threads.length).toBeGreaterThan(2);
    expect(threads[0]).toMatchObject({ state: 'S', wchan: 'do_epoll_wait' });
    expect(threads[0]!.tid).toBeGreaterThan(0);
    expect(waitSiteOf(threads[0]!)).toBe('do_epoll_wait');
    expect(issue.skipped).toBe(0);
  });

  it('falls back to wchan when the stack was unreadable', () => {
    const { threads } = parseThreadStacks('tid 7 S futex_wait_queue\ntid 8 R 0\n');
    expect(threads.map(waitSiteOf)).toEqual(['futex_wait_queue', null]);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    expect(parseThreadStacks(text).threads).toEqual([]);
  });
});
