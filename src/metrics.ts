/**
 * Prometheus metrics for the bot and the worker, served on `/metrics`. Each process (and each
 * test) gets its own registry, so two apps in one process never clash over metric names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Slash commands and button clicks, by outcome (`enqueued`, `joined`, `refused-input`, `refused-auth`, `unknown-node`, `queue-down`, `help`). */
  requests: Counter<'kind' | 'outcome'>;
  /** Seconds from receiving a command to acknowledging it (Slack allows 3). */
  ackSeconds: Histogram<'kind'>;
  /** Finished jobs by outcome (`critical`, `warning`, `info`, `ok`, `failed`, `retrying`). */
  jobs: Counter<'outcome'>;
  /** Seconds a job took, from the worker picking it up to the last Slack post. */
  jobSeconds: Histogram<'outcome'>;
  /** Jobs in the queue by state; read from Redis when scraped. */
  queueDepth: Gauge<'state'>;
}

export interface MetricsOptions {
  /** Reads the queue's job counts at scrape time; absent when no queue is attached. */
  readQueueDepth?: () => Promise<Record<string, number>>;
  /** Also export the Node process metrics (memory, event loop lag). @defaultValue true */
  processMetrics?: boolean;
}

/** Creates the metrics on a fresh registry. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tcpcheck_' });
  const readDepth = opts.readQueueDepth;
  return {
    registry,
    requests: new Counter({ name: 'tcpcheck_requests_total', help: 'Slash commands and button clicks by outcome', labelNames: ['kind', 'outcome'], registers: [registry] }),
    ackSeconds: new Histogram({
      name: 'tcpcheck_ack_seconds',
      help: 'Time from receiving a Slack request to acknowledging it',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    jobs: new Counter({ name: 'tcpcheck_jobs_total', help: 'Diagnosis jobs by outcome', labelNames: ['outcome'], registers: [registry] }),
    jobSeconds: new Histogram({
      name: 'tcpcheck_job_seconds',
      help: 'Duration of diagnosis jobs',
      labelNames: ['outcome'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tcpcheck_queue_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        if (!readDepth) return;
        try {
          const counts = await readDepth();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          // Redis down: leave the last values; /healthz reports the outage.
        }
      },
    }),
  };
}
