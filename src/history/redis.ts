/**
 * The history in Redis, for the bot and the workers: each sweep is one string key holding its JSON,
 * indexed by a sorted set scored by start time (ms), so "since" is one ZRANGEBYSCORE. Saving writes
 * both in one MULTI, so a reader never sees an index entry without its record.
 */
import type { Redis } from 'ioredis';
import type { SweepRecord } from '../domain/sweep.js';
import { isSweepRecord, type HistoryStore } from './store.js';

export interface RedisHistoryOptions {
  /** Key prefix; installs sharing one Redis use their own. @defaultValue 'tcpcheck:history' */
  prefix?: string;
}

export class RedisHistory implements HistoryStore {
  private readonly index: string;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    opts: RedisHistoryOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'tcpcheck:history';
    this.index = `${this.prefix}:sweeps`;
  }

  private key(sweepId: string): string {
    return `${this.prefix}:sweep:${sweepId}`;
  }

  async save(record: SweepRecord): Promise<void> {
    await this.redis.multi().set(this.key(record.sweepId), JSON.stringify(record)).zadd(this.index, Date.parse(record.startedAt), record.sweepId).exec();
  }

  async list(since: Date): Promise<SweepRecord[]> {
    const ids = await this.redis.zrangebyscore(this.index, since.getTime(), '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    const out: SweepRecord[] = [];
    for (const v of values) {
      if (v === null) continue;
      try {
        const record: unknown = JSON.parse(v);
        if (isSweepRecord(record)) out.push(record);
      } catch {
        // A damaged value is one lost sweep in the history, not a failed sweep now.
      }
    }
    return out;
  }

  async prune(before: Date): Promise<number> {
    const ids = await this.redis.zrangebyscore(this.index, '-inf', `(${before.getTime()}`);
    if (ids.length === 0) return 0;
    await this.redis.multi().del(...ids.map((id) => this.key(id))).zrem(this.index, ...ids).exec();
    return ids.length;
  }

  /** The Redis connection belongs to the caller. */
  async close(): Promise<void> {}
}
