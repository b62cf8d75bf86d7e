import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizeDeep } from '../../src/slack/authorize.js';
import { createDeepLock } from '../../src/queue/deep-lock.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(async () => {
  await redis.quit();
});

describe('createDeepLock on real Redis', () => {
  const prefix = `tcpcheck-test-${randomUUID()}`;
  const lock = createDeepLock(redis, prefix);

  it('lets one deep probe per node hold the lock at a time', async () => {
    const release = await lock.acquire('lab-node-0', 10_000);
    expect(release).not.toBeNull();
    expect(await lock.acquire('lab-node-0', 10_000)).toBeNull();
    // Another node is not held up.
    const other = await lock.acquire('lab-node-1', 10_000);
    expect(other).not.toBeNull();
    await release!();
    const again = await lock.acquire('lab-node-0', 10_000);
    expect(again).not.toBeNull();
    await again!();
    await other!();
  });

  it('expires by itself, and a late release does not free the next holder\'s lock', async () => {
    const first = await lock.acquire('lab-node-2', 1000);
    expect(await redis.pttl(`${prefix}:deep-lock:lab-node-2`)).toBeGreaterThan(0);
    await redis.pexpire(`${prefix}:deep-lock:lab-node-2`, 1);
    await new Promise((r) => setTimeout(r, 20));
    const second = await lock.acquire('lab-node-2', 10_000);
    expect(second).not.toBeNull();
    await first!();
    expect(await lock.acquire('lab-node-2', 10_000)).toBeNull();
    await second!();
  });
});

describe('authorizeDeep', () => {
  it.each([
    [false, undefined, 'U0ONCALL', false],
    [true, undefined, 'U0ONCALL', true],
    [true, ['U0ONCALL'], 'U0ONCALL', true],
    [true, ['U0ONCALL'], 'U0SECOND', false],
  ] as const)('deep.allowed %s, deepUsers %j, user %s → %s', (allowed, users, user, ok) => {
    expect(authorizeDeep(user, allowed, users).ok).toBe(ok);
  });
});
