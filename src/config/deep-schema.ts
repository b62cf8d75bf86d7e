/**
 * The `deep:` section of the config file: whether the bot may run deep probes (tcpdump and
 * strace on the flagged ports, src/collect/plans/deep.ts), and for how long. The CLI's `--deep`
 * needs none of it: the person at the terminal holds the SSH credentials.
 *
 * ```yaml
 * deep:
 *   allowed: true     # /tcpcheck NODE --deep and the Deep probe button
 *   seconds: 10
 * ```
 */
import { z } from 'zod';

export const deepConfigSchema = z
  .object({
    /** The bot runs deep probes (for `slack.deepUsers`, or every allowed user when that is unset). @defaultValue false */
    allowed: z.boolean().default(false),
    /** How long a deep probe watches, 1..60. @defaultValue 10 */
    seconds: z.number().int().min(1).max(60).default(10),
  })
  .strict();

export type DeepConfig = z.infer<typeof deepConfigSchema>;
