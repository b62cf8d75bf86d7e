/**
 * Keeps posting to a channel under Slack's limit of about one message per second per channel
 * (https://api.slack.com/apis/rate-limits#posting-messages), across every worker process: a Redis
 * key per channel that lives one interval, taken with SET NX PX before each post.
 */
import type { Redis } from 'ioredis';

export interface ChannelPacerOptions {
  /** Minimum gap between two messages in one channel. @defaultValue 1100 (1 s plus margin for clock skew) */
  intervalMs?: number;
  /** Give up waiting after this long. @defaultValue 300000 */
  maxWaitMs?: number;
  /** @defaultValue 'tcpcheck:pace' */
  prefix?: string;
}

export class ChannelPacer {
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    opts: ChannelPacerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1100;
    this.maxWaitMs = opts.maxWaitMs ?? 300_000;
    this.prefix = opts.prefix ?? 'tcpcheck:pace';
  }

  /** Resolves when this process may post one message to `channel`. */
  async wait(channel: string): Promise<void> {
    const key = `${this.prefix}:${channel}`;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      if ((await this.redis.set(key, '1', 'PX', this.intervalMs, 'NX')) === 'OK') return;
      if (Date.now() > deadline) throw new Error(`waited ${this.maxWaitMs} ms for a posting slot in ${channel}`);
      const ttl = await this.redis.pttl(key);
      await new Promise((r) => setTimeout(r, Math.max(20, Math.min(ttl, this.intervalMs))));
    }
  }
}
