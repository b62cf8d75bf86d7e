/**
 * At most one deep probe per node at a time, across every worker: a Redis key per node, set with
 * NX and an expiry (so a worker that dies cannot hold it for ever), released only by its holder.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface DeepLock {
  /** Takes the node's lock for `ttlMs`; returns its release, or null when another probe holds it. */
  acquire(node: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
}

/** Deletes the key only while it still holds this holder's token (it may have expired and been retaken). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** A lock in Redis under `<prefix>:deep-lock:<node>`. */
export function createDeepLock(redis: Redis, prefix = 'tcpcheck'): DeepLock {
  return {
    async acquire(node, ttlMs) {
      const key = `${prefix}:deep-lock:${node}`;
      const token = randomUUID();
      const ok = await redis.set(key, token, 'PX', Math.max(1000, Math.trunc(ttlMs)), 'NX');
      if (ok !== 'OK') return null;
      return async () => {
        await redis.eval(RELEASE, 1, key, token);
      };
    },
  };
}
