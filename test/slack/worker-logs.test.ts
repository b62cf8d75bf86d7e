/**
 * Every line a `tcpcheck worker` process prints is pino JSON, including what the Slack Web API
 * client logs while it waits out a 429 (its default ConsoleLogger prints plain `[WARN]` lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobData, JobResult } from '../../src/queue/job-data.js';
import { enqueueDiagnosis } from '../../src/queue/producer.js';
import { SlackApiDouble } from '../doubles/slack/server.js';
import { BOT_TOKEN, REDIS_URL } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the worker process log', () => {
  const double = new SlackApiDouble({ token: BOT_TOKEN });
  const prefix = `tcs-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-logs-'));
  const queue = new Queue<JobData, JobResult>('tcpcheck-diagnose', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  let child: ChildProcess;
  const stdout: string[] = [];
  const stderr: string[] = [];

  beforeAll(async () => {
    const apiUrl = await double.start();
    writeFileSync(join(dir, 'known_hosts'), '');
    // A node whose SSH port is closed on loopback: the job fails at once and the worker posts the failure.
    writeFileSync(join(dir, 'tcpcheck.yaml'), `ssh:\n  knownHostsFile: ${join(dir, 'known_hosts')}\n  useAgent: false\nnodes:\n  - name: closed-port\n    host: 127.0.0.1\n    port: 1\n`);
    child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), [resolve(ROOT, 'src/cli/main.ts'), 'worker'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: apiUrl, REDIS_URL, TCPCHECK_QUEUE_PREFIX: prefix, TCPCHECK_CONFIG: join(dir, 'tcpcheck.yaml'), PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (into: string[]) => (d: Buffer) => into.push(...d.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect(stdout));
    child.stderr!.on('data', collect(stderr));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await double.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes the Web API client's 429 retry as pino lines, and nothing that is not JSON", async () => {
    await expect.poll(() => stdout.some((l) => l.includes('tcpcheck started')), { timeout: 30_000, interval: 100 }).toBe(true);
    double.failNext('chat.postMessage', { kind: 'rate-limit', retryAfterSec: 1 });
    const { jobId } = await enqueueDiagnosis(queue, { node: 'closed-port', intervalSec: 0, deep: false, channel: 'C0INCIDENT', user: 'U0ONCALL', responseUrl: null, origin: 'command' }, { dedupeWindowMs: 0, attempts: 1 });
    await expect.poll(async () => (await queue.getJob(jobId))?.getState(), { timeout: 30_000, interval: 200 }).toBe('failed');
    await expect.poll(() => double.callsOf('chat.postMessage').some((c) => c.outcome === 'ok'), { timeout: 10_000 }).toBe(true);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const lines = [...stdout, ...stderr];
    const notJson = lines.filter((l) => {
      try {
        const o = JSON.parse(l) as { app?: unknown; level?: unknown };
        return o.app !== 'tcpcheck' || typeof o.level !== 'number';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const fromClient = lines.map((l) => JSON.parse(l) as { level: number; msg?: string; slack?: boolean }).filter((o) => o.slack);
    expect(fromClient.some((o) => /rate limit/i.test(o.msg ?? ''))).toBe(true);
    expect(fromClient.some((o) => o.level === 40 && /http request failed/.test(o.msg ?? ''))).toBe(true);
    expect(lines.join('\n')).not.toContain(BOT_TOKEN);
  }, 60_000);
});
