/**
 * Turns the names in `slack.allowedUsers` and `slack.allowedChannels` into Slack ids, once, at
 * start-up. Authorisation then compares ids only: a slash command's `user_name` and
 * `channel_name` are display data that a user can change (profile, channel rename) or register
 * (a new channel under a freed name), while `user_id` / `channel_id` never change.
 *
 * A name that does not resolve stops start-up: guessing would either lock everyone out or, worse,
 * let a later namesake in.
 */
import type { WebClient } from '@slack/web-api';
import type { SlackConfig } from '../config/slack-schema.js';
import { configInvalid } from '../errors.js';
import { slackErrorCode } from '../deliver/slack-errors.js';

/** User ids: `U…`, or `W…` on Enterprise Grid. */
export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** Channel ids: `C…` public, `G…` older private channels, `D…` direct messages. */
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** Page size for users.list / conversations.list (Slack recommends at most 200). */
const PAGE = 200;
/** A bound on pages walked (200k users or channels), so a misbehaving API cannot loop forever. */
const MAX_PAGES = 1000;

type Page = { ok?: boolean; response_metadata?: { next_cursor?: string } };

/** Walks a cursor-paginated list method; `pick` returns the page's `[name, id]` pairs. */
async function nameIndex(call: (cursor: string | undefined) => Promise<Page>, pick: (page: Page) => Array<[string, string]>): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await call(cursor);
    for (const [name, id] of pick(page)) index.set(name, id);
    cursor = page.response_metadata?.next_cursor || undefined;
    if (!cursor) return index;
  }
  throw new Error(`more than ${MAX_PAGES} pages`);
}

/** Why a Web API call failed, with the scope Slack says is missing. */
function describe(method: string, scope: string, err: unknown): string {
  const code = slackErrorCode(err);
  if (code === 'missing_scope') return `${method} needs the ${scope} scope (add it to the Slack app and reinstall it, or list ids instead of names)`;
  return `${method} failed: ${code ?? (err as Error).message}`;
}

/**
 * Returns `config` with every user and channel name replaced by its id; ids are kept as they are.
 * Makes no API call when the lists hold ids only. Throws one config error that names every name
 * that did not resolve.
 */
export async function resolveAccessLists(web: WebClient, config: SlackConfig): Promise<SlackConfig> {
  const userNames = config.allowedUsers.filter((u) => !USER_ID.test(u));
  const channelNames = config.allowedChannels.filter((c) => !CHANNEL_ID.test(c));
  if (userNames.length === 0 && channelNames.length === 0) return config;

  const problems: string[] = [];
  let users = new Map<string, string>();
  let channels = new Map<string, string>();
  if (userNames.length > 0) {
    try {
      users = await nameIndex(
        (cursor) => web.users.list({ limit: PAGE, ...(cursor ? { cursor } : {}) }),
        (page) => ((page as { members?: Array<{ id?: string; name?: string; deleted?: boolean }> }).members ?? []).filter((m) => m.id && m.name && !m.deleted).map((m) => [m.name!, m.id!]),
      );
    } catch (err) {
      problems.push(`slack.allowedUsers: cannot resolve names: ${describe('users.list', 'users:read', err)}`);
    }
  }
  if (channelNames.length > 0) {
    try {
      channels = await nameIndex(
        (cursor) => web.conversations.list({ limit: PAGE, types: 'public_channel,private_channel', exclude_archived: true, ...(cursor ? { cursor } : {}) }),
        (page) => ((page as { channels?: Array<{ id?: string; name?: string }> }).channels ?? []).filter((c) => c.id && c.name).map((c) => [c.name!, c.id!]),
      );
    } catch (err) {
      problems.push(`slack.allowedChannels: cannot resolve names: ${describe('conversations.list', 'channels:read (and groups:read for private channels)', err)}`);
    }
  }
  if (problems.length === 0) {
    const missingUsers = userNames.filter((n) => !users.has(n));
    const missingChannels = channelNames.filter((n) => !channels.has(n));
    if (missingUsers.length > 0) problems.push(`slack.allowedUsers: no active Slack user named ${missingUsers.map((n) => `"${n}"`).join(', ')} (users.list); list the user id (U…) instead`);
    if (missingChannels.length > 0) problems.push(`slack.allowedChannels: no channel named ${missingChannels.map((n) => `"${n}"`).join(', ')} that tcpcheck can see (conversations.list; a private channel needs tcpcheck invited first); list the channel id (C…) instead`);
  }
  if (problems.length > 0) throw configInvalid(problems.join('; '));
  return {
    ...config,
    allowedUsers: [...new Set(config.allowedUsers.map((u) => users.get(u) ?? u))],
    allowedChannels: [...new Set(config.allowedChannels.map((c) => channels.get(c) ?? c))],
  };
}
