/**
 * The two-sided freshness rule for `x-slack-request-timestamp`. Slack's rule is that a request's
 * timestamp is "within five minutes of local time"
 * (https://api.slack.com/authentication/verifying-requests-from-slack); Bolt's verifySlackRequest
 * rejects only timestamps more than five minutes in the PAST, so a request signed for a moment
 * in the future (by whoever once held the signing secret, or captured while a clock was wrong)
 * would stay replayable for as long as that future lasts. This check runs before Bolt's.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Slack's allowed skew either way, in seconds. */
export const MAX_SKEW_SEC = 5 * 60;

/**
 * True when `header` is a whole number of seconds within {@link MAX_SKEW_SEC} of `nowMs`, on
 * either side. A missing or malformed header is not fresh.
 */
export function isFreshTimestamp(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return false;
  return Math.abs(Number(header) - nowMs / 1000) <= MAX_SKEW_SEC;
}

/**
 * Wraps Bolt's request listener: a POST to `endpoint` whose timestamp is out of range is answered
 * 401 (as Bolt answers a stale one) before Bolt reads the body; everything else goes to Bolt.
 */
export function rejectUnfreshRequests(endpoint: string, next: RequestListener, onReject: (header: string | string[] | undefined) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === endpoint && !isFreshTimestamp(req.headers['x-slack-request-timestamp'], Date.now())) {
      onReject(req.headers['x-slack-request-timestamp']);
      // The body is never read: close the connection instead of keeping it alive behind unread bytes.
      res.writeHead(401, { 'content-type': 'text/plain', connection: 'close' }).end();
      return;
    }
    next(req, res);
  };
}
