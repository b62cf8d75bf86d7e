/**
 * A deep probe from Slack, end to end: `/tcpcheck NODE --deep` → queue (real Redis) → worker →
 * a lab node with the incident's pathologies over real SSH with real tcpdump and strace → the
 * thread in the Slack API double; and the one-probe-per-node lock.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNotFound } from '../../src/errors.js';
import { createDeepLock } from '../../src/queue/deep-lock.js';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { startLab, type Lab } from '../lab/lab.js';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.js';
import { labTransport } from './lab-node.js';

const text = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;

describe('/tcpcheck NODE --deep against a lab node', () => {
  let lab: Lab;
  let h: Harness;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcq-' });
    h = await startHarness({
      role: 'serve',
      nodes: ['lab-node-0'],
      deep: { allowed: true, seconds: 4 },
      slack: { attempts: 1, dedupeWindowSec: 0 },
      createTransport: async (name) => {
        if (name === 'lab-node-0') return labTransport(lab, 0);
        throw nodeNotFound(name);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
    await redis.quit();
  });

  /** Asks for a deep probe from `channel` and waits until its job has finished (a delivered failure ends `failed`). */
  const ask = async (channel: string) => {
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --deep --interval 1', channel_id: channel, response_url: h.double.responseUrl(channel) }), SIGNING_SECRET);
    const jobs = await h.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    const job = jobs.find((j) => j.data.channel === channel)!;
    await expect.poll(async () => (await h.queue.getJob(job.id!))?.getState(), { timeout: 60_000, interval: 250 }).toMatch(/^(completed|failed)$/);
  };

  it('threads the owner that never accepts, with the probe\'s cost on the parent and a Deep probe button', async () => {
    await ask('C0INCIDENT');
    expect(h.double.violations).toEqual([]);
    const parent = h.double.parents('C0INCIDENT')[0]!;
    expect(JSON.stringify(parent.blocks)).toMatch(/Deep probe: capture of [0-9, ]*31493/);
    expect(JSON.stringify(parent.blocks)).toContain('tcpcheck_deep');
    const thread = h.double.replies('C0INCIDENT', parent.ts).map(text).join('\n');
    expect(thread).toMatch(/kube-proxy \(pid \d+\) never called accept/);
    expect(thread).toMatch(/SYN retransmits? on 31493/);
  }, 90_000);

  it('runs at most one deep probe per node: a second one is refused while the lock is held', async () => {
    const release = await createDeepLock(redis, h.prefix).acquire('lab-node-0', 60_000);
    expect(release).not.toBeNull();
    try {
      await ask('C0OTHER');
      const parent = h.double.parents('C0OTHER')[0]!;
      expect(`${parent.text}\n${h.double.replies('C0OTHER', parent.ts).map(text).join('\n')}`).toMatch(/A deep probe of lab-node-0 is already running/);
    } finally {
      await release!();
    }
  }, 90_000);
});
