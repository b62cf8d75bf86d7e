/** A worker in its own process, so a test can SIGKILL it mid-job. Settings come from the environment. */
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { createWebClient } from '../../src/slack/web-client.js';
import { netnsTransport } from '../helpers/netns-transport.js';
import { startDiagnoseWorker } from '../../jobs/worker.js';
import { openedNode } from '../helpers/opened.js';

const e = process.env;

// The plan runs inside the lab node's namespace without SSH: this process runs outside vitest,
// where ssh2's CommonJS exports differ.
const logger = createLogger({ level: 'warn' });
const worker = startDiagnoseWorker(
  { connection: new Redis(e.REDIS_URL!, { maxRetriesPerRequest: null }), queueName: e.QUEUE!, prefix: e.PREFIX!, lockDuration: 2000, stalledInterval: 1000 },
  {
    web: createWebClient(e.BOT_TOKEN!, e.API_URL!, logger),
    logger,
    metrics: createMetrics({ processMetrics: false }),
    openNode: async (name) => openedNode(name, netnsTransport(e.NODE_NETNS!)),
  },
);
worker.on('active', (job) => process.stdout.write(`active ${job.id}\n`));
