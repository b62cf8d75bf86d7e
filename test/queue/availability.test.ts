/**
 * Every request gets an answer, exactly once: Slack failing for longer than the client's and the
 * queue's retries, chat.update alone failing, and a burst of Re-run presses. Real Redis, a real
 * lab node over SSH, the Slack API double.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockActionBody, postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { startLab, type Lab } from '../lab/lab.js';
import { jobCount, SIGNING_SECRET, startHarness, type Harness } from '../slack/harness.js';
import { labTransport } from '../slack/lab-node.js';

const unique = (h: Harness, channel: string, ts: string) => {
  const replies = h.double.replies(channel, ts).map((r) => `${r.text}${JSON.stringify(r.blocks)}`);
  return new Set(replies).size === replies.length;
};

describe('when Slack fails', () => {
  let lab: Lab;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tca-' });
    h = await startHarness({
      role: 'serve',
      slack: { attempts: 2, retryDelaySec: 1, dedupeWindowSec: 0, deliveryDeadlineSec: 12 },
      createTransport: async () => labTransport(lab, 0),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });
  afterEach(() => h.double.clearFaults());

  const run = async (channel: string, id: string) => {
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 0', channel_id: channel, response_url: h.double.responseUrl(id) }), SIGNING_SECRET);
    await expect.poll(async () => (await h.queue.getJobs(['waiting', 'active', 'delayed'])).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const [job] = await h.queue.getJobs(['waiting', 'active', 'delayed']);
    return job!;
  };

  it('posts the thread once Slack answers again, after more failures than the client and the queue retry', async () => {
    // Each Web API call retries 5 times (6 requests); two attempts of the old job would have used 12.
    h.double.failNext('chat.postMessage', { kind: 'http-error', status: 500 }, 14);
    const job = await run('C0OUTAGE', 'outage');
    await expect.poll(async () => (await h.queue.getJob(job.id!))?.getState(), { timeout: 90_000, interval: 250 }).toBe('completed');
    const parents = h.double.parents('C0OUTAGE');
    expect(parents).toHaveLength(1);
    expect(parents[0]!.text).toMatch(/^CRITICAL on lab-node-0/);
    expect(h.double.replies('C0OUTAGE', parents[0]!.ts).length).toBeGreaterThanOrEqual(3);
    expect(unique(h, 'C0OUTAGE', parents[0]!.ts)).toBe(true);
    expect(h.double.violations).toEqual([]);
  }, 120_000);

  it('repairs the parent when chat.update alone fails for a while', async () => {
    h.double.failNext('chat.update', { kind: 'http-error', status: 503 }, 9);
    const job = await run('C0UPDATE', 'update');
    await expect.poll(async () => (await h.queue.getJob(job.id!))?.getState(), { timeout: 90_000, interval: 250 }).toBe('completed');
    const parents = h.double.parents('C0UPDATE');
    expect(parents).toHaveLength(1);
    expect(parents[0]!.history[0]!.text).toMatch(/checking lab-node-0/);
    expect(parents[0]!.text).toMatch(/^CRITICAL on lab-node-0/);
    expect(unique(h, 'C0UPDATE', parents[0]!.ts)).toBe(true);
  }, 120_000);

  it('says the verdict in the thread, broadcast to the channel, when chat.update never comes back before the deadline', async () => {
    h.double.failNext('chat.update', { kind: 'http-error', status: 503 }, 1000);
    const job = await run('C0NOUPDATE', 'noupdate');
    await expect.poll(async () => (await h.queue.getJob(job.id!))?.getState(), { timeout: 90_000, interval: 250 }).toBe('failed');
    const parent = h.double.parents('C0NOUPDATE')[0]!;
    const broadcast = h.double.replies('C0NOUPDATE', parent.ts).find((r) => /could not write the thread/.test(r.text))!;
    expect(broadcast.text).toMatch(/CRITICAL on lab-node-0/);
    expect(h.double.callsOf('chat.postMessage').some((c) => String(c.args.reply_broadcast) === 'true' && c.outcome === 'ok')).toBe(true);
  }, 120_000);
});

describe('a burst of Re-run presses', () => {
  let lab: Lab;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcb-' });
    h = await startHarness({ role: 'serve', slack: { dedupeWindowSec: 60, buttonsPerMinute: 3 }, createTransport: async () => labTransport(lab, 0) });
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });

  const press = (user: string, id: string) =>
    postSigned(
      h.eventsUrl,
      blockActionBody({ actionId: 'tcpcheck_rerun', value: JSON.stringify({ node: 'lab-node-0', intervalSec: 0, issuedAt: Date.now() }), user_id: user, response_url: h.double.responseUrl(id) }),
      SIGNING_SECRET,
    );

  it('starts one fresh check for 15 presses after a finished one, and the others join it', async () => {
    const ack = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 0', response_url: h.double.responseUrl('first') }), SIGNING_SECRET);
    expect(ack.body).toMatch(/Started/);
    await expect.poll(async () => (await h.queue.getJobs(['waiting', 'active', 'completed'])).length, { timeout: 10_000 }).toBe(1);
    const [first] = await h.queue.getJobs(['waiting', 'active', 'completed']);
    await expect.poll(async () => (await h.queue.getJob(first!.id!))?.getState(), { timeout: 60_000, interval: 250 }).toBe('completed');
    await Promise.all(Array.from({ length: 15 }, (_, i) => press(`U0PRESS${i}`, `press-${i}`)));
    await expect.poll(() => h.double.responses.filter((r) => r.id.startsWith('press-')).length, { timeout: 10_000 }).toBe(15);
    expect(await jobCount(h.queue)).toBe(2);
    const started = h.double.responses.filter((r) => r.id.startsWith('press-') && /^Started/.test(String(r.body.text)));
    expect(started).toHaveLength(1);
    await expect.poll(() => h.double.parents('C0INCIDENT').length, { timeout: 60_000 }).toBe(2);
  }, 120_000);

  it('refuses presses past the per-user rate', async () => {
    for (let i = 0; i < 5; i++) await press('U0BUSY', `busy-${i}`);
    await expect.poll(() => h.double.responses.filter((r) => r.id.startsWith('busy-')).length, { timeout: 10_000 }).toBe(5);
    const refused = h.double.responses.filter((r) => r.id.startsWith('busy-') && /Too many button presses/.test(String(r.body.text)));
    expect(refused).toHaveLength(2);
  });
});
