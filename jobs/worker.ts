/**
 * The BullMQ processor for Slack-driven diagnoses. It calls the one pipeline
 * (jobs/diagnose-node.ts) and delivers the report as a Slack thread.
 *
 * Every step records its progress in the job (`job.updateData`) before the next one starts, so an
 * attempt that fails half-way (Slack 5xx, a killed worker, Redis restarting) is resumed by the
 * next attempt without posting anything twice: the parent is posted once and then only updated,
 * replies already posted are skipped, the raw file is uploaded once.
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import { diagnoseNode } from './diagnose-node.js';
import type { Transport } from '../src/collect/transport.js';
import type { Report } from '../src/domain/report.js';
import { isTcpcheckError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { Metrics } from '../src/metrics.js';
import { DIAGNOSE_QUEUE, jobDataSchema, type JobData, type JobResult } from '../src/queue/job-data.js';
import { renderSlackThread, type SlackMessage } from '../src/render/slack-blocks.js';
import { encodeButtonValue } from '../src/slack/app.js';
import { failureMessages, NOT_IN_CHANNEL_TEXT, pendingParent } from '../src/slack/messages.js';
import { renderRawText } from '../src/slack/raw-file.js';
import { PERMANENT_SLACK_ERRORS, slackErrorCode } from '../src/slack/slack-errors.js';

/** Opens a transport to a node named by a user (the inventory's `createTransport`). */
export type TransportFactory = (node: string) => Promise<Transport>;

export interface WorkerDeps {
  web: WebClient;
  createTransport: TransportFactory;
  logger: Logger;
  metrics: Metrics;
  /** Clock for the collection timestamp. @defaultValue () => new Date() */
  now?: () => Date;
  /** Posts an ephemeral message to a slash command's `response_url`. @defaultValue a JSON POST with fetch */
  postResponse?: (url: string, body: { response_type: 'ephemeral'; text: string }) => Promise<void>;
}

async function postResponseWithFetch(url: string, body: { response_type: 'ephemeral'; text: string }): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

/** A Slack failure that no retry can fix becomes an UnrecoverableError (after telling the user when it is about the channel). */
async function rethrowSlackError(err: unknown, data: JobData, deps: WorkerDeps): Promise<never> {
  const code = slackErrorCode(err);
  if (code === 'not_in_channel' || code === 'channel_not_found') {
    if (data.responseUrl) await (deps.postResponse ?? postResponseWithFetch)(data.responseUrl, { response_type: 'ephemeral', text: NOT_IN_CHANNEL_TEXT }).catch((e: unknown) => deps.logger.warn({ err: e }, 'response_url failed'));
  }
  if (code && PERMANENT_SLACK_ERRORS.has(code)) throw new UnrecoverableError(`Slack refused the post: ${code}`);
  throw err;
}

/** Builds the processor. Exposed for tests that drive it with their own Worker. */
export function createDiagnoseProcessor(deps: WorkerDeps) {
  const { web, logger, metrics } = deps;

  return async function processDiagnosis(job: Job<JobData, JobResult>, _token?: string, signal?: AbortSignal): Promise<JobResult> {
    const startedAt = performance.now();
    const parsed = jobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job data is not a diagnosis request: ${parsed.error.message}`);
    let data: JobData = parsed.data;
    const save = async (patch: Partial<JobData>) => {
      data = { ...data, ...patch };
      await job.updateData(data);
    };
    const log = logger.child({ jobId: job.id, node: data.node, attempt: job.attemptsMade + 1 });

    try {
      if (!data.parentTs) {
        const pending = pendingParent(data.node, data.user, data.intervalSec, data.deep);
        const res = await web.chat.postMessage({ channel: data.channel, text: pending.text, blocks: pending.blocks }).catch((err: unknown) => rethrowSlackError(err, data, deps));
        if (!res.ts) throw new Error('chat.postMessage returned no ts');
        await save({ parentTs: res.ts });
      }
      const parentTs = data.parentTs!;

      let report = data.report as Report | undefined;
      if (!report) {
        try {
          const transport = await deps.createTransport(data.node);
          const diagnosis = await diagnoseNode(transport, data.node, { intervalSec: data.intervalSec, signal, now: deps.now });
          report = diagnosis.report;
          await save({ report, raw: renderRawText(diagnosis.bundle) });
        } catch (err) {
          await reportFailure(job, data, err, log);
          throw err instanceof UnrecoverableError ? err : isTcpcheckError(err) && err.retryable ? err : new UnrecoverableError(isTcpcheckError(err) ? err.message : String((err as Error)?.message ?? err));
        }
      }

      const thread = renderSlackThread(report, {
        buttons: { rerun: encodeButtonValue(data.node, data.intervalSec), raw: String(job.id), deep: encodeButtonValue(data.node, data.intervalSec) },
      });
      await web.chat.update({ channel: data.channel, ts: parentTs, text: thread.parent.text, blocks: thread.parent.blocks }).catch((err: unknown) => rethrowSlackError(err, data, deps));
      for (let i = data.repliesPosted ?? 0; i < thread.replies.length; i++) {
        await postReply(data.channel, parentTs, thread.replies[i]!).catch((err: unknown) => rethrowSlackError(err, data, deps));
        await save({ repliesPosted: i + 1 });
      }
      if (!data.rawFileId && data.raw !== undefined) {
        const upload = await web
          .filesUploadV2({ channel_id: data.channel, thread_ts: parentTs, filename: `tcpcheck-${data.node}-raw.txt`, title: `Raw outputs from ${data.node}`, content: data.raw })
          .catch((err: unknown) => rethrowSlackError(err, data, deps));
        const file = (upload.files as Array<{ files?: Array<{ id?: string; permalink?: string }> }> | undefined)?.[0]?.files?.[0];
        await save({ rawFileId: file?.id ?? 'uploaded', rawPermalink: file?.permalink, raw: undefined });
      }
      const outcome = report.verdict.severity;
      metrics.jobs.inc({ outcome });
      metrics.jobSeconds.observe({ outcome }, (performance.now() - startedAt) / 1000);
      log.info({ outcome, headline: report.verdict.headline }, 'diagnosis delivered');
      return { severity: outcome, headline: report.verdict.headline, parentTs };
    } catch (err) {
      const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      metrics.jobs.inc({ outcome: final ? 'failed' : 'retrying' });
      if (final) metrics.jobSeconds.observe({ outcome: 'failed' }, (performance.now() - startedAt) / 1000);
      log.warn({ err, final }, 'diagnosis attempt failed');
      throw err;
    }
  };

  async function postReply(channel: string, threadTs: string, message: SlackMessage) {
    await web.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks });
  }

  /**
   * Tells the channel why the diagnosis failed. While retries remain only the parent changes
   * ("attempt 1 failed, trying again"); the thread reply with the next step comes once, at the end.
   */
  async function reportFailure(job: Job<JobData, JobResult>, data: JobData, err: unknown, log: Logger) {
    const coded = isTcpcheckError(err);
    const retryable = coded && err.retryable;
    const attempt = job.attemptsMade + 1;
    const willRetry = retryable && attempt < (job.opts.attempts ?? 1);
    const message = coded ? err.message : `tcpcheck failed while diagnosing ${data.node}: ${(err as Error)?.message ?? String(err)}`;
    const hint = coded ? err.hint : 'This is a bug in tcpcheck: run `tcpcheck check NODE --save DIR` on a terminal and attach the directory to a bug report.';
    const { parent, reply } = failureMessages(data.node, message, hint, willRetry, attempt);
    try {
      await web.chat.update({ channel: data.channel, ts: data.parentTs!, text: parent.text, blocks: parent.blocks });
      if (!willRetry) await postReply(data.channel, data.parentTs!, reply);
    } catch (e) {
      log.warn({ err: e }, 'could not post the failure to Slack');
    }
  }
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
