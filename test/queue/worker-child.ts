/** A worker in its own process, so a test can SIGKILL it mid-job. Settings come from the environment. */
import { Redis } from 'ioredis';
import { WebClient } from '@slack/web-api';
import { SshTransport } from '../../src/collect/transports/ssh.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { webClientOptions } from '../../src/slack/app.js';
import { startDiagnoseWorker } from '../../jobs/worker.js';

const e = process.env;
const worker = startDiagnoseWorker(
  { connection: new Redis(e.REDIS_URL!, { maxRetriesPerRequest: null }), queueName: e.QUEUE!, prefix: e.PREFIX!, lockDuration: 2000, stalledInterval: 1000 },
  {
    web: new WebClient(e.BOT_TOKEN!, webClientOptions(e.API_URL!)),
    logger: createLogger({ level: 'warn' }),
    metrics: createMetrics({ processMetrics: false }),
    createTransport: async () => new SshTransport({ host: e.NODE_HOST!, port: Number(e.NODE_PORT), user: 'root', identityFile: e.NODE_KEY!, knownHostsFile: e.NODE_KNOWN_HOSTS!, agent: false }),
  },
);
worker.on('active', (job) => process.stdout.write(`active ${job.id}\n`));
