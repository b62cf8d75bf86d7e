/**
 * The sweep's jobs as they sit in Redis. A `sweep-start` job (from a job scheduler, or from
 * `/tcpcheck sweep`) lists the nodes and adds one flow: a `sweep-digest` parent with one
 * `sweep-node` child per node. Children return their row; the parent assembles the digest and
 * records its delivery progress in its own data, so a retried digest resumes instead of re-posting.
 */
import { z } from 'zod';
import { sweepNodesSchema } from '../config/sweep-schema.js';

/** Start and digest jobs (few, long). */
export const SWEEP_QUEUE = 'tcpcheck-sweep';
/** One job per node of a sweep (many, bounded by the queue's global concurrency). */
export const SWEEP_NODE_QUEUE = 'tcpcheck-sweep-node';

export const SweepJobName = { start: 'sweep-start', digest: 'sweep-digest', node: 'sweep-node' } as const;

/** What a sweep covers and how; a schedule's template data, or an on-demand request. */
export const sweepStartSchema = z.object({
  /** The schedule's name, or `on-demand`. */
  origin: z.string().min(1).max(64),
  channel: z.string().min(1),
  nodes: sweepNodesSchema,
  nodeTimeoutSec: z.number().int().min(1).max(600),
  intervalSec: z.number().int().min(0).max(60),
  /** Slack user who asked (on demand). */
  user: z.string().optional(),
});

export const sweepNodeJobSchema = z.object({
  sweepId: z.string().min(1),
  node: z.string().min(1).max(253),
  nodeTimeoutSec: z.number().int().min(1).max(600),
  intervalSec: z.number().int().min(0).max(60),
});

export const sweepDigestSchema = z.object({
  sweepId: z.string().min(1),
  origin: z.string(),
  channel: z.string().min(1),
  startedAt: z.string(),
  /** Every node of the sweep: a node whose child left no row becomes a failure row. */
  nodes: z.array(z.string()),
  /** The compared result once computed, so a retry delivers the same digest. */
  result: z.unknown().optional(),
  /** ts of the digest's parent message once posted (also found again by its metadata). */
  parentTs: z.string().optional(),
  /** Thread parts already posted. */
  partsPosted: z.number().int().min(0).optional(),
  /** Set once the chart is in the thread. */
  chartFileId: z.string().optional(),
});

export type SweepStartData = z.infer<typeof sweepStartSchema>;
export type SweepNodeJobData = z.infer<typeof sweepNodeJobSchema>;
export type SweepDigestData = z.infer<typeof sweepDigestSchema>;

/** BullMQ custom job ids may not contain ":"; node names and scheduler ids are reduced to a safe set. */
export function safeJobIdPart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** The digest's job id: one per sweep, so a re-added flow joins the existing one. */
export const digestJobId = (sweepId: string) => `digest-${safeJobIdPart(sweepId)}`;
export const nodeJobId = (sweepId: string, node: string) => `node-${safeJobIdPart(sweepId)}-${safeJobIdPart(node)}`;
