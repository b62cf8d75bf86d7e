/** Both history stores against one contract: a real temporary directory and the real Redis at 127.0.0.1:6379. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../src/domain/sweep.js';
import { defaultHistoryDir, DirectoryHistory } from '../../src/history/directory.js';
import { RedisHistory } from '../../src/history/redis.js';
import { retentionStart, type HistoryStore } from '../../src/history/store.js';

const record = (sweepId: string, startedAt: string, closeWait = 0): SweepRecord => ({
  schemaVersion: 1, sweepId, startedAt, finishedAt: startedAt,
  nodes: [{ node: 'a', verdict: 'healthy', exitCode: 0, headline: 'healthy', findings: [], error: null, figures: { closeWait, listenOverflowsPerSec: 0, fullQueues: 0, synRecv: 0 } }],
});

let dir: string;
let redis: Redis;
const prefix = `tcpcheck-test:${randomUUID()}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcpcheck-history-'));
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const stores: Array<[string, () => HistoryStore]> = [
  ['the directory store', () => new DirectoryHistory(join(dir, randomUUID()))],
  ['the Redis store', () => new RedisHistory(redis, { prefix: `${prefix}:${randomUUID()}` })],
];

describe.each(stores)('%s', (_name, make) => {
  it('lists saved sweeps since a time, oldest first', async () => {
    const store = make();
    await store.save(record('s2', '2026-11-24T07:00:00.000Z'));
    await store.save(record('s1', '2026-11-23T07:00:00.000Z'));
    await store.save(record('s3', '2026-11-25T07:00:00.000Z'));
    expect((await store.list(new Date('2026-11-24T00:00:00Z'))).map((r) => r.sweepId)).toEqual(['s2', 's3']);
  });

  it('keeps one record when the same sweep is saved twice', async () => {
    const store = make();
    await store.save(record('s1', '2026-11-23T07:00:00.000Z', 1));
    await store.save(record('s1', '2026-11-23T07:00:00.000Z', 2));
    const all = await store.list(new Date(0));
    expect(all).toHaveLength(1);
    expect(all[0]?.nodes[0]?.figures?.closeWait).toBe(2);
  });

  it('prunes sweeps older than the retention', async () => {
    const store = make();
    await store.save(record('old', '2026-10-01T07:00:00.000Z'));
    await store.save(record('new', '2026-11-20T07:00:00.000Z'));
    expect(await store.prune(retentionStart(new Date('2026-11-25T00:00:00Z'), 30))).toBe(1);
    expect((await store.list(new Date(0))).map((r) => r.sweepId)).toEqual(['new']);
  });

  it('lists nothing when nothing was saved', async () => {
    expect(await make().list(new Date(0))).toEqual([]);
  });
});

describe('DirectoryHistory', () => {
  it('skips a damaged file instead of failing', async () => {
    const store = new DirectoryHistory(join(dir, 'damaged'));
    await store.save(record('s1', '2026-11-23T07:00:00.000Z'));
    await writeFile(join(store.dir, 'sweep-20261124-broken.json'), '{"schemaVersion":1,"sweep');
    expect((await store.list(new Date(0))).map((r) => r.sweepId)).toEqual(['s1']);
  });

  it('lives under $XDG_STATE_HOME/tcpcheck, else ~/.local/state/tcpcheck', () => {
    expect(defaultHistoryDir({ XDG_STATE_HOME: '/var/state', HOME: '/home/u' })).toBe('/var/state/tcpcheck');
    // The XDG spec says a relative path must be ignored.
    expect(defaultHistoryDir({ XDG_STATE_HOME: 'rel', HOME: '/home/u' })).toBe('/home/u/.local/state/tcpcheck');
  });
});
