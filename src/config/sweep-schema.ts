/**
 * The `sweeps:` and `history:` sections of the config file: scheduled fleet sweeps that post one
 * digest to a channel, and how long their history is kept. Composed into the full config schema by
 * src/config/index.ts.
 *
 * ```yaml
 * sweeps:
 *   - name: daily
 *     cron: "0 7 * * 1-5"         # cron, optional seconds field
 *     tz: Europe/Berlin
 *     channel: C0123ABCD          # where the digest goes
 *     nodes: all                  # all inventory nodes | [names] | {selector: "node-role=worker"}
 *     concurrency: 10
 *     nodeTimeoutSec: 60
 *     intervalSec: 5
 * history:
 *   retentionDays: 30
 * ```
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { isHostOrAddress, isLabelSelector } from './names.js';

/** True when cron-parser (the parser BullMQ's job schedulers use) accepts the expression in the zone. */
function isCron(expr: string, tz: string): boolean {
  try {
    CronExpressionParser.parse(expr, { tz });
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const nodeName = z.string().refine(isHostOrAddress, 'must be a node name (RFC 1123) or an address').transform((s) => s.toLowerCase());

/** Which nodes a sweep covers. */
export const sweepNodesSchema = z.union([
  z.literal('all'),
  z.array(nodeName).min(1, 'list at least one node, or say all'),
  z.object({ selector: z.string().refine(isLabelSelector, 'must be a label selector such as node-role=worker') }).strict(),
]);

export const sweepScheduleSchema = z
  .object({
    /** Identifies the schedule across restarts and replicas (its BullMQ job scheduler id). */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and "-"'),
    /** Five fields, or six with seconds first (cron-parser syntax). */
    cron: z.string().min(1),
    /** IANA time zone the cron is read in. @defaultValue 'UTC' */
    tz: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
    /** Channel id the digest is posted to. */
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id (C0123ABCD)'),
    /** @defaultValue 'all' (every inventory node) */
    nodes: sweepNodesSchema.default('all'),
    /** Nodes checked at once, across all workers. @defaultValue 10 */
    concurrency: z.number().int().min(1).max(200).default(10),
    /** A node taking longer is a row with `command_timeout`. @defaultValue 60 */
    nodeTimeoutSec: z.number().int().min(5).max(600).default(60),
    /** Seconds between the two samples on each node. @defaultValue 5 */
    intervalSec: z.number().int().min(0).max(60).default(5),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!isCron(s.cron, s.tz)) ctx.addIssue({ code: 'custom', message: 'must be a cron expression (5 fields, or 6 with seconds)', path: ['cron'] });
  });

export const sweepsSchema = z
  .array(sweepScheduleSchema)
  .default([])
  .superRefine((sweeps, ctx) => {
    const seen = new Set<string>();
    sweeps.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', message: `duplicate sweep name "${s.name}"`, path: [i, 'name'] });
      seen.add(s.name);
    });
  });

export const historySchema = z
  .object({
    /** Sweeps older than this are deleted and not compared with. @defaultValue 30 */
    retentionDays: z.number().int().min(1).max(400).default(30),
  })
  .strict();

export type SweepSchedule = z.infer<typeof sweepScheduleSchema>;
export type SweepNodes = z.infer<typeof sweepNodesSchema>;
