/**
 * The diagnosis job as it sits in Redis. The producer (Slack bot) writes the request; the worker
 * adds its progress (`parentTs`, `repliesPosted`, …) with `job.updateData`, so a retried or
 * stalled-then-resumed job continues where the last attempt stopped and never posts twice.
 */
import { z } from 'zod';

/** The queue every bot and worker of one install shares. */
export const DIAGNOSE_QUEUE = 'tcpcheck-diagnose';

export const jobRequestSchema = z.object({
  /** The node as the user named it, already validated and resolved once by the bot. */
  node: z.string().min(1).max(253),
  intervalSec: z.number().int().min(0).max(60),
  /** Asked for as a deep probe (longer sampling). */
  deep: z.boolean(),
  /** Slack channel id where the thread goes. */
  channel: z.string().min(1),
  /** Slack user id of whoever asked. */
  user: z.string().min(1),
  /** Slash command or button `response_url`, to reach the user when the bot cannot post in the channel. */
  responseUrl: z.string().url().nullable(),
  /** What started it: the command, a Re-run or a Deep probe button. */
  origin: z.enum(['command', 'rerun', 'deep']),
});

export const jobProgressSchema = z.object({
  /** ts of the parent message once posted: later attempts update it instead of posting again. */
  parentTs: z.string().optional(),
  /** Thread replies already posted, so a retry posts only the rest. */
  repliesPosted: z.number().int().min(0).optional(),
  /** Set once the raw outputs were uploaded to the thread. */
  rawFileId: z.string().optional(),
  /** The permalink of the uploaded raw file, for the Show raw button. */
  rawPermalink: z.string().optional(),
  /** The report once analyzed, so a retry after a Slack failure re-posts the same verdict. */
  report: z.unknown().optional(),
  /** The raw outputs, kept with the report until they are uploaded (capped; see the worker). */
  raw: z.string().optional(),
  /** Set instead of `report` when the diagnosis failed for good: what the thread must say. */
  failure: z.object({ message: z.string(), hint: z.string() }).optional(),
  /** When posting to Slack first failed (ms since 1970); delivery is retried until the deadline. */
  deliveryFailingSince: z.number().optional(),
  /** Delivery attempts that met a Slack failure, for the backoff. */
  deliveryTries: z.number().int().min(0).optional(),
});

export const jobDataSchema = jobRequestSchema.extend(jobProgressSchema.shape);

export type JobRequest = z.infer<typeof jobRequestSchema>;
export type JobData = z.infer<typeof jobDataSchema>;

/** What the worker returns: stored by BullMQ as the job's result. */
export interface JobResult {
  severity: string;
  headline: string;
  parentTs: string;
}
