/**
 * End to end: a signed `/tcpcheck` → Bolt → BullMQ (real Redis) → worker → a lab node over real SSH
 * with the incident's pathologies → the thread in the Slack API double.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNotFound } from '../../src/errors.js';
import { startLab, type Lab } from '../lab/lab.js';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.js';
import { labTransport, unreachableTransport } from './lab-node.js';

const text = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;

describe('a slash command against a lab node with the incident pathologies', () => {
  let lab: Lab;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcs-' });
    h = await startHarness({
      role: 'serve',
      nodes: ['lab-node-0', 'down-node'],
      slack: { attempts: 2, retryDelaySec: 1 },
      createTransport: async (name) => {
        if (name === 'lab-node-0') return labTransport(lab, 0);
        if (name === 'down-node') return unreachableTransport(lab);
        throw nodeNotFound(name);
      },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });

  it('posts a parent, updates it with the verdict, and threads the broken ports and peers', async () => {
    const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 1', response_url: h.double.responseUrl('e2e') }), SIGNING_SECRET);
    expect(JSON.parse(res.body)).toMatchObject({ response_type: 'ephemeral' });
    const [job] = await h.queue.getJobs(['waiting', 'active']);
    await expect.poll(async () => (await h.queue.getJob(job!.id!))?.getState(), { timeout: 60_000, interval: 250 }).toBe('completed');

    expect(h.double.violations).toEqual([]);
    const parents = h.double.parents('C0INCIDENT');
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(parent.history[0]!.text).toMatch(/checking lab-node-0… \(asked by <@U0ONCALL>\)/);
    expect(parent.history).toHaveLength(2);
    expect(parent.text).toMatch(/^CRITICAL on lab-node-0/);
    expect(JSON.stringify(parent.blocks)).toMatch(/tcpcheck_rerun.*tcpcheck_raw/);

    const thread = h.double.replies('C0INCIDENT', parent.ts).map(text).join('\n');
    expect(thread).toContain(String(lab.ports.trap));
    expect(thread).toContain(String(lab.ports.leak));
    expect(thread).toContain('kube-proxy');
    for (const peer of lab.peer.addresses) expect(thread).toContain(peer);
    expect(thread).toMatch(/CLOSE-WAIT/);
    expect(thread).toMatch(/net\.core\.somaxconn = 128/);

    const files = [...h.double.files.values()];
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ completed: true, channel: 'C0INCIDENT', threadTs: parent.ts });
    expect(files[0]!.bytes).toBeGreaterThan(files[0]!.length);
    expect((await h.queue.getJob(job!.id!))!.data.rawPermalink).toMatch(/\/files\/F/);
  });

  it('tells the thread in plain words when the node cannot be reached, after retrying', async () => {
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'down-node --interval 0', response_url: h.double.responseUrl('down') }), SIGNING_SECRET);
    const [job] = await h.queue.getJobs(['waiting', 'active', 'delayed']);
    await expect.poll(async () => (await h.queue.getJob(job!.id!))?.getState(), { timeout: 60_000, interval: 250 }).toBe('failed');
    const parent = h.double.parents('C0INCIDENT').find((p) => p.history[0]!.text.includes('down-node'))!;
    expect(parent.history.map((v) => v.text)).toEqual([
      expect.stringMatching(/checking down-node/),
      expect.stringMatching(/attempt 1 failed, trying again/),
      expect.stringMatching(/could not check it/),
    ]);
    const replies = h.double.replies('C0INCIDENT', parent.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/198\.18\./);
    expect(JSON.stringify(replies[0]!.blocks)).toMatch(/Next step:/);
    expect(h.double.violations).toEqual([]);
  });
});
