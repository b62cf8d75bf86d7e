/**
 * The Slack Web API client as every tcpcheck process builds it: retries with backoff, 429
 * Retry-After honoured, and its log lines sent through pino. Without a logger, `@slack/web-api`
 * prints through its own ConsoleLogger (`[WARN]  web-api:WebClient:0 …`): plain text lines in the
 * middle of the JSON log stream, invisible to anything that parses the logs.
 */
import { LogLevel, WebClient, type Logger as SlackLogger, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../log.js';

/** The `@slack/logger` interface (used by Bolt and by WebClient) over pino. */
export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  // Slack's loggers are called with strings, and now and then an Error: keep the message, not "[object Object]".
  const text = (m: unknown[]) => m.map((x) => (x instanceof Error ? x.message : typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  return {
    debug: (...m: unknown[]) => log.debug({ slack: true }, text(m)),
    info: (...m: unknown[]) => log.info({ slack: true }, text(m)),
    warn: (...m: unknown[]) => log.warn({ slack: true }, text(m)),
    error: (...m: unknown[]) => log.error({ slack: true }, text(m)),
    // pino's own level filters; Bolt and WebClient only read this back.
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Client settings shared by the bot and the worker (Bolt adds its own logger to them). */
export function webClientOptions(apiUrl: string | undefined): WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 5000, randomize: true },
    rejectRateLimitedCalls: false,
    timeout: 10_000,
  };
}

/** A Web API client for `token` at `apiUrl` (default https://slack.com/api/) that logs through `log`. */
export function createWebClient(token: string, apiUrl: string | undefined, log: Logger): WebClient {
  return new WebClient(token, { ...webClientOptions(apiUrl), logger: slackLogger(log) });
}
