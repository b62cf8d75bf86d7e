/**
 * The environment of the bot and worker processes, validated at start. Every missing or invalid
 * setting becomes one line that names the variable and says what is expected.
 */
import { z } from 'zod';

export type Role = 'serve' | 'bot' | 'worker';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(s: T) => z.preprocess(blankToUndefined, s.optional());

const port = (fallback: number) => z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a port number' }).int().min(0, 'must be a port number').max(65535, 'must be a port number').default(fallback));

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.preprocess(blankToUndefined, z.string({ error: 'is missing: set the bot token (xoxb-…) from the Slack app' }).regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token (xoxb-…)')),
  SLACK_SIGNING_SECRET: opt(z.string().regex(/^[A-Za-z0-9]{16,}$/, 'must be the signing secret from the Slack app (Basic Information)')),
  SLACK_APP_TOKEN: opt(z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token (xapp-…) with connections:write')),
  SLACK_API_URL: opt(z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL, e.g. https://slack.com/api/')),
  REDIS_URL: z.preprocess(blankToUndefined, z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379')),
  TCPCHECK_CONFIG: opt(z.string()),
  /** Redis key prefix, so several installs (or test runs) can share one Redis. */
  TCPCHECK_QUEUE_PREFIX: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only').default('tcpcheck')),
  /** Public port: `/slack/events` only (HTTP mode). */
  PORT: port(3000),
  /** Cluster-internal port: `/healthz` and `/metrics`. */
  METRICS_PORT: port(9091),
});

export type BotEnv = z.infer<typeof envSchema>;

export type EnvResult = { ok: true; value: BotEnv } | { ok: false; issues: string[] };

/** Validates the environment for a role; the worker needs no signing secret. */
export function loadEnv(env: NodeJS.ProcessEnv, role: Role): EnvResult {
  const parsed = envSchema.safeParse(env);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')} ${i.message}`);
  if (role !== 'worker' && blankToUndefined(env.SLACK_SIGNING_SECRET) === undefined && blankToUndefined(env.SLACK_APP_TOKEN) === undefined) {
    issues.push('SLACK_SIGNING_SECRET is missing: set it for HTTP mode, or set SLACK_APP_TOKEN for Socket Mode');
  }
  if (parsed.success && role !== 'worker' && !parsed.data.SLACK_APP_TOKEN && parsed.data.PORT !== 0 && parsed.data.PORT === parsed.data.METRICS_PORT) {
    issues.push('METRICS_PORT must differ from PORT: /healthz and /metrics stay off the public Slack port');
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, value: parsed.data };
}
