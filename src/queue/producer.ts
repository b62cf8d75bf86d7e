/**
 * Puts diagnosis jobs on the queue. Deduplication is BullMQ's own (`opts.deduplication`): the
 * check-and-set runs inside one Lua script in Redis, so several bot replicas asking for the same
 * node in the same channel at the same moment still create one job. The caller learns whether it
 * joined one.
 */
import { randomUUID } from 'node:crypto';
import type { Job, JobState, Queue } from 'bullmq';
import { jobDataSchema, type JobData, type JobRequest, type JobResult } from './job-data.js';

export type DiagnoseQueue = Queue<JobData, JobResult>;

export interface EnqueueOptions {
  /** The same node within this many ms joins the existing job; 0 disables. */
  dedupeWindowMs: number;
  /** Attempts for transient failures. @defaultValue 3 */
  attempts?: number;
  /** First retry delay, doubled per attempt. @defaultValue 5000 */
  backoffMs?: number;
  /** Skip deduplication (Re-run and Deep probe buttons ask for a fresh run on purpose). @defaultValue false */
  force?: boolean;
}

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

/** Adds a job, or finds the one it joins. */
export async function enqueueDiagnosis(queue: DiagnoseQueue, request: JobRequest, opts: EnqueueOptions): Promise<EnqueueResult> {
  const data = jobDataSchema.parse(request);
  const jobId = randomUUID();
  const dedupe = !opts.force && opts.dedupeWindowMs > 0;
  const job: Job<JobData, JobResult> = await queue.add('diagnose', data, {
    jobId,
    attempts: opts.attempts ?? 3,
    // Transient failures (unreachable, timeouts) back off 5 s, 10 s, 20 s…
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 5000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    ...(dedupe ? { deduplication: { id: dedupeId(request.node, request.channel), ttl: opts.dedupeWindowMs } } : {}),
  });
  if (job.id === jobId || !job.id) return { joined: false, jobId };
  const existing = await queue.getJob(job.id);
  if (!existing) return { joined: true, jobId: job.id, existing: data, state: 'unknown' };
  return { joined: true, jobId: job.id, existing: existing.data, state: await existing.getState() };
}
