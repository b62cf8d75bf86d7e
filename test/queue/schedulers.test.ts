/** Sweep schedules as BullMQ job schedulers on the real Redis at 127.0.0.1:6379, a unique queue per test. */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepScheduleSchema, type SweepSchedule } from '../../src/config/sweep-schema.js';
import { registerSweepSchedulers, schedulerId } from '../../src/queue/schedulers.js';

let redis: Redis;
const queues: Queue[] = [];
const schedule = (over: Partial<SweepSchedule> = {}): SweepSchedule => sweepScheduleSchema.parse({ name: 'daily', cron: '0 7 * * 1-5', tz: 'Europe/Berlin', channel: 'C0SWEEP', ...over });
/** A replica: its own connection and Queue object on the shared queue name. */
const replica = (name: string) => {
  const q = new Queue(name, { connection: new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null }), prefix: 'tcpcheck-test' });
  queues.push(q);
  return q;
};

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  for (const q of queues) {
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  redis.disconnect();
});

describe('registerSweepSchedulers', () => {
  it('leaves one scheduler and one next job when two replicas register at the same moment', async () => {
    const name = `sched-${randomUUID()}`;
    const [a, b] = [replica(name), replica(name)];
    const results = await Promise.all([registerSweepSchedulers(a, [schedule()], { redis }), registerSweepSchedulers(b, [schedule()], { redis })]);
    expect(results.map((r) => [r.added, r.unchanged])).toEqual(expect.arrayContaining([[['daily'], []], [[], ['daily']]]));
    expect(await a.getJobSchedulersCount()).toBe(1);
    expect(await a.getDelayedCount()).toBe(1);
    // A restart registers again: nothing changes.
    expect(await registerSweepSchedulers(replica(name), [schedule()], { redis })).toMatchObject({ unchanged: ['daily'], added: [], updated: [] });
    expect(await a.getDelayedCount()).toBe(1);
  });

  it('replaces a changed schedule: the next job follows the new cron', async () => {
    const name = `sched-${randomUUID()}`;
    const q = replica(name);
    await registerSweepSchedulers(q, [schedule()], { redis });
    const r = await registerSweepSchedulers(q, [schedule({ cron: '30 6 * * *', tz: 'UTC' })], { redis });
    expect(r.updated).toEqual(['daily']);
    const s = await q.getJobScheduler(schedulerId('daily'));
    expect(s).toMatchObject({ pattern: '30 6 * * *', tz: 'UTC' });
    const delayed = await q.getDelayed();
    expect(delayed).toHaveLength(1);
    const due = new Date(delayed[0]!.timestamp + (delayed[0]!.delay ?? 0));
    expect([due.getUTCHours(), due.getUTCMinutes()]).toEqual([6, 30]);
  });

  it('removes a schedule that left the config, and leaves schedulers it does not own', async () => {
    const name = `sched-${randomUUID()}`;
    const q = replica(name);
    await q.upsertJobScheduler('someone-else', { every: 3_600_000 });
    await registerSweepSchedulers(q, [schedule(), schedule({ name: 'weekly', cron: '0 8 * * 1' })], { redis });
    const r = await registerSweepSchedulers(q, [schedule()], { redis });
    expect(r.removed).toEqual(['weekly']);
    expect((await q.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['someone-else', schedulerId('daily')].sort());
    // The removed scheduler's next job went with it.
    expect((await q.getJobs(['delayed', 'waiting'])).map((j) => j.repeatJobKey).sort()).toEqual(['someone-else', schedulerId('daily')].sort());
  });
});
