/**
 * The BullMQ processor for Slack-driven diagnoses: validate → diagnose → deliver. It calls the one
 * diagnose entry (jobs/diagnose.ts) and hands the report to the Slack thread sink
 * (src/deliver/slack-thread.ts), which posts resumably: an attempt that fails half-way (Slack 5xx,
 * a killed worker, Redis restarting) is resumed by the next without posting anything twice.
 */
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import { diagnose } from './diagnose.js';
import type { OpenedNode } from '../src/app/targets.js';
import type { Failure } from '../src/deliver/sink.js';
import { createSlackThreadSink, type ResponsePoster } from '../src/deliver/slack-thread.js';
import type { Report } from '../src/domain/report.js';
import { ErrorCode, isTcpcheckError, TcpcheckError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { Metrics } from '../src/metrics.js';
import type { DeepLock } from '../src/queue/deep-lock.js';
import { DIAGNOSE_QUEUE, jobDataSchema, type JobData, type JobResult } from '../src/queue/job-data.js';
import { renderRawText } from '../src/render/raw-text.js';
import { verdictText } from '../src/render/slack-blocks.js';

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
  /** How long a finished diagnosis keeps retrying Slack before it falls back to `response_url`. @defaultValue 1800 */
  deliveryDeadlineSec?: number;
  /** Deep probes, when config `deep.allowed`: how long they watch, and the one-per-node lock. Unset: deep requests fail. */
  deep?: { seconds: number; lock: DeepLock };
}

/** Errors of the job queue itself (Redis gone, a job's key lost in a restart without persistence). */
function isQueueFault(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  return e?.name === 'ReplyError' || /Missing key for job|Connection is closed|ECONNREFUSED|ECONNRESET|Reached the max retries/.test(message) || e?.code === 'ECONNREFUSED';
}

/** A failure in words for the thread: an infrastructure fault is never called a bug. */
function failureOf(err: unknown, node: string, attempt: number, willRetry: boolean): Failure {
  if (isTcpcheckError(err)) return { message: err.message, hint: err.hint, willRetry, attempt };
  const detail = String((err as Error)?.message ?? err);
  if (isQueueFault(err)) {
    return { message: `The job queue (Redis) failed while diagnosing ${node}: ${detail}`, hint: 'Run the command again; if it keeps failing, tell whoever runs tcpcheck that Redis is unhealthy.', willRetry, attempt };
  }
  return {
    message: `tcpcheck failed while diagnosing ${node}: ${detail}`,
    hint: 'This is a bug in tcpcheck: run `tcpcheck check NODE --save DIR` on a terminal and attach the directory to a bug report.',
    willRetry,
    attempt,
  };
}

/** A deep request that must not run (not enabled, or one already running on the node); not retried. */
function deepRefused(message: string): TcpcheckError {
  return new TcpcheckError(ErrorCode.InputInvalid, message, { retryable: false });
}

/** Delay before the next try to reach Slack: 2, 4, 8 … s, at most 60 s. */
export function deliveryBackoffMs(tries: number): number {
  return Math.min(60_000, 2000 * 2 ** Math.max(0, tries - 1));
}

/** Builds the processor. Exposed for tests that drive it with their own Worker. */
export function createDiagnoseProcessor(deps: WorkerDeps) {
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const deadlineMs = (deps.deliveryDeadlineSec ?? 1800) * 1000;

  return async function processDiagnosis(job: Job<JobData, JobResult>, token?: string, signal?: AbortSignal): Promise<JobResult> {
    const startedAt = performance.now();
    const parsed = jobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job data is not a diagnosis request: ${parsed.error.message}`);
    let data: JobData = parsed.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const log = logger.child({ jobId: job.id, node: data.node, attempt });
    // Progress lives in the job so the next attempt resumes. When Redis lost the job (a restart
    // without persistence), this attempt still finishes from memory rather than dropping the result.
    const save = async (patch: Partial<JobData>) => {
      data = { ...data, ...patch };
      await job.updateData(data).catch((err: unknown) => {
        if (!isQueueFault(err)) throw err;
        log.warn({ err }, 'could not record progress in the queue; going on from memory');
      });
    };
    const sink = createSlackThreadSink({
      web: deps.web,
      request: { channel: data.channel, node: data.node, user: data.user, intervalSec: data.intervalSec, deep: data.deep, responseUrl: data.responseUrl, jobId: String(job.id), issuedAtMs: job.timestamp, deepButton: deps.deep !== undefined },
      progress: () => data,
      saveProgress: save,
      logger: log,
      postResponse: deps.postResponse,
    });
    const finish = (outcome: string) => {
      metrics.jobs.inc({ outcome });
      metrics.jobSeconds.observe({ outcome }, (performance.now() - startedAt) / 1000);
    };

    // 1. Diagnose, unless an earlier attempt already did (its result is in the job).
    if (!data.report && !data.failure) {
      // The "checking…" parent is a courtesy: Slack being down must not hold up the diagnosis.
      await sink.open().catch((err: unknown) => {
        if (isTcpcheckError(err)) throw new UnrecoverableError(err.message);
        log.warn({ err }, 'could not post the pending parent; diagnosing anyway');
      });
      let release: (() => Promise<void>) | null = null;
      try {
        const node = await deps.openNode(data.node);
        let deep: { seconds: number } | undefined;
        if (data.deep) {
          if (!deps.deep) throw deepRefused('Deep probes are not enabled for this bot (config `deep.allowed`); nothing was run.');
          // Held for the whole run (standard check, then the probe) and a margin; released at the end.
          const ttlMs = (data.intervalSec + deps.deep.seconds) * 1000 + 2 * node.limits.commandTimeoutMs;
          release = await deps.deep.lock.acquire(data.node, ttlMs);
          if (!release) throw deepRefused(`A deep probe of ${data.node} is already running; only one runs per node at a time. Try again when its thread is posted.`);
          deep = { seconds: deps.deep.seconds };
        }
        // Off the event loop: in `serve` the same process acks Slack commands within 3 s.
        const diagnosis = await diagnose({ kind: 'node', node }, { intervalSec: data.intervalSec, signal, now, offThread: true, deep });
        await save({ report: diagnosis.report, raw: diagnosis.bundle ? renderRawText(diagnosis.bundle) : undefined });
      } catch (err) {
        const willRetry = isTcpcheckError(err) ? err.retryable && attempt < attempts : isQueueFault(err) && attempt < attempts;
        const failure = failureOf(err, data.node, attempt, willRetry);
        if (willRetry) {
          await sink.fail(failure).catch((e: unknown) => log.warn({ err: e }, 'could not post the failure to Slack'));
          metrics.jobs.inc({ outcome: 'retrying' });
          log.warn({ err }, 'diagnosis attempt failed; retrying');
          throw err;
        }
        log.warn({ err }, 'diagnosis failed');
        await save({ failure: { message: failure.message, hint: failure.hint } });
      } finally {
        await release?.().catch((err: unknown) => log.warn({ err }, 'could not release the deep-probe lock; it expires by itself'));
      }
    }

    // 2. Deliver: a Slack outage delays the thread, it does not lose it.
    try {
      if (data.report) await sink.deliver({ report: data.report as Report, raw: data.raw ?? null });
      else await sink.fail({ ...data.failure!, willRetry: false, attempt });
    } catch (err) {
      if (isTcpcheckError(err)) {
        // Slack refuses for good (not in the channel, bad token): no retry can help.
        finish('failed');
        throw new UnrecoverableError(err.message);
      }
      const since = data.deliveryFailingSince ?? now().getTime();
      const tries = (data.deliveryTries ?? 0) + 1;
      if (now().getTime() - since < deadlineMs && token) {
        await save({ deliveryFailingSince: since, deliveryTries: tries });
        log.warn({ err, tries }, 'Slack did not take the thread; trying again later');
        await job.moveToDelayed(now().getTime() + deliveryBackoffMs(tries), token);
        throw new DelayedError();
      }
      const reached = await sink.fallback(fallbackText(data));
      finish('failed');
      log.error({ err, reached }, 'gave up reaching Slack');
      throw new UnrecoverableError(`Slack did not take the thread for ${Math.round((now().getTime() - since) / 1000)} s: ${String((err as Error)?.message ?? err)}`);
    }

    if (!data.report) {
      finish('failed');
      throw new UnrecoverableError(data.failure!.message);
    }
    const report = data.report as Report;
    finish(report.verdict.severity);
    log.info({ outcome: report.verdict.severity, headline: report.verdict.headline }, 'diagnosis delivered');
    return { severity: report.verdict.severity, headline: report.verdict.headline, parentTs: data.parentTs! };
  };
}

/** What the user gets when the thread could not be written: the verdict, or why there is none. */
function fallbackText(data: JobData): string {
  if (data.report) {
    const r = data.report as Report;
    return `tcpcheck could not write the thread for ${data.node} (Slack kept failing). The result: ${verdictText(r)}`;
  }
  return `tcpcheck could not check ${data.node}: ${data.failure?.message ?? 'unknown failure'} ${data.failure?.hint ?? ''}`.trim();
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
