/**
 * The bot's sweeps end to end: BullMQ flows on the real Redis (unique prefix), real SSH to lab
 * nodes whose state changes between two sweeps, the digest posted to the Slack API double, which
 * checks Block Kit, metadata, threads and the one-message-per-second-per-channel pace.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweepWorkers, type SweepWorkers } from '../../jobs/sweep-flow.js';
import { openNode } from '../../src/app/targets.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { sweepScheduleSchema } from '../../src/config/sweep-schema.js';
import type { SweepResult } from '../../src/domain/sweep.js';
import { ChannelPacer } from '../../src/deliver/channel-pacer.js';
import { chartFileName, SWEEP_EVENT, SWEEP_PART_EVENT } from '../../src/deliver/slack-digest.js';
import { RedisHistory } from '../../src/history/redis.js';
import { trendChart } from '../../src/app/runtime.js';
import { createLogger } from '../../src/log.js';
import { createWebClient } from '../../src/slack/web-client.js';
import { registerSweepSchedulers } from '../../src/queue/schedulers.js';
import { digestJobId, SWEEP_QUEUE, SweepJobName, type SweepDigestData, type SweepStartData } from '../../src/queue/sweep-jobs.js';
import { SlackApiDouble, type PostedMessage } from '../doubles/slack/server.js';
import { startLab, type Lab } from '../lab/lab.js';
import { writeLabConfig } from './lab-config.js';

const TOKEN = 'xoxb-sweep-test';
const CHANNEL = 'C0SWEEPS';
const REDIS_URL = 'redis://127.0.0.1:6379';

let lab: Lab;
let config: Config;
let double: SlackApiDouble;
let redis: Redis;
let queue: Queue;
let workers: SweepWorkers;
const prefix = `tsw-${randomUUID().slice(0, 8)}`;

const request = (over: Partial<SweepStartData> = {}): SweepStartData => ({ origin: 'daily', channel: CHANNEL, nodes: 'all', nodeTimeoutSec: 30, intervalSec: 1, ...over });
const text = (m: PostedMessage) => `${m.text}\n${JSON.stringify(m.blocks)}`;
const digests = () => double.parents(CHANNEL).filter((m) => m.metadata?.event_type === SWEEP_EVENT);
const digestOf = (sweepId: string) => digests().filter((m) => m.metadata?.event_payload.sweepId === sweepId);

/** Runs a sweep as the scheduler would (a start job) and waits for its digest job to complete. */
async function sweep(jobId: string, over: Partial<SweepStartData> = {}): Promise<SweepDigestData> {
  await queue.add(SweepJobName.start, request(over), { jobId });
  return waitForDigest(jobId);
}

/** Polls (bounded: 2 minutes) until the sweep's digest job has completed. */
async function waitForDigest(sweepId: string): Promise<SweepDigestData> {
  for (let i = 0; i < 600; i++) {
    const job = await queue.getJob(digestJobId(sweepId));
    const state = await job?.getState();
    if (state === 'completed') return job!.data as SweepDigestData;
    if (state === 'failed') throw new Error(`digest ${sweepId} failed: ${job!.failedReason}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`digest ${sweepId} not delivered within 2 minutes`);
}

beforeAll(async () => {
  lab = await startLab({ nodes: 3, prefix: 'tbs-', pathologies: [1] });
  config = await loadConfig(await writeLabConfig(lab));
  double = new SlackApiDouble({ token: TOKEN, messagesPerSecondPerChannel: 1 });
  const apiUrl = await double.start();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(SWEEP_QUEUE, { connection: redis, prefix });
  workers = startSweepWorkers(
    { connection: redis, prefix, nodeConcurrency: 3 },
    {
      config,
      open: (node) => openNode(node, config),
      history: new RedisHistory(redis, { prefix: `${prefix}:history` }),
      web: createWebClient(TOKEN, apiUrl, createLogger({ level: 'silent' })),
      pacer: new ChannelPacer(redis, { prefix: `${prefix}:pace` }),
      logger: createLogger({ level: 'silent' }),
      chart: trendChart(30),
    },
  );
}, 120_000);

afterAll(async () => {
  await workers?.close(true);
  await queue?.obliterate({ force: true }).catch(() => undefined);
  for (const q of ['tcpcheck-sweep-node']) await new Queue(q, { connection: redis, prefix }).obliterate({ force: true }).catch(() => undefined);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await queue?.close();
  redis?.disconnect();
  await double?.stop();
  await lab?.stop();
});

describe('a scheduled sweep on a changing lab', () => {
  let first: SweepResult;
  let second: SweepResult;
  beforeAll(async () => {
    first = (await sweep('run1')).result as SweepResult;
    await Promise.all([lab.startPathologies(0), lab.stopPathologies(1), lab.killSshd(2)]);
    second = (await sweep('run2')).result as SweepResult;
  }, 240_000);

  it('posts one digest per sweep, each carrying its sweep id in message metadata', () => {
    expect(digests().map((m) => m.metadata?.event_payload.sweepId)).toEqual(['run1', 'run2']);
    expect(double.violations).toEqual([]);
  });

  it('reports exactly what changed: the trap new on node 0, resolved on node 1, node 2 unreachable', () => {
    expect(first.totals).toMatchObject({ checked: 3, critical: 1, unreachable: 0 });
    const row = (i: number) => second.nodes.find((n) => n.node === `lab-node-${i}`)!;
    expect(row(0).changes?.new.map((f) => f.rule)).toContain('kube-proxy-nodeport-trap');
    expect(row(0).changes?.resolved).toEqual([]);
    expect(row(1).changes?.resolved.map((f) => f.rule)).toContain('kube-proxy-nodeport-trap');
    expect(row(1).changes?.new).toEqual([]);
    expect(row(2)).toMatchObject({ verdict: 'unreachable', changes: null, figures: null, error: { code: 'connection_refused' } });
    expect(second.previousStartedAt).toBe(first.startedAt);
  });

  it('says so in the parent message, worst nodes first, and per node in the thread', () => {
    const parent = digestOf('run2')[0]!;
    expect(parent.text).toMatch(/3 nodes: 1 critical, 0 warning, 1 healthy, 1 unreachable/);
    const body = text(parent);
    expect(body.indexOf('lab-node-2')).toBeLessThan(body.indexOf('lab-node-0'));
    expect(body).toMatch(/connection_refused/);
    expect(body).toMatch(/new kube-proxy-nodeport-trap :31493/);
    const parts = double.replies(CHANNEL, parent.ts).filter((m) => m.metadata?.event_type === SWEEP_PART_EVENT);
    expect(parts).toHaveLength(1);
    expect(text(parts[0]!)).toMatch(/lab-node-1.*resolved kube-proxy-nodeport-trap/s);
  });

  it('uploads the trend chart into each digest’s thread with files.uploadV2, once', () => {
    for (const sweepId of ['run1', 'run2']) {
      const parent = digestOf(sweepId)[0]!;
      const charts = [...double.files.values()].filter((f) => f.completed && f.threadTs === parent.ts);
      expect(charts.map((f) => f.filename)).toEqual([chartFileName(sweepId)]);
      expect(charts[0]!.bytes).toBeGreaterThan(10_000);
    }
  });

  it('updates its own parent, and posts nothing twice, when a digest is retried with its progress lost', async () => {
    const job = (await queue.getJob(digestJobId('run2')))!;
    const parent = digestOf('run2')[0]!;
    const repliesBefore = double.replies(CHANNEL, parent.ts).length;
    // As if the worker died right after posting, before recording what it posted.
    await job.updateData({ ...(job.data as SweepDigestData), parentTs: undefined, partsPosted: undefined, chartFileId: undefined });
    await job.retry('completed');
    await waitForDigest('run2');
    expect(digestOf('run2')).toHaveLength(1);
    expect(parent.history.length).toBeGreaterThanOrEqual(2);
    expect(double.replies(CHANNEL, parent.ts)).toHaveLength(repliesBefore);
    expect([...double.files.values()].filter((f) => f.threadTs === parent.ts)).toHaveLength(1);
    expect(double.callsOf('conversations.history').length).toBeGreaterThan(0);
    expect(double.violations).toEqual([]);
  }, 120_000);
});

describe('a schedule registered by two replicas at once', () => {
  it('exists once and yields one digest per run', async () => {
    const schedule = { name: 'often', cron: '*/4 * * * * *', tz: 'UTC', channel: CHANNEL, nodes: ['lab-node-0'], concurrency: 1, nodeTimeoutSec: 20, intervalSec: 0 };
    const replicas = [new Queue(SWEEP_QUEUE, { connection: redis, prefix }), new Queue(SWEEP_QUEUE, { connection: redis, prefix })];
    const before = digests().length;
    try {
      await Promise.all(replicas.map((q) => registerSweepSchedulers(q, [sweepScheduleSchema.parse(schedule)], { redis })));
      expect(await queue.getJobSchedulersCount()).toBe(1);
      await expect.poll(() => digests().length - before, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    } finally {
      await registerSweepSchedulers(replicas[0]!, [], { redis });
      await Promise.all(replicas.map((q) => q.close()));
    }
    expect(await queue.getJobSchedulersCount()).toBe(0);
    // Let a run that had started finish, then count: one digest per start job, each its own sweep.
    await expect.poll(async () => (await queue.getJobCounts('active', 'waiting-children', 'waiting')), { timeout: 60_000, interval: 200 }).toMatchObject({ active: 0, 'waiting-children': 0, waiting: 0 });
    const starts = (await queue.getJobs(['completed'])).filter((j) => j.name === SweepJobName.start && j.repeatJobKey === 'sweep-often');
    const ids = digests().slice(before).map((m) => m.metadata?.event_payload.sweepId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(starts.length);
    expect(double.violations).toEqual([]);
  }, 120_000);
});
