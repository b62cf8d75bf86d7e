/**
 * The bot's sweeps as BullMQ flows. A `sweep-start` job (a job scheduler's run, or `/tcpcheck
 * sweep`) lists the nodes and adds one flow: a `sweep-digest` parent and one `sweep-node` child per
 * node. Children never fail on a node's account (an unreachable node is a row); a child that fails
 * anyway (its worker died twice) is ignored by the parent (`ignoreDependencyOnFailure`) and becomes
 * a row too. The parent compares with the history, saves, and delivers the digest exactly once.
 *
 * Ids make every step safe to repeat: the sweep id is the start job's id (a scheduler run's id is
 * fixed by its time slot), the digest and node jobs' ids derive from it, so a retried start job
 * joins the flow it already added instead of adding a second.
 */
import { FlowProducer, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { SweepRun } from '../src/analyze/compare.js';
import { summarizeFailure } from '../src/analyze/sweep-summary.js';
import type { OpenedNode } from '../src/app/targets.js';
import type { Config } from '../src/config/index.js';
import type { SweepNodeSummary, SweepResult } from '../src/domain/sweep.js';
import type { ChannelPacer } from '../src/deliver/channel-pacer.js';
import { deliverDigest } from '../src/deliver/slack-digest.js';
import { isTcpcheckError } from '../src/errors.js';
import { escapeMrkdwn } from '../src/render/slack-blocks.js';
import type { HistoryStore } from '../src/history/store.js';
import type { Logger } from '../src/log.js';
import {
  digestJobId, nodeJobId, safeJobIdPart, SWEEP_NODE_QUEUE, SWEEP_QUEUE, SweepJobName,
  sweepDigestSchema, sweepNodeJobSchema, sweepStartSchema, type SweepDigestData,
} from '../src/queue/sweep-jobs.js';
import { finishSweep, listSweepNodes, sweepNode } from './sweep.js';

export interface SweepFlowDeps {
  config: Config;
  /** The one name → transport factory `check` and the diagnosis worker use (src/app/targets.ts `openNode`). */
  open: (node: string) => Promise<OpenedNode>;
  history: HistoryStore;
  web: WebClient;
  pacer: ChannelPacer;
  logger: Logger;
  /** PNG of the fleet's trend for the digest thread; none posted when absent or null. */
  chart?: (result: SweepResult, history: HistoryStore) => Promise<Buffer | null>;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export interface SweepWorkerOptions {
  connection: ConnectionOptions;
  prefix?: string;
  /** Node checks one worker process runs at once (the queue's global concurrency bounds all of them). @defaultValue 10 */
  nodeConcurrency?: number;
  /** @defaultValue 30000 */
  lockDuration?: number;
  /** @defaultValue 30000 */
  stalledInterval?: number;
}

const FAILED_CHILD = 'The check of this node stopped twice without an answer (its worker died or lost Redis).';

/** Builds the processor of the start and digest jobs. */
export function createSweepProcessor(deps: SweepFlowDeps, flow: FlowProducer, queue: Queue) {
  const now = deps.now ?? (() => new Date());

  async function start(job: Job): Promise<{ sweepId: string; nodes: number }> {
    const parsed = sweepStartSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`not a sweep request: ${parsed.error.message}`);
    const data = parsed.data;
    const sweepId = safeJobIdPart(job.id!);
    let nodes: string[];
    try {
      nodes = await listSweepNodes(data.nodes, deps.config);
    } catch (err) {
      // A scheduled sweep has nobody waiting for an answer: say in the channel why there is no digest.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        const why = isTcpcheckError(err) ? `${err.message} ${err.hint}` : String((err as Error)?.message ?? err);
        await deps.pacer.wait(data.channel);
        await deps.web.chat.postMessage({ channel: data.channel, text: escapeMrkdwn(`tcpcheck sweep ${data.origin}: could not list the nodes to sweep, so no digest this time. ${why}`) });
      }
      throw err;
    }
    const parentId = digestJobId(sweepId);
    // A retried start job (its worker died after adding the flow) joins the flow it already added.
    if (await queue.getJob(parentId)) {
      deps.logger.info({ sweepId }, 'sweep already started');
      return { sweepId, nodes: nodes.length };
    }
    const digest: SweepDigestData = { sweepId, origin: data.origin, channel: data.channel, startedAt: now().toISOString(), nodes };
    await flow.add({
      name: SweepJobName.digest,
      queueName: SWEEP_QUEUE,
      data: digest,
      opts: { jobId: parentId, attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      children: nodes.map((node) => ({
        name: SweepJobName.node,
        queueName: SWEEP_NODE_QUEUE,
        data: { sweepId, node, nodeTimeoutSec: data.nodeTimeoutSec, intervalSec: data.intervalSec },
        opts: { jobId: nodeJobId(sweepId, node), ignoreDependencyOnFailure: true, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
      })),
    });
    deps.logger.info({ sweepId, nodes: nodes.length, origin: data.origin }, 'sweep started');
    return { sweepId, nodes: nodes.length };
  }

  async function digest(job: Job<SweepDigestData>): Promise<{ sweepId: string; parentTs: string }> {
    const parsed = sweepDigestSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`not a sweep digest: ${parsed.error.message}`);
    let data = parsed.data;
    const save = async (patch: Partial<SweepDigestData>) => {
      data = { ...data, ...patch };
      await job.updateData(data);
    };
    let result = data.result as SweepResult | undefined;
    if (!result) {
      const values = await job.getChildrenValues<SweepNodeSummary>();
      const rows = new Map<string, SweepNodeSummary>();
      for (const v of Object.values(values)) if (v && typeof v.node === 'string') rows.set(v.node, v);
      const finishedAt = now();
      const run: SweepRun = {
        sweepId: data.sweepId,
        startedAt: data.startedAt,
        finishedAt: finishedAt.toISOString(),
        nodes: data.nodes.map((n) => rows.get(n) ?? summarizeFailure(n, { code: 'collection_failed', message: FAILED_CHILD })),
      };
      result = await finishSweep(run, { history: deps.history, retentionDays: deps.config.history.retentionDays, now: finishedAt });
      await save({ result });
    }
    const parentTs = await deliverDigest({
      web: deps.web, pacer: deps.pacer, channel: data.channel, title: data.origin, result,
      progress: { parentTs: data.parentTs, partsPosted: data.partsPosted, chartFileId: data.chartFileId },
      save,
      chart: deps.chart ? () => deps.chart!(result!, deps.history) : undefined,
    });
    deps.logger.info({ sweepId: data.sweepId, parentTs, totals: result.totals }, 'sweep digest delivered');
    return { sweepId: data.sweepId, parentTs };
  }

  return async (job: Job): Promise<unknown> => {
    if (job.name === SweepJobName.start) return start(job);
    if (job.name === SweepJobName.digest) return digest(job as Job<SweepDigestData>);
    throw new UnrecoverableError(`unknown sweep job ${job.name}`);
  };
}

/** Builds the processor of one node's check: always a row, never a failure on the node's account. */
export function createSweepNodeProcessor(deps: Pick<SweepFlowDeps, 'open' | 'now'>) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<SweepNodeSummary> => {
    const parsed = sweepNodeJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`not a sweep node job: ${parsed.error.message}`);
    const d = parsed.data;
    return sweepNode(d.node, { open: deps.open, intervalSec: d.intervalSec, nodeTimeoutMs: d.nodeTimeoutSec * 1000, signal, now: deps.now });
  };
}

export interface SweepWorkers {
  close(force?: boolean): Promise<void>;
}

/** Starts the sweep workers (start + digest, and node checks) on one connection's Redis. */
export function startSweepWorkers(opts: SweepWorkerOptions, deps: SweepFlowDeps): SweepWorkers {
  const flow = new FlowProducer({ connection: opts.connection, prefix: opts.prefix });
  const queue = new Queue(SWEEP_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  const common = { connection: opts.connection, prefix: opts.prefix, lockDuration: opts.lockDuration ?? 30_000, stalledInterval: opts.stalledInterval ?? 30_000, maxStalledCount: 1 };
  const main = new Worker(SWEEP_QUEUE, createSweepProcessor(deps, flow, queue), { ...common, concurrency: 2 });
  const nodes = new Worker(SWEEP_NODE_QUEUE, createSweepNodeProcessor(deps), { ...common, concurrency: opts.nodeConcurrency ?? 10 });
  for (const w of [main, nodes]) w.on('error', (err) => deps.logger.error({ err }, 'sweep worker error'));
  main.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, name: job?.name, err: { message: err.message } }, 'sweep job failed'));
  return {
    async close(force = false) {
      await Promise.all([main.close(force), nodes.close(force)]);
      await Promise.all([flow.close(), queue.close()]);
    },
  };
}
