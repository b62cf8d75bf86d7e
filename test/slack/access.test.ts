/**
 * Authorisation decides on ids only. `user_name` and `channel_name` in a request are whatever the
 * user (or a channel's creator) chose, so a name in the config is turned into an id once, at
 * start-up, through the Web API, and a request that merely carries that name gets nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { SlackApiDouble } from '../doubles/slack/server.js';
import { BOT_TOKEN, jobCount, SIGNING_SECRET, startHarness, type Harness } from './harness.js';

const workspace = {
  users: [
    { id: 'U0ONCALL', name: 'oncall' },
    { id: 'U0SECOND', name: 'second' },
    { id: 'U0GONE', name: 'former', deleted: true },
    { id: 'U0GROUPIE', name: 'groupie' },
    { id: 'U0OTHER', name: 'other' },
  ],
  channels: [
    { id: 'C0INCIDENT', name: 'incidents' },
    { id: 'G0PRIVATE', name: 'sec-ops', isPrivate: true },
    { id: 'C0OLD', name: 'old-incidents', isArchived: true },
    { id: 'C0RANDOM', name: 'random' },
  ],
  userGroups: { S0ONCALL: ['U0GROUPIE'] },
  // One entry per page: resolution must follow the cursors to the end.
  pageSize: 1,
};

describe('authorisation with names in the config', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ slack: { allowedUsers: ['oncall', 'U0SECOND'], allowedChannels: ['incidents', '#sec-ops'], allowedUserGroups: ['S0ONCALL'] }, workspace });
  });
  afterAll(async () => {
    await h.stop();
  });
  const command = (fields: Record<string, string>) => postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0', response_url: h.double.responseUrl('cmd'), ...fields }), SIGNING_SECRET);
  const answer = async (fields: Record<string, string>) => (JSON.parse((await command(fields)).body) as { text: string }).text;

  it('resolves the names at start-up through users.list and conversations.list, following every page', () => {
    expect(h.double.callsOf('users.list')).toHaveLength(workspace.users.length);
    expect(h.double.callsOf('conversations.list').length).toBeGreaterThanOrEqual(3);
    expect(h.double.callsOf('conversations.list')[0]!.args).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true' });
    expect([...h.double.callsOf('users.list'), ...h.double.callsOf('conversations.list')].every((c) => c.outcome === 'ok')).toBe(true);
    expect(h.double.violations).toEqual([]);
  });

  it('refuses someone who took an allowed user name, and enqueues nothing', async () => {
    expect(await answer({ user_id: 'U0IMPOSTOR', user_name: 'oncall' })).toMatch(/not on the list/);
    expect(await jobCount(h.queue)).toBe(0);
  });

  it('refuses a channel that carries an allowed channel name but is another channel', async () => {
    expect(await answer({ channel_id: 'C0LOOKALIKE', channel_name: 'incidents' })).toMatch(/not enabled in this channel/);
    expect(await jobCount(h.queue)).toBe(0);
  });

  it('allows the user and the channels the names resolved to, whatever names the request carries', async () => {
    expect(await answer({ user_id: 'U0ONCALL', user_name: 'renamed', channel_id: 'C0INCIDENT', channel_name: 'renamed-channel' })).toMatch(/Started a check/);
    expect(await answer({ user_id: 'U0SECOND', user_name: 'x', channel_id: 'G0PRIVATE', channel_name: 'x' })).toMatch(/already being checked|Started a check/);
  });

  it('allows members of an allowed user group (usergroups.users.list), and no one else', async () => {
    expect(await answer({ user_id: 'U0GROUPIE', user_name: 'groupie', channel_id: 'C0INCIDENT' })).not.toMatch(/not on the list/);
    expect(await answer({ user_id: 'U0OTHER', user_name: 'groupie', channel_id: 'C0INCIDENT' })).toMatch(/not on the list/);
    expect(h.double.callsOf('usergroups.users.list').map((c) => c.args.usergroup)).toContain('S0ONCALL');
  });
});

describe('authorisation with ids only in the config', () => {
  it('asks Slack for no user or channel list', async () => {
    const h = await startHarness({ slack: { allowedUsers: ['U0ONCALL'], allowedChannels: ['C0INCIDENT'] }, workspace });
    try {
      expect(h.double.callsOf('users.list')).toEqual([]);
      expect(h.double.callsOf('conversations.list')).toEqual([]);
      const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0', user_id: 'U0ONCALL', user_name: 'not-oncall' }), SIGNING_SECRET);
      expect((JSON.parse(res.body) as { text: string }).text).toMatch(/Started a check/);
    } finally {
      await h.stop();
    }
  });
});

describe('a name in the config that does not resolve', () => {
  it.each([
    ['an unknown user', { allowedUsers: ['nobody'] }, /slack\.allowedUsers: no active Slack user named "nobody"/],
    ['a deactivated user', { allowedUsers: ['oncall', 'former'] }, /slack\.allowedUsers: no active Slack user named "former"/],
    ['an unknown channel', { allowedChannels: ['incidents', 'no-such-channel'] }, /slack\.allowedChannels: no channel named "no-such-channel"/],
    ['an archived channel', { allowedChannels: ['old-incidents'] }, /slack\.allowedChannels: no channel named "old-incidents"/],
  ])('stops start-up on %s, naming it', async (_label, slack, message) => {
    await expect(startHarness({ slack, workspace })).rejects.toThrow(message);
  });

  it('says which scope is missing when Slack refuses the list', async () => {
    const double = new SlackApiDouble({ ...workspace, token: BOT_TOKEN });
    await double.start();
    try {
      double.failNext('users.list', { kind: 'slack-error', error: 'missing_scope' });
      await expect(startHarness({ slack: { allowedUsers: ['oncall'] }, double })).rejects.toThrow(/users\.list needs the users:read scope/);
    } finally {
      await double.stop();
    }
  });
});
