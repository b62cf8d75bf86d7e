/**
 * JSON logs (pino) with secrets redacted. Slack tokens, signing secrets, `x-slack-signature`,
 * response URLs (a capability: anyone holding one can post as the app), SSH keys and passphrases
 * never reach a log line, neither as a field nor inside a message string.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Field paths pino replaces with `[redacted]`. One and two levels deep cover our call sites. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'passphrase',
  'privateKey',
  'responseUrl',
  'response_url',
  'authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.password',
  '*.passphrase',
  '*.privateKey',
  '*.responseUrl',
  '*.response_url',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
];

/**
 * Slack tokens (`xoxb-…`, `xapp-…`), hooks URLs and PEM private keys, wherever they appear in a
 * string. Kept broad on purpose: a false positive costs a log line's readability, a miss costs a token.
 */
const SECRET_PATTERN = /(xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|https:\/\/hooks\.slack\.com\/[^\s"]+|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)/g;

/** Replaces every secret-looking substring of `text` with `[redacted]`. */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, '[redacted]');
}

export interface LoggerOptions {
  /** @defaultValue `LOG_LEVEL` or `info` */
  level?: string;
  /** Where lines go; tests pass a stream to read them back. @defaultValue stdout */
  destination?: DestinationStream;
}

/** Creates the process logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { app: 'tcpcheck' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // Message strings are free text (error messages quote URLs and headers): scrub them too.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)));
      },
    },
    formatters: {
      log(obj: Record<string, unknown>) {
        const err = obj.err as { message?: unknown } | undefined;
        if (err && typeof err.message === 'string') err.message = scrubSecrets(err.message);
        return obj;
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
