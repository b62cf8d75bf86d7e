/**
 * Test harness: the real runtime (Bolt over HTTP, BullMQ on the real Redis at 127.0.0.1:6379 under
 * a unique prefix) pointed at the Slack API double.
 */
import type { DeepConfig } from '../../src/config/deep-schema.js';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { slackConfigSchema, type SlackConfig } from '../../src/config/slack-schema.js';
import { nodeNotFound } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import type { JobData, JobResult } from '../../src/queue/job-data.js';
import type { Role } from '../../src/app/env.js';
import { startRuntime, type Inventory, type Running } from '../../src/app/runtime.js';
import type { Transport } from '../../src/collect/transport.js';
import { openedNode } from '../helpers/opened.js';
import { SlackApiDouble, type SlackApiDoubleOptions } from '../doubles/slack/server.js';

export const BOT_TOKEN = 'xoxb-test-0000-token';
export const SIGNING_SECRET = 'testsigningsecret0123456789abcdef';
export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface HarnessOptions {
  role?: Role;
  slack?: Partial<SlackConfig>;
  /** Names the inventory knows. @defaultValue ['lab-node-0', 'ip-198-18-0-100'] */
  nodes?: string[];
  /** The transport to a node the inventory knows. @defaultValue none: every node is not found */
  createTransport?: (name: string) => Promise<Transport>;
  /** The whole inventory (e.g. from a real config file through src/app/inventory.ts); overrides the options above. */
  inventory?: Inventory;
  /** Config `limits.intervalSec`. @defaultValue 5 */
  defaultIntervalSec?: number;
  /** Config `deep:`. @defaultValue not allowed */
  deep?: DeepConfig;
  redisUrl?: string;
  /** A Slack double the caller started (and stops). @defaultValue one started here */
  double?: SlackApiDouble;
  /** Options of the Slack double the harness starts (the workspace's users, channels, groups). */
  workspace?: Omit<SlackApiDoubleOptions, 'token'>;
  lockDuration?: number;
  stalledInterval?: number;
}

export interface Harness {
  double: SlackApiDouble;
  running: Running;
  eventsUrl: string;
  /** The public port: `/slack/events` only. */
  baseUrl: string;
  /** The ops port: `/healthz` and `/metrics`. */
  opsUrl: string;
  queue: Queue<JobData, JobResult>;
  prefix: string;
  queueName: string;
  /** Log lines, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  stop(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const double = opts.double ?? new SlackApiDouble({ ...opts.workspace, token: BOT_TOKEN });
  const apiUrl = opts.double ? undefined : await double.start();
  const prefix = `tcs-${randomUUID().slice(0, 8)}`;
  const queueName = 'diagnose';
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          rawLogs.push(line);
          logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    }),
  });
  const known = new Set(opts.nodes ?? ['lab-node-0', 'ip-198-18-0-100']);
  const running = await startRuntime({
    role: opts.role ?? 'bot',
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: apiUrl ?? `${double.base}/api/`,
      REDIS_URL: opts.redisUrl ?? REDIS_URL,
      TCPCHECK_QUEUE_PREFIX: prefix,
      PORT: 0,
      METRICS_PORT: 0,
    },
    inventory: opts.inventory ?? {
      slack: slackConfigSchema.parse(opts.slack ?? {}),
      defaultIntervalSec: opts.defaultIntervalSec ?? 5,
      deep: opts.deep,
      resolveNode: async (name) => {
        if (!known.has(name)) throw nodeNotFound(name);
      },
      openNode: async (name) => {
        if (!opts.createTransport) throw nodeNotFound(name);
        return openedNode(name, await opts.createTransport(name));
      },
    },
    logger,
    queueName,
    lockDuration: opts.lockDuration,
    stalledInterval: opts.stalledInterval,
  }).catch(async (err: unknown) => {
    // A runtime that refuses to start leaves nothing running but the double.
    if (!opts.double) await double.stop();
    throw err;
  });
  const queue = new Queue<JobData, JobResult>(queueName, { connection: new Redis(opts.redisUrl ?? REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  const baseUrl = `http://127.0.0.1:${running.port}`;
  // A command that arrives before the bot's Redis connection is up is answered "Redis is not
  // reachable"; give the connection up to 5 s (a harness on a Redis that is down on purpose goes on).
  if (running.metricsPort) {
    for (let i = 0; i < 50 && (await fetch(`http://127.0.0.1:${running.metricsPort}/healthz`).then((r) => r.status, () => 0)) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  }
  return {
    double,
    running,
    baseUrl,
    opsUrl: `http://127.0.0.1:${running.metricsPort}`,
    eventsUrl: `${baseUrl}/slack/events`,
    queue,
    prefix,
    queueName,
    logs,
    rawLogs,
    async stop() {
      await running.stop(5000);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      if (!opts.double) await double.stop();
    },
  };
}

/** Total jobs in any state. */
export async function jobCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
