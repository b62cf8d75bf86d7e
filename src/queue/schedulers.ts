/**
 * Registers the config's sweep schedules as BullMQ job schedulers, idempotently across replicas and
 * restarts. Known pitfalls this works around:
 * - concurrent `upsertJobScheduler` calls from several replicas have left a scheduler with no next
 *   job, or two (taskforcesh/bullmq#3085, #2988, #2876): registration runs under a Redis lock
 *   (SET NX PX, released only by its holder), and an unchanged scheduler is not upserted at all;
 * - `removeJobScheduler` then `upsertJobScheduler` in close succession can leave no delayed job
 *   (bullmq#3063): a changed schedule is replaced by one upsert, never remove-then-upsert;
 * - upserts of a changed pattern were not applied to the already-delayed job before bullmq#3524:
 *   bullmq 6 has the fix, and the test checks the next job follows the new pattern.
 * Schedulers this install owns carry the `sweep-` id prefix; one no longer in the config is removed.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SweepSchedule } from '../config/sweep-schema.js';
import { SweepJobName, type SweepStartData } from './sweep-jobs.js';

const SCHEDULER_PREFIX = 'sweep-';

/** The scheduler id of a schedule. */
export const schedulerId = (name: string) => `${SCHEDULER_PREFIX}${name}`;

/** The start job's data a schedule produces. */
export function scheduleTemplate(s: SweepSchedule): SweepStartData {
  return { origin: s.name, channel: s.channel, nodes: s.nodes, nodeTimeoutSec: s.nodeTimeoutSec, intervalSec: s.intervalSec };
}

export interface RegisterResult {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

export interface RegisterOptions {
  /** Connection for the lock (any client of the queue's Redis). */
  redis: Redis;
  /** How long one registration may hold the lock. @defaultValue 30000 */
  lockMs?: number;
  /** How long to wait for another replica's registration. @defaultValue 60000 */
  waitMs?: number;
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

async function withLock<T>(key: string, opts: RegisterOptions, fn: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  while ((await opts.redis.set(key, token, 'PX', opts.lockMs ?? 30_000, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw new Error(`another replica has held ${key} for too long`);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    await opts.redis.eval(RELEASE, 1, key, token);
  }
}

/** Adds, replaces and removes job schedulers so the queue holds exactly the config's schedules. */
export async function registerSweepSchedulers(queue: Queue, schedules: readonly SweepSchedule[], opts: RegisterOptions): Promise<RegisterResult> {
  const lockKey = `${queue.opts.prefix ?? 'bull'}:${queue.name}:tcpcheck-register-lock`;
  return withLock(lockKey, opts, async () => {
    const result: RegisterResult = { added: [], updated: [], removed: [], unchanged: [] };
    const wanted = new Set(schedules.map((s) => schedulerId(s.name)));
    for (const s of schedules) {
      const id = schedulerId(s.name);
      const data = scheduleTemplate(s);
      const existing = await queue.getJobScheduler(id);
      const same = existing && existing.pattern === s.cron && existing.tz === s.tz && JSON.stringify(existing.template?.data) === JSON.stringify(data);
      if (same) {
        result.unchanged.push(s.name);
        continue;
      }
      await queue.upsertJobScheduler(id, { pattern: s.cron, tz: s.tz }, { name: SweepJobName.start, data, opts: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
      (existing ? result.updated : result.added).push(s.name);
    }
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      const id = existing.key;
      if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) {
        await queue.removeJobScheduler(id);
        result.removed.push(id.slice(SCHEDULER_PREFIX.length));
      }
    }
    return result;
  });
}
