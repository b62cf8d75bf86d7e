/** A worker in its own process, so a test can SIGKILL it mid-job. Settings come from the environment. */
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import type { Transport } from '../../src/collect/transport.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { createWebClient } from '../../src/slack/web-client.js';
import { startDiagnoseWorker } from '../../jobs/worker.js';
import { openedNode } from '../helpers/opened.js';

const e = process.env;

/**
 * Runs the plan inside the lab node's namespace (`ip netns exec NS sh -s`): the node's real
 * sockets, without SSH (this process runs outside vitest, where ssh2's CommonJS exports differ).
 */
function netnsTransport(netns: string): Transport {
  return {
    kind: 'netns',
    target: netns,
    run: (plan) =>
      new Promise((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', netns, 'sh', '-s', '--', ...plan.args], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LC_ALL: 'C' } });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: code }));
        child.stdin.end(plan.script);
      }),
  };
}
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
