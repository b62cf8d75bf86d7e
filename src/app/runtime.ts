/**
 * Starts the long-running processes: the Bolt app (`bot`), the BullMQ worker (`worker`), or both
 * in one process (`serve`), wired to Redis, the Slack Web API and the node inventory.
 * Graceful shutdown: stop taking commands first, then let running jobs finish (or, past the grace
 * period, release them for another worker), then close Redis.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { App } from '@slack/bolt';
import { startDiagnoseWorker, type NodeOpener } from '../../jobs/worker.js';
import type { SlackConfig } from '../config/slack-schema.js';
import type { Logger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { DIAGNOSE_QUEUE, type JobData, type JobResult } from '../queue/job-data.js';
import type { DiagnoseQueue } from '../queue/producer.js';
import { createBotApp, type NodeResolver } from '../slack/app.js';
import type { BotEnv, Role } from './env.js';
import { withDeadline } from '../slack/deadline.js';
import { startOpsServer } from './ops-server.js';
import { createWebClient } from '../slack/web-client.js';
import { resolveAccessLists } from '../slack/access-lists.js';
import type { DeepConfig } from '../config/deep-schema.js';
import { createDeepLock } from '../queue/deep-lock.js';

/** Where nodes come from: the inventory (and the `slack:` section of the same config file). */
export interface Inventory {
  slack: SlackConfig;
  /** Seconds between samples when a command gives no `--interval` (config `limits.intervalSec`). */
  defaultIntervalSec: number;
  /** The `deep:` section: whether the bot runs deep probes, and for how long. @defaultValue not allowed */
  deep?: DeepConfig;
  resolveNode: NodeResolver;
  openNode: NodeOpener;
}

export interface Running {
  /** The port `/slack/events` is served on (HTTP mode); null in Socket Mode and for a worker. */
  port: number | null;
  /** The port `/healthz` and `/metrics` are served on. */
  metricsPort: number;
  metrics: Metrics;
  /** Stops taking commands, lets running jobs finish within `graceMs`, then closes everything. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  role: Role;
  env: BotEnv;
  inventory: Inventory;
  logger: Logger;
  /** Queue name; tests and benches use their own. @defaultValue {@link DIAGNOSE_QUEUE} */
  queueName?: string;
  /** Worker lock duration (ms); a killed worker's job moves to another after it. @defaultValue 30000 */
  lockDuration?: number;
  stalledInterval?: number;
}

/** Starts the role's parts; rejects with a one-line reason when Slack refuses the token. */
export async function startRuntime(opts: StartOptions): Promise<Running> {
  const { env, inventory, logger, role } = opts;
  const queueName = opts.queueName ?? DIAGNOSE_QUEUE;
  const prefix = env.TCPCHECK_QUEUE_PREFIX;
  // The producer's connection fails fast while Redis is down (no offline queue), so a command is
  // answered "Redis is down" at once instead of hanging; the worker's waits and reconnects.
  const producerRedis = new Redis(env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  producerRedis.on('error', (err) => logger.debug({ err: { message: err.message } }, 'redis (producer)'));
  const queue: DiagnoseQueue = new Queue<JobData, JobResult>(queueName, { connection: producerRedis, prefix });
  queue.on('error', (err) => logger.debug({ err: { message: err.message } }, 'queue error'));
  const metrics = createMetrics({ readQueueDepth: () => withDeadline(queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'), 1000) });

  let workerRedis: Redis | null = null;
  // A worker sends no producer traffic: its health is its own connection's.
  const health = async () => (await withDeadline((role === 'worker' && workerRedis ? workerRedis : producerRedis).ping(), 1000)) === 'PONG';
  // Started first, so a port already taken stops start-up before anything else runs.
  let opsServer: Server;
  try {
    opsServer = await startOpsServer(env.METRICS_PORT, metrics, health);
  } catch (err) {
    await queue.close().catch(() => undefined);
    producerRedis.disconnect();
    throw new Error(`cannot serve /healthz and /metrics on METRICS_PORT ${env.METRICS_PORT}: ${(err as Error).message}`);
  }
  const metricsPort = (opsServer.address() as AddressInfo).port;
  /** Undoes the above when the bot cannot start. */
  const release = async () => {
    await new Promise<void>((resolve) => opsServer.close(() => resolve()));
    await queue.close().catch(() => undefined);
    producerRedis.disconnect();
  };

  let app: App | null = null;
  let port: number | null = null;
  if (role !== 'worker') {
    let slack: SlackConfig;
    try {
      slack = await resolveAccessLists(createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, logger), inventory.slack);
    } catch (err) {
      await release();
      throw err;
    }
    app = createBotApp(
      { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
      { queue, redis: producerRedis, queueReady: () => producerRedis.status === 'ready', slack, defaultIntervalSec: inventory.defaultIntervalSec, deepAllowed: inventory.deep?.allowed ?? false, resolveNode: inventory.resolveNode, logger, metrics },
    );
    try {
      await app.init();
    } catch (err) {
      await release();
      throw new Error(`Slack refused the bot token (auth.test): ${(err as Error).message}`);
    }
    if (env.SLACK_APP_TOKEN) {
      await app.start();
    } else {
      const server = (await app.start(env.PORT)) as Server;
      port = (server.address() as AddressInfo).port;
    }
  }

  let worker: ReturnType<typeof startDiagnoseWorker> | null = null;
  if (role !== 'bot') {
    // BullMQ workers need maxRetriesPerRequest: null so blocking commands survive a Redis restart.
    workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    workerRedis.on('error', (err) => logger.debug({ err: { message: err.message } }, 'redis (worker)'));
    const web = createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, logger);
    worker = startDiagnoseWorker(
      { connection: workerRedis, queueName, prefix, concurrency: inventory.slack.concurrency, lockDuration: opts.lockDuration, stalledInterval: opts.stalledInterval },
      {
        web, openNode: inventory.openNode, logger, metrics, deliveryDeadlineSec: inventory.slack.deliveryDeadlineSec,
        deep: inventory.deep?.allowed ? { seconds: inventory.deep.seconds, lock: createDeepLock(workerRedis, prefix ?? 'tcpcheck') } : undefined,
      },
    );
  }
  logger.info({ role, port, metricsPort, queue: queueName, prefix, mode: env.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'tcpcheck started');

  return {
    port,
    metricsPort,
    metrics,
    async stop(graceMs = 60_000) {
      logger.info({ role }, 'shutting down: no new commands, finishing running jobs');
      await app?.stop().catch((err: unknown) => logger.warn({ err }, 'bolt stop'));
      if (worker) {
        const w = worker;
        // Past the grace period, force: the unfinished jobs keep their progress in Redis and
        // another worker takes them over once their lock expires.
        let timer: NodeJS.Timeout | undefined;
        const graceful = w.close().then(() => clearTimeout(timer));
        const forced = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            logger.warn('grace period over: releasing running jobs');
            void w.close(true).then(resolve, resolve);
          }, graceMs);
        });
        await Promise.race([graceful, forced]);
      }
      await new Promise<void>((resolve) => opsServer.close(() => resolve()));
      await queue.close().catch(() => undefined);
      producerRedis.disconnect();
      workerRedis?.disconnect();
      logger.info('stopped');
    },
  };
}
