/**
 * `/tcpcheck sweep` and `/tcpcheck history` end to end: signed commands → Bolt (`serve`, the real
 * runtime and the config's inventory) → BullMQ flow on the real Redis → a lab node over real SSH →
 * the digest in the Slack API double; then the history read back from Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/app/inventory.js';
import { SWEEP_EVENT } from '../../src/deliver/slack-digest.js';
import { parseCommandText } from '../../src/slack/command-text.js';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { startLab, type Lab } from '../lab/lab.js';
import { SIGNING_SECRET, startHarness, type Harness } from '../slack/harness.js';
import { writeLabConfig } from './lab-config.js';

const CHANNEL = 'C0SWEEPCMD';
const command = async (h: Harness, text: string, user = 'U0SWEEPER') =>
  JSON.parse((await postSigned(h.eventsUrl, slashCommandBody({ text, user_id: user, channel_id: CHANNEL }), SIGNING_SECRET)).body) as { text: string };

describe('parseCommandText for sweeps', () => {
  it.each([
    ['sweep', { kind: 'sweep', nodes: [] }],
    ['sweep Node-A node-b node-a', { kind: 'sweep', nodes: ['node-a', 'node-b'] }],
    ['history node-a', { kind: 'history', node: 'node-a' }],
  ])('reads %j', (text, value) => {
    expect(parseCommandText(text)).toEqual({ ok: true, value });
  });

  it.each(['history', 'history a b', 'sweep --all', 'sweep bad_name'])('refuses %j with a reason', (text) => {
    const r = parseCommandText(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.issues).not.toEqual([]);
  });
});

describe('the sweep commands in Slack', () => {
  let lab: Lab;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tsc-', pathologies: false });
    const inventory = await loadInventory(await writeLabConfig(lab, { slack: { sweepUsers: ['U0SWEEPER'] }, limits: { intervalSec: 0 } }));
    h = await startHarness({ role: 'serve', inventory });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
  });

  it('refuses a sweep to someone not in slack.sweepUsers, and starts nothing', async () => {
    expect((await command(h, 'sweep', 'U0SOMEONE')).text).toMatch(/slack\.sweepUsers/);
    expect(h.double.parents(CHANNEL)).toEqual([]);
  });

  it('sweeps the inventory for a sweep user and posts one digest in the channel', async () => {
    expect((await command(h, 'sweep')).text).toMatch(/Started a sweep of every inventory node/);
    await expect.poll(() => h.double.parents(CHANNEL).filter((m) => m.metadata?.event_type === SWEEP_EVENT).length, { timeout: 60_000, interval: 200 }).toBe(1);
    const digest = h.double.parents(CHANNEL)[0]!;
    expect(digest.text).toMatch(/1 nodes: 0 critical, 0 warning, 1 healthy, 0 unreachable/);
    expect(h.double.violations).toEqual([]);
  });

  it('lists the node’s sweeps with /tcpcheck history', async () => {
    await expect.poll(async () => (await command(h, 'history lab-node-0')).text, { timeout: 10_000, interval: 200 }).toMatch(/Last 1 sweeps of lab-node-0.*HEALTHY \*lab-node-0\*.*first sweep of this node/s);
    expect((await command(h, 'history lab-node-9')).text).toMatch(/No sweep in the last 30 days included lab-node-9/);
  });
});
