/**
 * Redaction of secret-looking arguments in the command lines a node prints, so none reaches a
 * report, a Slack thread, a raw file or a saved bundle. Applied once where command lines are parsed
 * (owners section, `ps` in transcripts) and where saved raw text is rewritten ({@link redactBundle}).
 * What diagnosis needs stays: the binary name and ordinary flags such as `--proxy-mode=ipvs`.
 *
 *     /usr/bin/app --db-password=hunter2 --proxy-mode=ipvs   → /usr/bin/app --db-password=[redacted] --proxy-mode=ipvs
 *     app --token abc123                                     → app --token [redacted]
 *     app --upstream=https://bob:pw@db.internal:5432         → app --upstream=https://bob:[redacted]@db.internal:5432
 *     env AWS_SECRET_ACCESS_KEY=… app                        → env AWS_SECRET_ACCESS_KEY=[redacted] app
 */

export const REDACTED = '[redacted]';

/** Words that make a flag or variable name secret-looking. */
const SECRET_WORD = /pass(?:word|wd)?|pwd|token|secret|credential|api-?key|auth/i;
/** A flag whose value (after `=`) is secret: the words above, or any `key` (`--tls-key=`, `--access-key=`). */
const SECRET_FLAG_WITH_VALUE = /^(-{1,2}[^=\s]*(?:pass(?:word|wd)?|pwd|token|secret|credential|key|auth)[^=\s]*=)(.+)$/i;
/** A flag whose secret value is the next argument (`--password VALUE`). */
const SECRET_FLAG_ALONE = /^-{1,2}[A-Za-z0-9_.-]*$/;
/** An environment assignment (`DB_PASSWORD=…`, `API_KEY=…`). */
const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*=)(.+)$/;
const ENV_SECRET = /pass(?:word|wd)?|pwd|token|secret|credential|key|auth/i;

/** Redacts one argument list; the next argument after a bare secret flag is redacted too. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let redactNext = false;
  for (const arg of args) {
    if (redactNext && arg !== '' && !arg.startsWith('-')) {
      out.push(REDACTED);
      redactNext = false;
      continue;
    }
    redactNext = false;
    const flag = SECRET_FLAG_WITH_VALUE.exec(arg);
    if (flag) {
      out.push(`${flag[1]}${REDACTED}`);
      continue;
    }
    if (SECRET_FLAG_ALONE.test(arg) && SECRET_WORD.test(arg)) {
      out.push(arg);
      redactNext = true;
      continue;
    }
    const env = ENV_ASSIGNMENT.exec(arg);
    if (env && ENV_SECRET.test(env[1] ?? '')) {
      out.push(`${env[1]}${REDACTED}`);
      continue;
    }
    out.push(redactUrlPasswords(arg));
  }
  return out;
}

/** Redacts a command line whose arguments were joined by single spaces. */
export function redactCmdline(cmdline: string): string {
  return redactArgs(cmdline.split(' ')).join(' ');
}

/**
 * `scheme://user:password@host` → `scheme://user:[redacted]@host`. A scan from each `://`, not a
 * regular expression: an unanchored one backtracks quadratically on a megabyte argument.
 */
function redactUrlPasswords(arg: string): string {
  let out = '';
  let from = 0;
  for (let at = arg.indexOf('://'); at !== -1; at = arg.indexOf('://', from)) {
    const start = at + 3;
    let end = start;
    while (end < arg.length && !'/@ \t?#'.includes(arg[end] as string)) end++;
    const colon = arg.indexOf(':', start);
    if (arg[end] === '@' && colon !== -1 && colon < end) {
      out += `${arg.slice(from, colon + 1)}${REDACTED}@`;
      from = end + 1;
    } else {
      out += arg.slice(from, end);
      from = end;
    }
  }
  return out + arg.slice(from);
}
