/**
 * Puts diagnosis jobs on the queue. Deduplication is BullMQ's own (`opts.deduplication`): the
 * check-and-set runs inside one Lua script in Redis, so several bot replicas asking for the same
 * node in the same channel at the same moment still create one job. The caller learns whether it
 * joined one.
 */
import { randomUUID } from 'node:crypto';
import type { Job, JobState, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobDataSchema, type JobData, type JobRequest, type JobResult } from './job-data.js';

export type DiagnoseQueue = Queue<JobData, JobResult>;

export interface EnqueueOptions {
  /** The same node within this many ms joins the existing job; 0 disables. */
  dedupeWindowMs: number;
  /** Attempts for transient failures. @defaultValue 3 */
  attempts?: number;
  /** First retry delay, doubled per attempt. @defaultValue 5000 */
  backoffMs?: number;
  /**
   * A fresh run (Re-run and Deep probe buttons): joins a check of the node that is still running,
   * but never a finished one; of several presses at once, one starts the run and the rest join it.
   * @defaultValue false
   */
  fresh?: { redis: Redis };
}

/** States in which a job has not finished: a fresh request joins it rather than running twice. */
const RUNNING: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export type EnqueueResult =
  | { joined: false; jobId: string }
  /** The node is already being (or was just) checked: `existing` is that job's data. */
  | { joined: true; jobId: string; existing: JobData; state: JobState | 'unknown' };

/**
 * The deduplication key of a node asked for in a channel. Node names are case-insensitive
 * (RFC 4343). The channel is part of the key so that joining a check never tells anyone about a
 * check running in a channel they may not be able to see: each channel gets its own thread.
 */
export function dedupeId(node: string, channel: string): string {
  return `node-${channel}-${node.toLowerCase()}`;
}

/** The job holding the node's deduplication key, with its state; null when none does. */
async function heldBy(queue: DiagnoseQueue, key: string): Promise<{ job: Job<JobData, JobResult>; state: JobState | 'unknown' } | null> {
  const id = await queue.getDeduplicationJobId(key);
  const job = id ? await queue.getJob(id) : undefined;
  return job ? { job, state: await job.getState() } : null;
}

/** Adds a job, or finds the one it joins. */
export async function enqueueDiagnosis(queue: DiagnoseQueue, request: JobRequest, opts: EnqueueOptions): Promise<EnqueueResult> {
  const data = jobDataSchema.parse(request);
  const jobId = randomUUID();
  const key = dedupeId(request.node, request.channel);
  if (opts.fresh) {
    const held = await heldBy(queue, key);
    if (held && RUNNING.has(held.state)) return { joined: true, jobId: held.job.id!, existing: held.job.data, state: held.state };
    // A finished check holds the key for the window; the first press to claim it replaces it,
    // the others find the new job through the key (added with it below).
    const claimed = await opts.fresh.redis.set(queue.toKey(`fresh:${key}`), jobId, 'PX', 5000, 'NX');
    if (claimed !== 'OK') {
      const now = await heldBy(queue, key);
      return now ? { joined: true, jobId: now.job.id!, existing: now.job.data, state: now.state } : { joined: true, jobId: '', existing: data, state: 'unknown' };
    }
    if (held) await queue.removeDeduplicationKey(key);
  }
  const dedupe = opts.dedupeWindowMs > 0;
  const job: Job<JobData, JobResult> = await queue.add('diagnose', data, {
    jobId,
    attempts: opts.attempts ?? 3,
    // Transient failures (unreachable, timeouts) back off 5 s, 10 s, 20 s…
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 5000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    ...(dedupe ? { deduplication: { id: key, ttl: opts.dedupeWindowMs } } : {}),
  });
  if (job.id === jobId || !job.id) return { joined: false, jobId };
  const existing = await queue.getJob(job.id);
  if (!existing) return { joined: true, jobId: job.id, existing: data, state: 'unknown' };
  return { joined: true, jobId: job.id, existing: existing.data, state: await existing.getState() };
}

/**
 * Counts a button press of `user` in the current minute (one Redis key per user and minute) and
 * says whether it is within `perMinute`.
 */
export async function allowPress(redis: Redis, queue: DiagnoseQueue, user: string, perMinute: number, nowMs: number): Promise<boolean> {
  const key = queue.toKey(`presses:${user}:${Math.floor(nowMs / 60_000)}`);
  const results = await redis.multi().incr(key).pexpire(key, 120_000).exec();
  const count = Number(results?.[0]?.[1] ?? 0);
  return count <= perMinute;
}
