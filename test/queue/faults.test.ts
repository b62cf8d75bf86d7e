/**
 * Faults around a diagnosis job: Slack answering 429 and 5xx, and the worker killed mid-job. Each
 * ends with exactly one parent, one verdict and no duplicated replies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { enqueueDiagnosis } from '../../src/queue/producer.js';
import { createWebClient } from '../../src/slack/web-client.js';
import { startDiagnoseWorker } from '../../jobs/worker.js';
import { startLab, type Lab } from '../lab/lab.js';
import { BOT_TOKEN, startHarness, type Harness } from '../slack/harness.js';
import { labTransport } from '../slack/lab-node.js';
import { openedNode } from '../helpers/opened.js';

const request = (node: string, intervalSec: number) => ({ node, intervalSec, deep: false, channel: 'C0INCIDENT', user: 'U0ONCALL', responseUrl: null, origin: 'command' as const });

describe('faults during a job', () => {
  let lab: Lab;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcs-' });
    h = await startHarness({ role: 'serve', slack: { attempts: 3, retryDelaySec: 1 }, createTransport: async () => labTransport(lab, 0), lockDuration: 2000, stalledInterval: 1000 });
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });

  it('waits out a 429 and survives 5xx on chat.update without posting anything twice', async () => {
    h.double.failNext('chat.postMessage', { kind: 'rate-limit', retryAfterSec: 1 });
    // More 503s than the Web API client retries (5): the first attempt fails, the job retries.
    h.double.failNext('chat.update', { kind: 'http-error', status: 503 }, 7);
    const { jobId } = await enqueueDiagnosis(h.queue, request('lab-node-0', 0), { dedupeWindowMs: 0, attempts: 3, backoffMs: 500 });
    await expect.poll(async () => (await h.queue.getJob(jobId))?.getState(), { timeout: 90_000, interval: 250 }).toBe('completed');
    const job = (await h.queue.getJob(jobId))!;
    // A Slack outage delays delivery; it does not spend one of the attempts meant for the node.
    expect(job.attemptsMade).toBe(1);
    expect(job.data.deliveryTries).toBeGreaterThanOrEqual(1);
    expect(h.double.callsOf('chat.postMessage')[0]!.outcome).toBe('http-429');
    const parents = h.double.parents();
    expect(parents).toHaveLength(1);
    expect(parents[0]!.history).toHaveLength(2);
    const replies = h.double.replies('C0INCIDENT', parents[0]!.ts);
    expect(new Set(replies.map((r) => r.text)).size).toBe(replies.length);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expect(h.double.violations).toEqual([]);
  });

  it('finishes a job once, elsewhere, when its worker is killed mid-job', async () => {
    await h.running.stop(1000);
    const before = h.double.parents().length;
    const node = lab.nodes[0]!;
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/queue/worker-child.ts'], {
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE: h.queueName, PREFIX: h.prefix, API_URL: h.double.base + '/api/', BOT_TOKEN, NODE_NETNS: node.netns },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      // A 20 s sampling window: the job is surely mid-collection when the worker dies.
      const { jobId } = await enqueueDiagnosis(h.queue, request('lab-node-0', 20), { dedupeWindowMs: 0, attempts: 1 });
      await expect.poll(() => h.double.parents().length, { timeout: 60_000, interval: 200 }).toBe(before + 1);
      await expect.poll(async () => (await h.queue.getJob(jobId))!.data.parentTs, { timeout: 10_000 }).toBeTruthy();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const worker = startDiagnoseWorker(
        { connection: new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null }), queueName: h.queueName, prefix: h.prefix, lockDuration: 2000, stalledInterval: 1000 },
        { web: createWebClient(BOT_TOKEN, h.double.base + '/api/', createLogger({ level: 'silent' })), openNode: async (name) => openedNode(name, labTransport(lab, 0)), logger: createLogger({ level: 'silent' }), metrics: createMetrics({ processMetrics: false }) },
      );
      try {
        await expect.poll(async () => (await h.queue.getJob(jobId))?.getState(), { timeout: 90_000, interval: 500 }).toBe('completed');
      } finally {
        await worker.close();
      }
      const parents = h.double.parents().slice(before);
      expect(parents).toHaveLength(1);
      expect(parents[0]!.text).toMatch(/^CRITICAL on lab-node-0/);
      const replies = h.double.replies('C0INCIDENT', parents[0]!.ts);
      expect(new Set(replies.map((r) => r.text)).size).toBe(replies.length);
      expect(h.double.violations).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
