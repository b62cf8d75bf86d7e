/**
 * The Slack thread sink: a parent message that says "checking…" while the diagnosis runs and then
 * carries the verdict, replies with the evidence, and the raw outputs as a file.
 *
 * Resumable: every step records its progress (`parentTs`, `repliesPosted`, `rawFileId`) through
 * `saveProgress` before the next starts, so an attempt that fails half-way (Slack 5xx, a killed
 * worker) is resumed by the next without posting anything twice: the parent is posted once and
 * then only updated, replies already posted are skipped, the raw file is uploaded once.
 */
import type { WebClient } from '@slack/web-api';
import { slackRefused } from '../errors.js';
import type { Logger } from '../log.js';
import { encodeButtonValue, renderSlackThread, type SlackMessage } from '../render/slack-blocks.js';
import { failureMessages, NOT_IN_CHANNEL_TEXT, pendingParent } from '../render/slack-status.js';
import type { Delivery, Failure, Sink } from './sink.js';
import { PERMANENT_SLACK_ERRORS, slackErrorCode } from './slack-errors.js';

/** Who asked for what, and where the thread goes. */
export interface ThreadRequest {
  channel: string;
  node: string;
  user: string;
  intervalSec: number;
  deep: boolean;
  /** The slash command's `response_url`, to reach the user when the bot cannot post in the channel. */
  responseUrl: string | null;
  /** The job id, carried by the Show raw button. */
  jobId: string;
  /** When the request was made (ms since 1970): buttons carry it and expire after `slack.buttonTtlSec`. */
  issuedAtMs: number;
  /** Offer the Deep probe button (the bot may run deep probes). @defaultValue false */
  deepButton?: boolean;
}

/** How far the thread got; kept with the job between attempts. */
export interface ThreadProgress {
  parentTs?: string;
  repliesPosted?: number;
  rawFileId?: string;
  rawPermalink?: string;
}

export type ResponsePoster = (url: string, body: { response_type: 'ephemeral'; text: string }) => Promise<void>;

export interface SlackThreadSinkOptions {
  web: WebClient;
  request: ThreadRequest;
  /** The progress so far (read before every step). */
  progress: () => ThreadProgress;
  /** Records progress; `raw: undefined` drops the raw text once it is uploaded. */
  saveProgress: (patch: ThreadProgress & { raw?: undefined }) => Promise<void>;
  logger: Logger;
  /** Posts an ephemeral message to a `response_url`. @defaultValue a JSON POST with fetch */
  postResponse?: ResponsePoster;
}

export interface SlackThreadSink extends Sink {
  /** Posts the "checking…" parent, once per request (a resumed attempt reuses it). */
  open(): Promise<void>;
  /**
   * The last resort when Slack would not take the thread before the deadline: one message in the
   * thread, broadcast to the channel (`reply_broadcast`), else the command's `response_url`.
   * True when the user was reached.
   */
  fallback(text: string): Promise<boolean>;
}

async function postResponseWithFetch(url: string, body: { response_type: 'ephemeral'; text: string }): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

export function createSlackThreadSink(opts: SlackThreadSinkOptions): SlackThreadSink {
  const { web, request, logger } = opts;
  const postResponse = opts.postResponse ?? postResponseWithFetch;

  /**
   * A Slack failure no retry can fix becomes a non-retryable `slack_refused` (after telling the
   * user through `response_url` when it is about the channel); others are rethrown for a retry.
   */
  async function rethrow(err: unknown): Promise<never> {
    const code = slackErrorCode(err);
    if ((code === 'not_in_channel' || code === 'channel_not_found') && request.responseUrl) {
      await postResponse(request.responseUrl, { response_type: 'ephemeral', text: NOT_IN_CHANNEL_TEXT }).catch((e: unknown) => logger.warn({ err: e }, 'response_url failed'));
    }
    if (code && PERMANENT_SLACK_ERRORS.has(code)) throw slackRefused(code);
    throw err;
  }

  const post = (m: SlackMessage, threadTs?: string) =>
    web.chat.postMessage({ channel: request.channel, ...(threadTs ? { thread_ts: threadTs } : {}), text: m.text, blocks: m.blocks });
  const update = (ts: string, m: SlackMessage) => web.chat.update({ channel: request.channel, ts, text: m.text, blocks: m.blocks });

  /** The parent: the one already posted, or a new one carrying `first`. */
  async function ensureParent(first: SlackMessage): Promise<string> {
    const known = opts.progress().parentTs;
    if (known) return known;
    const res = await post(first).catch(rethrow);
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    await opts.saveProgress({ parentTs: res.ts });
    return res.ts;
  }

  return {
    async open() {
      await ensureParent(pendingParent(request.node, request.user, request.intervalSec, request.deep));
    },

    /**
     * Replies and the raw file first, the verdict on the parent last: when chat.update is what
     * fails, the evidence is already in the thread and only the parent is retried.
     */
    async deliver({ report, raw }: Delivery) {
      const rerun = encodeButtonValue(request.node, request.intervalSec, request.issuedAtMs);
      const thread = renderSlackThread(report, { buttons: { rerun, raw: request.jobId, ...(request.deepButton ? { deep: rerun } : {}) } });
      const parentTs = await ensureParent(thread.parent);
      for (let i = opts.progress().repliesPosted ?? 0; i < thread.replies.length; i++) {
        await post(thread.replies[i]!, parentTs).catch(rethrow);
        await opts.saveProgress({ repliesPosted: i + 1 });
      }
      if (!opts.progress().rawFileId && raw !== null) {
        const upload = await web
          .filesUploadV2({ channel_id: request.channel, thread_ts: parentTs, filename: `tcpcheck-${request.node}-raw.txt`, title: `Raw outputs from ${request.node}`, content: raw })
          .catch(rethrow);
        const file = (upload.files as Array<{ files?: Array<{ id?: string; permalink?: string }> }> | undefined)?.[0]?.files?.[0];
        await opts.saveProgress({ rawFileId: file?.id ?? 'uploaded', rawPermalink: file?.permalink, raw: undefined });
      }
      await update(parentTs, thread.parent).catch(rethrow);
    },

    /**
     * Tells the channel why the diagnosis failed. While retries remain only the parent changes
     * ("attempt 1 failed, trying again"); the thread reply with the next step comes once, at the end.
     */
    async fail(failure: Failure) {
      const { parent, reply } = failureMessages(request.node, failure.message, failure.hint, failure.willRetry, failure.attempt);
      const known = opts.progress().parentTs;
      const parentTs = await ensureParent(parent);
      if (known) await update(parentTs, parent).catch(rethrow);
      if (!failure.willRetry && !opts.progress().repliesPosted) {
        await post(reply, parentTs).catch(rethrow);
        await opts.saveProgress({ repliesPosted: 1 });
      }
    },

    async fallback(text: string) {
      const parentTs = opts.progress().parentTs;
      if (parentTs) {
        const posted = await web.chat
          .postMessage({ channel: request.channel, thread_ts: parentTs, reply_broadcast: true, text })
          .then(() => true, (err: unknown) => (logger.warn({ err }, 'fallback reply failed'), false));
        if (posted) return true;
      }
      if (!request.responseUrl) return false;
      return postResponse(request.responseUrl, { response_type: 'ephemeral', text }).then(
        () => true,
        (err: unknown) => (logger.warn({ err }, 'response_url failed'), false),
      );
    },
  };
}
