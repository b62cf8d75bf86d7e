/**
 * Delivers a sweep's digest to a channel exactly once, however often the digest job is retried:
 * the parent message carries the sweep id in Slack message metadata (`event_type:
 * tcpcheck_sweep`), each thread part its number (`tcpcheck_sweep_part`), the chart a file name with
 * the sweep id. Before posting anything, a retry looks in the channel (conversations.history) and
 * the thread (conversations.replies) for what an earlier attempt already posted, so a worker that
 * died between posting and recording its progress still leaves one parent, one of each part and
 * one chart. Every post waits for the channel's pacer (about one message per second).
 */
import type { WebClient } from '@slack/web-api';
import type { SweepResult } from '../domain/sweep.js';
import { renderSweepDigest } from '../render/slack-digest.js';
import type { ChannelPacer } from './channel-pacer.js';

export const SWEEP_EVENT = 'tcpcheck_sweep';
export const SWEEP_PART_EVENT = 'tcpcheck_sweep_part';

/** What an earlier attempt recorded; updated through `save` after each step. */
export interface DigestProgress {
  parentTs?: string;
  partsPosted?: number;
  chartFileId?: string;
}

export interface DeliverDigestOptions {
  web: WebClient;
  pacer: ChannelPacer;
  channel: string;
  /** Names the sweep in the header: the schedule, or who asked. */
  title: string;
  result: SweepResult;
  progress: DigestProgress;
  save: (patch: DigestProgress) => Promise<void>;
  /** The trend chart as PNG, or null to post none. */
  chart?: () => Promise<Buffer | null>;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  files?: Array<{ id?: string; name?: string }>;
}

/** Slack ts of a time, a minute early, to bound the history search. */
const tsOf = (iso: string) => String(Math.floor(Date.parse(iso) / 1000) - 60);

/** Finds the parent an earlier attempt posted for this sweep. */
async function findParent(web: WebClient, channel: string, sweepId: string, startedAt: string): Promise<string | null> {
  let cursor: string | undefined;
  // Bounded: the digest is posted after the sweep started, so a few pages of history reach back far enough.
  for (let page = 0; page < 10; page++) {
    const res = await web.conversations.history({ channel, oldest: tsOf(startedAt), include_all_metadata: true, limit: 200, cursor });
    for (const m of (res.messages ?? []) as HistoryMessage[]) {
      if (m.metadata?.event_type === SWEEP_EVENT && m.metadata.event_payload?.sweepId === sweepId && m.ts) return m.ts;
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}

/** The thread's messages (parent first), all pages. */
async function readThread(web: WebClient, channel: string, ts: string): Promise<HistoryMessage[]> {
  const out: HistoryMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await web.conversations.replies({ channel, ts, include_all_metadata: true, limit: 200, cursor });
    out.push(...((res.messages ?? []) as HistoryMessage[]));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return out;
}

export const chartFileName = (sweepId: string) => `tcpcheck-sweep-${sweepId.replace(/[^A-Za-z0-9._-]/g, '-')}.png`;

/** Posts (or finishes posting) the digest. Returns the parent's ts. */
export async function deliverDigest(opts: DeliverDigestOptions): Promise<string> {
  const { web, pacer, channel, result } = opts;
  const digest = renderSweepDigest(result, opts.title);
  const metadata = { event_type: SWEEP_EVENT, event_payload: { sweepId: result.sweepId } };
  let parentTs = opts.progress.parentTs ?? (await findParent(web, channel, result.sweepId, result.startedAt));
  if (parentTs) {
    await web.chat.update({ channel, ts: parentTs, text: digest.parent.text, blocks: digest.parent.blocks, metadata });
  } else {
    await pacer.wait(channel);
    const res = await web.chat.postMessage({ channel, text: digest.parent.text, blocks: digest.parent.blocks, metadata });
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    parentTs = res.ts;
  }
  if (opts.progress.parentTs !== parentTs) await opts.save({ parentTs });

  const done = opts.progress.partsPosted ?? 0;
  const needChart = opts.chart && !opts.progress.chartFileId;
  if (done < digest.parts.length || needChart) {
    const thread = await readThread(web, channel, parentTs);
    const posted = new Set(thread.filter((m) => m.metadata?.event_type === SWEEP_PART_EVENT && m.metadata.event_payload?.sweepId === result.sweepId).map((m) => Number(m.metadata!.event_payload!.part)));
    for (let i = 0; i < digest.parts.length; i++) {
      if (posted.has(i + 1)) continue;
      const part = digest.parts[i]!;
      await pacer.wait(channel);
      await web.chat.postMessage({ channel, thread_ts: parentTs, text: part.text, blocks: part.blocks, metadata: { event_type: SWEEP_PART_EVENT, event_payload: { sweepId: result.sweepId, part: i + 1 } } });
      await opts.save({ partsPosted: i + 1 });
    }
    if (needChart) {
      const name = chartFileName(result.sweepId);
      const existing = thread.flatMap((m) => m.files ?? []).find((f) => f.name === name);
      if (existing?.id) {
        await opts.save({ chartFileId: existing.id });
      } else {
        const png = await opts.chart!();
        if (png) {
          await pacer.wait(channel);
          const upload = await web.filesUploadV2({ channel_id: channel, thread_ts: parentTs, filename: name, title: `Trend: CLOSE-WAIT and full queues per node`, file: png });
          const file = (upload.files as Array<{ files?: Array<{ id?: string }> }> | undefined)?.[0]?.files?.[0];
          await opts.save({ chartFileId: file?.id ?? 'uploaded' });
        }
      }
    }
  }
  return parentTs;
}
