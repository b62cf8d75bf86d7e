/**
 * The `slack:` section of the config file: who may ask, and how the queue behaves.
 * Composed into the full config schema by src/config/index.ts.
 *
 * ```yaml
 * slack:
 *   allowedChannels: [C0123ABCD, incidents]   # channel ids, or names resolved to ids at start-up; empty: any channel
 *   allowedUsers: [U0123ABCD]                 # user ids, or names resolved to ids at start-up
 *   allowedUserGroups: [S0123ABCD]            # members of these user groups (needs usergroups:read)
 *   concurrency: 4
 *   dedupeWindowSec: 60
 *   sweepUsers: [U0123ABCD]                   # may run /tcpcheck sweep (nobody when empty)
 * ```
 */
import { z } from 'zod';

/** A channel id (`C…`, `G…`) or a channel name as Slack prints it (lower case, no `#`). */
const channelRef = z
  .string()
  .transform((s) => s.replace(/^#/, ''))
  .pipe(z.string().regex(/^([CGD][A-Z0-9]{2,}|[a-z0-9][a-z0-9_-]{0,79})$/, 'must be a channel id (C0123ABCD) or a channel name'));
const userRef = z.string().regex(/^([UW][A-Z0-9]{2,}|[a-z0-9][a-z0-9._-]{0,79})$/, 'must be a user id (U0123ABCD) or a user name');
const userGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a user group id (S0123ABCD)');

export const slackConfigSchema = z
  .object({
    /**
     * Channels where `/tcpcheck` may run: ids, or names the bot resolves to ids at start-up
     * (src/slack/access-lists.ts); requests are matched by `channel_id` only. @defaultValue [] (any channel)
     */
    allowedChannels: z.array(channelRef).default([]),
    /**
     * Users who may run it: ids, or names (handles) resolved to ids at start-up; requests are
     * matched by `user_id` only. With allowedUserGroups: a user in either list may. @defaultValue [] (anyone)
     */
    allowedUsers: z.array(userRef).default([]),
    /** User groups whose members may run it. @defaultValue [] */
    allowedUserGroups: z.array(userGroupId).default([]),
    /**
     * User ids (U…) who may ask for a deep probe (`--deep`, the Deep probe button) when config
     * `deep.allowed` is true. Unset: every allowed user. @defaultValue unset
     */
    deepUsers: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a user id (U0123ABCD)')).optional(),
    /** Jobs one worker runs at once. @defaultValue 4 */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** The same node asked for again within this many seconds joins the existing check. 0 turns it off. @defaultValue 60 */
    dedupeWindowSec: z.number().int().min(0).max(3600).default(60),
    /**
     * User ids who may start a sweep on demand (`/tcpcheck sweep`); ids only, since a user name is
     * display data its owner can change. @defaultValue [] (nobody)
     */
    sweepUsers: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a user id (U0123ABCD)')).default([]),
    /** Attempts per job for transient failures (unreachable, timeout). @defaultValue 3 */
    attempts: z.number().int().min(1).max(10).default(3),
    /** First retry delay; doubles per attempt. @defaultValue 5 */
    retryDelaySec: z.number().int().min(1).max(300).default(5),
    /**
     * How long a finished diagnosis keeps trying to reach Slack (5xx, timeouts) before it gives up
     * and tells the user through the command's `response_url` instead. @defaultValue 1800
     */
    deliveryDeadlineSec: z.number().int().min(10).max(86_400).default(1800),
    /** Re-run, Deep probe and Show raw buttons older than this are refused. @defaultValue 86400 */
    buttonTtlSec: z.number().int().min(60).max(30 * 86_400).default(86_400),
    /** Button presses one user may make per minute; more are refused. @defaultValue 5 */
    buttonsPerMinute: z.number().int().min(1).max(600).default(5),
  })
  .strict();

export type SlackConfig = z.infer<typeof slackConfigSchema>;

