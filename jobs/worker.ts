/**
 * The BullMQ processor for Slack-driven diagnoses: validate → diagnose → deliver. It calls the one
 * diagnose entry (jobs/diagnose.ts) and hands the report to the Slack thread sink
 * (src/deliver/slack-thread.ts), which posts resumably: an attempt that fails half-way (Slack 5xx,
 * a killed worker, Redis restarting) is resumed by the next without posting anything twice.
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import { diagnose } from './diagnose.js';
import type { OpenedNode } from '../src/app/targets.js';
import type { Failure } from '../src/deliver/sink.js';
import { createSlackThreadSink, type ResponsePoster } from '../src/deliver/slack-thread.js';
import type { Report } from '../src/domain/report.js';
import { isTcpcheckError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { Metrics } from '../src/metrics.js';
import { DIAGNOSE_QUEUE, jobDataSchema, type JobData, type JobResult } from '../src/queue/job-data.js';
import { renderRawText } from '../src/render/raw-text.js';

/** Opens a node named by a user: the one name → target → transport factory (src/app/targets.ts). */
export type NodeOpener = (node: string) => Promise<OpenedNode>;

export interface WorkerDeps {
  web: WebClient;
  openNode: NodeOpener;
  logger: Logger;
  metrics: Metrics;
  /** Clock for the collection timestamp. @defaultValue () => new Date() */
  now?: () => Date;
  /** Posts an ephemeral message to a slash command's `response_url`. @defaultValue a JSON POST with fetch */
  postResponse?: ResponsePoster;
}

/** A failure in words for the thread. */
function failureOf(err: unknown, node: string, attempt: number, willRetry: boolean): Failure {
  if (isTcpcheckError(err)) return { message: err.message, hint: err.hint, willRetry, attempt };
  return {
    message: `tcpcheck failed while diagnosing ${node}: ${(err as Error)?.message ?? String(err)}`,
    hint: 'This is a bug in tcpcheck: run `tcpcheck check NODE --save DIR` on a terminal and attach the directory to a bug report.',
    willRetry,
    attempt,
  };
}

/** Coded errors that no retry can fix stop the job at once (BullMQ's UnrecoverableError). */
function forQueue(err: unknown): unknown {
  if (err instanceof UnrecoverableError) return err;
  if (isTcpcheckError(err)) return err.retryable ? err : new UnrecoverableError(err.message);
  return err;
}

/** Builds the processor. Exposed for tests that drive it with their own Worker. */
export function createDiagnoseProcessor(deps: WorkerDeps) {
  const { logger, metrics } = deps;

  return async function processDiagnosis(job: Job<JobData, JobResult>, _token?: string, signal?: AbortSignal): Promise<JobResult> {
    const startedAt = performance.now();
    const parsed = jobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job data is not a diagnosis request: ${parsed.error.message}`);
    let data: JobData = parsed.data;
    const save = async (patch: Partial<JobData>) => {
      data = { ...data, ...patch };
      await job.updateData(data);
    };
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const log = logger.child({ jobId: job.id, node: data.node, attempt });
    const sink = createSlackThreadSink({
      web: deps.web,
      request: { channel: data.channel, node: data.node, user: data.user, intervalSec: data.intervalSec, deep: data.deep, responseUrl: data.responseUrl, jobId: String(job.id) },
      progress: () => data,
      saveProgress: save,
      logger: log,
      postResponse: deps.postResponse,
    });

    try {
      await sink.open();
      let report = data.report as Report | undefined;
      if (!report) {
        try {
          const node = await deps.openNode(data.node);
          const diagnosis = await diagnose({ kind: 'node', node }, { intervalSec: data.intervalSec, signal, now: deps.now });
          report = diagnosis.report;
          await save({ report, raw: diagnosis.bundle ? renderRawText(diagnosis.bundle) : undefined });
        } catch (err) {
          const willRetry = isTcpcheckError(err) && err.retryable && attempt < attempts;
          await sink.fail(failureOf(err, data.node, attempt, willRetry));
          // An uncoded error in the pipeline is a bug: another attempt would only repeat it.
          throw isTcpcheckError(err) ? err : new UnrecoverableError(String((err as Error)?.message ?? err));
        }
      }
      await sink.deliver({ report, raw: data.raw ?? null });
      const outcome = report.verdict.severity;
      metrics.jobs.inc({ outcome });
      metrics.jobSeconds.observe({ outcome }, (performance.now() - startedAt) / 1000);
      log.info({ outcome, headline: report.verdict.headline }, 'diagnosis delivered');
      return { severity: outcome, headline: report.verdict.headline, parentTs: data.parentTs! };
    } catch (err) {
      const queued = forQueue(err);
      const final = queued instanceof UnrecoverableError || attempt >= attempts;
      metrics.jobs.inc({ outcome: final ? 'failed' : 'retrying' });
      if (final) metrics.jobSeconds.observe({ outcome: 'failed' }, (performance.now() - startedAt) / 1000);
      log.warn({ err, final }, 'diagnosis attempt failed');
      throw queued;
    }
  };
}

export interface DiagnoseWorkerOptions {
  connection: ConnectionOptions;
  /** @defaultValue {@link DIAGNOSE_QUEUE} */
  queueName?: string;
  /** Redis key prefix. @defaultValue bull */
  prefix?: string;
  /** @defaultValue 4 */
  concurrency?: number;
  /**
   * How long a worker holds a job without renewing its lock; a killed worker's job is taken over
   * by another after this. @defaultValue 30000
   */
  lockDuration?: number;
  /** How often workers look for stalled jobs. @defaultValue 30000 */
  stalledInterval?: number;
}

/** Starts a worker on the diagnosis queue. Close it with `worker.close()`: running jobs finish first. */
export function startDiagnoseWorker(opts: DiagnoseWorkerOptions, deps: WorkerDeps): Worker<JobData, JobResult> {
  const worker = new Worker<JobData, JobResult>(opts.queueName ?? DIAGNOSE_QUEUE, createDiagnoseProcessor(deps), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 4,
    lockDuration: opts.lockDuration ?? 30_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    // A job whose worker died once is tried again; twice means it kills workers: fail it.
    maxStalledCount: 1,
  });
  worker.on('error', (err) => deps.logger.error({ err }, 'worker error'));
  return worker;
}
