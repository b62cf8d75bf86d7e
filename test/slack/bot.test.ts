import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionBody, postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { jobCount, SIGNING_SECRET, startHarness, type Harness } from './harness.js';

describe('the Bolt app over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ slack: { allowedChannels: ['C0INCIDENT', 'C0OTHER'], allowedUsers: ['U0ONCALL', 'U0SECOND'], dedupeWindowSec: 60 } });
  });
  afterAll(async () => {
    await h.stop();
  });
  const command = (text: string, fields: Record<string, string> = {}) => postSigned(h.eventsUrl, slashCommandBody({ text, response_url: h.double.responseUrl('cmd'), ...fields }), SIGNING_SECRET);

  describe('when a request is not signed by Slack', () => {
    it('answers 401 to a wrong signature and enqueues nothing', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0' }), 'not-the-secret');
      expect(res.status).toBe(401);
      expect(await jobCount(h.queue)).toBe(0);
    });
    it('answers 401 to a stale timestamp (replay), even with a valid signature for it', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0' }), SIGNING_SECRET, Math.floor(Date.now() / 1000) - 10 * 60);
      expect(res.status).toBe(401);
      expect(await jobCount(h.queue)).toBe(0);
    });
    it('answers 401 to a timestamp more than 5 minutes in the future, even with a valid signature for it', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0' }), SIGNING_SECRET, Math.floor(Date.now() / 1000) + 10 * 60);
      expect(res.status).toBe(401);
      expect(await jobCount(h.queue)).toBe(0);
      expect(h.logs.some((l) => l.msg === 'refused: Slack request timestamp more than 5 minutes from now')).toBe(true);
    });
    it.each([
      ['4 minutes ahead', 4 * 60],
      ['4 minutes behind', -4 * 60],
    ])('accepts a signed request whose clock is %s (Slack allows five minutes either way)', async (_label, skewSec) => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'help' }), SIGNING_SECRET, Math.floor(Date.now() / 1000) + skewSec);
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/Usage/);
    });
  });

  describe('when the text is hostile or malformed', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['a command substitution', 'lab-node-0 $(reboot)'],
      ['a pipe', 'lab-node-0 | sh'],
      ['a semicolon', 'lab-node-0; rm -rf /'],
      ['backticks', '`id`'],
      ['a newline', 'lab-node-0\nreboot'],
      ['quotes', '"lab-node-0"'],
      ['very long text', 'a'.repeat(5000)],
      ['unicode look-alikes', 'lab‐node‐0'],
      ['emoji', 'lab-node-0 🔥'],
      ['an unknown option', 'lab-node-0 --force'],
      ['an interval out of range', 'lab-node-0 --interval 999'],
      ['two nodes', 'lab-node-0 lab-node-1'],
      ['a label starting with a hyphen', '-lab'],
      ['a node the inventory does not know', 'not-in-inventory'],
    ])('refuses %s ephemerally and enqueues nothing', async (_label, text) => {
      const res = await command(text);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { response_type: string; text: string };
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toMatch(/Nothing was run/);
      expect(await jobCount(h.queue)).toBe(0);
    });
  });

  it('answers help without enqueuing', async () => {
    const body = JSON.parse((await command('help')).body) as { text: string };
    expect(body.text).toMatch(/Usage: `\/tcpcheck NODE/);
    expect(await jobCount(h.queue)).toBe(0);
  });

  describe('when the channel or user is not allowed', () => {
    it('refuses a channel outside allowedChannels, logs it, and enqueues nothing', async () => {
      const res = await command('lab-node-0', { channel_id: 'C0RANDOM', channel_name: 'random' });
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/not enabled in this channel/);
      expect(await jobCount(h.queue)).toBe(0);
      expect(h.logs.some((l) => (l.audit as { outcome?: string; channel?: string } | undefined)?.outcome === 'refused-auth' && (l.audit as { channel: string }).channel === 'C0RANDOM')).toBe(true);
    });
    it('refuses a user outside allowedUsers', async () => {
      const res = await command('lab-node-0', { user_id: 'U0STRANGER', user_name: 'stranger' });
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/not on the list/);
      expect(await jobCount(h.queue)).toBe(0);
    });
  });

  describe('when a node is asked for', () => {
    it('enqueues one job with the request and acknowledges ephemerally', async () => {
      const res = await command('lab-node-0 --interval 2');
      const body = JSON.parse(res.body) as { response_type: string; text: string };
      expect(body).toMatchObject({ response_type: 'ephemeral' });
      expect(body.text).toMatch(/Started a check of lab-node-0/);
      const jobs = await h.queue.getJobs(['waiting']);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.data).toMatchObject({ node: 'lab-node-0', intervalSec: 2, deep: false, channel: 'C0INCIDENT', user: 'U0ONCALL', responseUrl: h.double.responseUrl('cmd'), origin: 'command' });
    });

    it('joins the waiting job when the same node is asked again within the window, and says so in the channel', async () => {
      const res = await command('LAB-NODE-0', { user_id: 'U0SECOND', user_name: 'second' });
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/already being checked/);
      expect(await h.queue.getJobs(['waiting'])).toHaveLength(1);
      await expect.poll(() => h.double.callsOf('chat.postMessage').length).toBe(1);
      const post = h.double.callsOf('chat.postMessage')[0]!;
      expect(post.args.text).toMatch(/<@U0SECOND> asked for lab-node-0 too: joining the check already under way/);
      expect(post.outcome).toBe('ok');
    });

    it('joins the check still running when Re-run is pressed, instead of starting a second', async () => {
      const res = await postSigned(h.eventsUrl, blockActionBody({ actionId: 'tcpcheck_rerun', value: JSON.stringify({ node: 'lab-node-0', intervalSec: 1, issuedAt: Date.now() }), response_url: h.double.responseUrl('btn') }), SIGNING_SECRET);
      expect(res.status).toBe(200);
      await expect.poll(() => h.double.responses.filter((r) => r.id === 'btn').length).toBe(1);
      expect(h.double.responses.find((r) => r.id === 'btn')!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/already being checked/) });
      expect(await h.queue.getJobs(['waiting'])).toHaveLength(1);
    });

    it('refuses an expired button and enqueues nothing', async () => {
      const before = await jobCount(h.queue);
      const old = Date.now() - 2 * 86_400_000;
      await postSigned(h.eventsUrl, blockActionBody({ actionId: 'tcpcheck_rerun', value: JSON.stringify({ node: 'lab-node-0', intervalSec: 1, issuedAt: old }), response_url: h.double.responseUrl('old') }), SIGNING_SECRET);
      await expect.poll(() => h.double.responses.filter((r) => r.id === 'old').length).toBe(1);
      expect(String(h.double.responses.find((r) => r.id === 'old')!.body.text)).toMatch(/expired/);
      expect(await jobCount(h.queue)).toBe(before);
    });

    it('refuses a forged button value and enqueues nothing', async () => {
      const before = await jobCount(h.queue);
      await postSigned(h.eventsUrl, blockActionBody({ actionId: 'tcpcheck_rerun', value: JSON.stringify({ node: 'x; reboot' }), response_url: h.double.responseUrl('forged') }), SIGNING_SECRET);
      await expect.poll(() => h.double.responses.filter((r) => r.id === 'forged').length).toBe(1);
      expect(String(h.double.responses.find((r) => r.id === 'forged')!.body.text)).toMatch(/no node/);
      expect(await jobCount(h.queue)).toBe(before);
    });

    it('writes an audit line per request without the response URL', async () => {
      const audits = h.logs.filter((l) => l.audit);
      expect(audits.length).toBeGreaterThanOrEqual(20);
      expect(audits.every((l) => ['kind', 'user', 'channel', 'outcome'].every((k) => k in (l.audit as object)))).toBe(true);
      expect(h.rawLogs.join('\n')).not.toContain('/response/cmd');
      expect(h.rawLogs.join('\n')).not.toContain('xoxb-test');
    });
  });

  describe('operations endpoints', () => {
    it('reports healthy with Redis up', async () => {
      const res = await fetch(`${h.opsUrl}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', redis: 'up' });
    });
    it('exports request counts and queue depth', async () => {
      const text = await (await fetch(`${h.opsUrl}/metrics`)).text();
      expect(text).toMatch(/tcpcheck_requests_total\{kind="command",outcome="refused-input"\} 1[0-9]/);
      expect(text).toMatch(/tcpcheck_requests_total\{kind="command",outcome="enqueued"\} 1/);
      expect(text).toMatch(/tcpcheck_queue_jobs\{state="waiting"\} 1/);
      expect(text).toMatch(/tcpcheck_ack_seconds_bucket/);
    });
    it('serves nothing but /slack/events on the public port', async () => {
      for (const path of ['/healthz', '/metrics']) expect((await fetch(`${h.baseUrl}${path}`)).status).toBe(404);
    });
    it('serves no Slack endpoint on the ops port', async () => {
      const res = await postSigned(`${h.opsUrl}/slack/events`, slashCommandBody({ text: 'help' }), SIGNING_SECRET);
      expect(res.status).toBe(404);
      expect(h.running.metricsPort).not.toBe(h.running.port);
    });
  });
});

describe('when Redis is down', () => {
  let h: Harness;
  beforeAll(async () => {
    // Nothing listens on port 1 of loopback: the queue cannot connect.
    h = await startHarness({ redisUrl: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await h.running.stop(1000);
    await h.double.stop();
    await h.queue.close().catch(() => undefined);
  });

  it('still acknowledges, and says the queue is down', async () => {
    const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0' }), SIGNING_SECRET);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/Redis\) is not reachable/);
  });

  it('reports degraded health', async () => {
    const res = await fetch(`${h.opsUrl}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'degraded', redis: 'down' });
  });
});

describe('deep probes from Slack', () => {
  describe('when config deep.allowed is off', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ slack: { allowedUsers: ['U0ONCALL'] } });
    });
    afterAll(async () => {
      await h?.stop();
    });

    it('refuses /tcpcheck NODE --deep and enqueues nothing', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --deep', user_id: 'U0ONCALL', response_url: h.double.responseUrl('cmd') }), SIGNING_SECRET);
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/not enabled for this bot \(config `deep.allowed`\)/);
      expect(await jobCount(h.queue)).toBe(0);
    });
  });

  describe('when allowed for slack.deepUsers only', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ slack: { allowedUsers: ['U0ONCALL', 'U0SECOND'], deepUsers: ['U0ONCALL'] }, deep: { allowed: true, seconds: 10 } });
    });
    afterAll(async () => {
      await h?.stop();
    });

    it('refuses an allowed user who is not a deep user', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --deep', user_id: 'U0SECOND', response_url: h.double.responseUrl('cmd') }), SIGNING_SECRET);
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/slack.deepUsers/);
      expect(await jobCount(h.queue)).toBe(0);
    });

    it('enqueues a deep request for a deep user, at the standard interval', async () => {
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --deep', user_id: 'U0ONCALL', response_url: h.double.responseUrl('cmd') }), SIGNING_SECRET);
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/deep probe of lab-node-0/);
      const jobs = await h.queue.getJobs(['waiting', 'active', 'completed', 'failed']);
      expect(jobs.map((j) => j.data)).toEqual([expect.objectContaining({ node: 'lab-node-0', deep: true, intervalSec: 5, user: 'U0ONCALL' })]);
    });
  });
});
