/**
 * Joining a running check never tells a channel about a check running in another channel: the
 * requester may not be able to see that channel, nor know that its incident is under way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.js';

describe('a node asked for in two channels at once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ slack: { dedupeWindowSec: 60 } });
  });
  afterAll(async () => {
    await h.stop();
  });
  const command = (fields: Record<string, string>) => postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0', response_url: h.double.responseUrl('cmd'), ...fields }), SIGNING_SECRET);
  const replyText = async (res: Promise<{ body: string }>) => (JSON.parse((await res).body) as { text: string }).text;

  it('starts a separate check in the second channel and says nothing there about the first', async () => {
    expect(await replyText(command({ channel_id: 'C0SECRET', channel_name: 'sec-incident', user_id: 'U0SECURITY' }))).toMatch(/Started a check of lab-node-0/);
    const second = await replyText(command({ channel_id: 'C0PUBLIC', channel_name: 'general', user_id: 'U0OTHER' }));
    expect(second).toMatch(/Started a check of lab-node-0/);
    expect(second).not.toMatch(/U0SECURITY|C0SECRET/);
    const jobs = await h.queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data.channel).sort()).toEqual(['C0PUBLIC', 'C0SECRET']);
    // Give a join announcement (the only thing that would post) time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.double.callsOf('chat.postMessage')).toEqual([]);
  });

  it('still joins the running check when asked again in the same channel, and posts only there', async () => {
    const again = await replyText(command({ channel_id: 'C0PUBLIC', channel_name: 'general', user_id: 'U0THIRD' }));
    expect(again).toMatch(/already being checked \(asked by <@U0OTHER>\)/);
    expect(await h.queue.getJobs(['waiting'])).toHaveLength(2);
    await expect.poll(() => h.double.callsOf('chat.postMessage').length).toBe(1);
    const post = h.double.callsOf('chat.postMessage')[0]!;
    expect(post.args.channel).toBe('C0PUBLIC');
    expect(String(post.args.text)).toMatch(/<@U0THIRD> asked for lab-node-0 too/);
    expect(String(post.args.text)).not.toMatch(/U0SECURITY|C0SECRET/);
    expect(h.double.violations).toEqual([]);
  });
});
