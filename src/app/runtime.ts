/**
 * Starts the long-running processes: the Bolt app (`bot`), the BullMQ worker (`worker`), or both
 * in one process (`serve`), wired to Redis, the Slack Web API and the node inventory.
 * Graceful shutdown: stop taking commands first, then let running jobs finish (or, past the grace
 * period, release them for another worker), then close Redis.
 */
import { createServer, type Server } from 'node:http';
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
import { createBotApp, opsRoutes, type NodeResolver } from '../slack/app.js';
import type { BotEnv, Role } from './env.js';
import { withDeadline } from '../slack/deadline.js';
import { createWebClient } from '../slack/web-client.js';

/** Where nodes come from: the inventory (and the `slack:` section of the same config file). */
export interface Inventory {
  slack: SlackConfig;
  /** Seconds between samples when a command gives no `--interval` (config `limits.intervalSec`). */
  defaultIntervalSec: number;
  resolveNode: NodeResolver;
  openNode: NodeOpener;
}

export interface Running {
  /** The HTTP port actually listened on (Bolt in HTTP mode, the ops server in Socket Mode). */
  port: number | null;
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

/** Serves `/healthz` and `/metrics` on their own port (Socket Mode, worker-only processes). */
async function startOpsServer(port: number, metrics: Metrics, checkRedis: () => Promise<boolean>): Promise<Server> {
  const routes = opsRoutes({ metrics, checkRedis });
  const server = createServer((req, res) => {
    const route = routes.find((r) => r.path === (req.url ?? '').split('?')[0] && req.method === 'GET');
    if (route) return route.handler(req as Parameters<typeof route.handler>[0], res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
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
  const checkRedis = async () => (await withDeadline(producerRedis.ping(), 1000)) === 'PONG';
  const metrics = createMetrics({ readQueueDepth: () => withDeadline(queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'), 1000) });

  let app: App | null = null;
  let opsServer: Server | null = null;
  let port: number | null = null;
  if (role !== 'worker') {
    app = createBotApp(
      { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
      { queue, queueReady: () => producerRedis.status === 'ready', slack: inventory.slack, defaultIntervalSec: inventory.defaultIntervalSec, resolveNode: inventory.resolveNode, logger, metrics, checkRedis },
    );
    try {
      await app.init();
    } catch (err) {
      await queue.close().catch(() => undefined);
      producerRedis.disconnect();
      throw new Error(`Slack refused the bot token (auth.test): ${(err as Error).message}`);
    }
    if (env.SLACK_APP_TOKEN) {
      await app.start();
      opsServer = await startOpsServer(env.PORT, metrics, checkRedis);
      port = (opsServer.address() as AddressInfo).port;
    } else {
      const server = (await app.start(env.PORT)) as Server;
      port = (server.address() as AddressInfo).port;
    }
  }

  let workerRedis: Redis | null = null;
  let worker: ReturnType<typeof startDiagnoseWorker> | null = null;
  if (role !== 'bot') {
    // BullMQ workers need maxRetriesPerRequest: null so blocking commands survive a Redis restart.
    workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    workerRedis.on('error', (err) => logger.debug({ err: { message: err.message } }, 'redis (worker)'));
    const web = createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, logger);
    worker = startDiagnoseWorker(
      { connection: workerRedis, queueName, prefix, concurrency: inventory.slack.concurrency, lockDuration: opts.lockDuration, stalledInterval: opts.stalledInterval },
      { web, openNode: inventory.openNode, logger, metrics },
    );
    if (role === 'worker') {
      opsServer = await startOpsServer(env.PORT, metrics, async () => (await withDeadline(workerRedis!.ping(), 1000)) === 'PONG');
      port = (opsServer.address() as AddressInfo).port;
    }
  }
  logger.info({ role, port, queue: queueName, prefix, mode: env.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'tcpcheck started');

  return {
    port,
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
      await new Promise<void>((resolve) => (opsServer ? opsServer.close(() => resolve()) : resolve()));
      await queue.close().catch(() => undefined);
      producerRedis.disconnect();
      workerRedis?.disconnect();
      logger.info('stopped');
    },
  };
}
