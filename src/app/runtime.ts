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
import { startSweepWorkers, type SweepWorkers } from '../../jobs/sweep-flow.js';
import { nodeHistory } from '../analyze/compare.js';
import type { Config } from '../config/index.js';
import type { SlackConfig } from '../config/slack-schema.js';
import { ChannelPacer } from '../deliver/channel-pacer.js';
import { RedisHistory } from '../history/redis.js';
import { retentionStart, type HistoryStore } from '../history/store.js';
import { registerSweepSchedulers } from '../queue/schedulers.js';
import { SWEEP_NODE_QUEUE, SWEEP_QUEUE, SweepJobName } from '../queue/sweep-jobs.js';
import type { Logger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { DIAGNOSE_QUEUE, type JobData, type JobResult } from '../queue/job-data.js';
import type { DiagnoseQueue } from '../queue/producer.js';
import { createBotApp, type NodeResolver, type SweepCommands } from '../slack/app.js';
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
  /** The whole config, for sweeps (`sweeps:`, `history:`, the node list); no sweeps without it. */
  config?: Config;
}

/** The digest's trend chart over the retention window (vega and resvg load on first use: they are heavy). */
export function trendChart(retentionDays: number) {
  return async (_result: unknown, history: HistoryStore): Promise<Buffer | null> => {
    const { renderTrendPng } = await import('../deliver/trend-png.js');
    return renderTrendPng(await history.list(retentionStart(new Date(), retentionDays)), retentionDays);
  };
}

/** Checks in one sweep across all workers: the largest `concurrency` of the schedules. */
const sweepConcurrency = (config: Config) => Math.max(10, ...config.sweeps.map((s) => s.concurrency));

/**
 * Registers the config's sweep schedules in the background, retrying every 5 s while Redis is
 * down, so the bot answers commands meanwhile. Returns a function that stops retrying.
 */
function registerSchedulesInBackground(env: BotEnv, config: Config, logger: Logger): () => Promise<void> {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', (err) => logger.debug({ err: { message: err.message } }, 'redis (schedules)'));
  const queue = new Queue(SWEEP_QUEUE, { connection: redis, prefix: env.TCPCHECK_QUEUE_PREFIX });
  const nodes = new Queue(SWEEP_NODE_QUEUE, { connection: redis, prefix: env.TCPCHECK_QUEUE_PREFIX });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async () => {
    try {
      // Bounds node checks across every worker process, whatever each worker's own concurrency.
      await nodes.setGlobalConcurrency(sweepConcurrency(config));
      const result = await registerSweepSchedulers(queue, config.sweeps, { redis });
      logger.info({ schedules: result }, 'sweep schedules registered');
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'sweep schedules not registered yet; retrying in 5 s');
      if (!stopped) timer = setTimeout(() => void attempt(), 5000);
    }
  };
  const running = attempt();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
    await Promise.all([queue.close(), nodes.close()]).catch(() => undefined);
    redis.disconnect();
  };
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

  const config = inventory.config;
  const historyPrefix = `${prefix}:tcpcheck:history`;
  let app: App | null = null;
  let port: number | null = null;
  let sweepQueue: Queue | null = null;
  let stopRegistering: (() => Promise<void>) | null = null;
  if (role !== 'worker') {
    let sweeps: SweepCommands | undefined;
    if (config) {
      const sq = new Queue(SWEEP_QUEUE, { connection: producerRedis, prefix });
      sq.on('error', (err) => logger.debug({ err: { message: err.message } }, 'sweep queue error'));
      sweepQueue = sq;
      const history = new RedisHistory(producerRedis, { prefix: historyPrefix });
      sweeps = {
        retentionDays: config.history.retentionDays,
        start: async (data) => (await sq.add(SweepJobName.start, data, { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } })).id!,
        history: async (node) => nodeHistory(node, await history.list(retentionStart(new Date(), config.history.retentionDays)), 10),
      };
    }
    let slack: SlackConfig;
    try {
      slack = await resolveAccessLists(createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, logger), inventory.slack);
    } catch (err) {
      await release();
      throw err;
    }
    app = createBotApp(
      { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
      { queue, redis: producerRedis, queueReady: () => producerRedis.status === 'ready', slack, defaultIntervalSec: inventory.defaultIntervalSec, deepAllowed: inventory.deep?.allowed ?? false, resolveNode: inventory.resolveNode, logger, metrics, sweeps },
    );
    try {
      await app.init();
    } catch (err) {
      await sweepQueue?.close().catch(() => undefined);
      await release();
      throw new Error(`Slack refused the bot token (auth.test): ${(err as Error).message}`);
    }
    if (config) stopRegistering = registerSchedulesInBackground(env, config, logger);
    if (env.SLACK_APP_TOKEN) {
      await app.start();
    } else {
      const server = (await app.start(env.PORT)) as Server;
      port = (server.address() as AddressInfo).port;
    }
  }

  let worker: ReturnType<typeof startDiagnoseWorker> | null = null;
  let sweepWorkers: SweepWorkers | null = null;
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
    if (config) {
      sweepWorkers = startSweepWorkers(
        { connection: workerRedis, prefix, nodeConcurrency: sweepConcurrency(config), lockDuration: opts.lockDuration, stalledInterval: opts.stalledInterval },
        {
          config, open: inventory.openNode, web, logger,
          history: new RedisHistory(workerRedis, { prefix: historyPrefix }),
          pacer: new ChannelPacer(workerRedis, { prefix: `${prefix}:tcpcheck:pace` }),
          chart: trendChart(config.history.retentionDays),
        },
      );
    }
  }
  logger.info({ role, port, metricsPort, queue: queueName, prefix, mode: env.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'tcpcheck started');

  return {
    port,
    metricsPort,
    metrics,
    async stop(graceMs = 60_000) {
      logger.info({ role }, 'shutting down: no new commands, finishing running jobs');
      await app?.stop().catch((err: unknown) => logger.warn({ err }, 'bolt stop'));
      await stopRegistering?.();
      if (worker) {
        const w = { close: async (force?: boolean) => void (await Promise.all([worker!.close(force), sweepWorkers?.close(force)])) };
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
      await sweepQueue?.close().catch(() => undefined);
      producerRedis.disconnect();
      workerRedis?.disconnect();
      logger.info('stopped');
    },
  };
}
