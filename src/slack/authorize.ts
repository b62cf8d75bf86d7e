/**
 * Who may run `/tcpcheck` where: the `slack.allowedChannels`, `allowedUsers` and
 * `allowedUserGroups` lists of the config. An empty list places no restriction.
 *
 * Only ids are compared (`user_id`, `channel_id`, group members' ids). The names a request carries
 * (`user_name`, `channel_name`) can be changed or registered by users, so they are kept for the
 * audit line and never decide anything; names in the config are turned into ids at start-up
 * (./access-lists.ts).
 */
import type { SlackConfig } from '../config/slack-schema.js';

export interface Requester {
  userId: string;
  /** For the audit line only. */
  userName?: string;
  channelId: string;
  /** For the audit line only. */
  channelName?: string;
}

export type AuthDecision = { ok: true } | { ok: false; reason: string };

/**
 * Whether an (already authorised) user may ask for a deep probe: config `deep.allowed`, and
 * `slack.deepUsers` when it is set. Ids only, like {@link createAuthorizer}.
 */
export function authorizeDeep(userId: string, deepAllowed: boolean, deepUsers: readonly string[] | undefined): AuthDecision {
  if (!deepAllowed) return { ok: false, reason: 'Deep probes (packet capture and strace on the node) are not enabled for this bot (config `deep.allowed`). Nothing was run; `/tcpcheck NODE` runs the standard check.' };
  if (deepUsers && !deepUsers.includes(userId)) return { ok: false, reason: 'You are not among the users who may run deep probes (slack.deepUsers). Nothing was run; `/tcpcheck NODE` runs the standard check.' };
  return { ok: true };
}

/** Reads the members of a user group (Slack `usergroups.users.list`). */
export type GroupMembersReader = (groupId: string) => Promise<string[]>;

/**
 * Decides whether the requester may run a check. `config` lists ids only (resolve names first with
 * resolveAccessLists). User groups are looked up only when the user is not already allowed by id,
 * and each group's members are cached for `cacheMs`.
 */
export function createAuthorizer(config: Pick<SlackConfig, 'allowedChannels' | 'allowedUsers' | 'allowedUserGroups'>, readGroup: GroupMembersReader, opts: { cacheMs?: number; now?: () => number } = {}) {
  const cacheMs = opts.cacheMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; members: Set<string> }>();

  async function members(groupId: string): Promise<Set<string>> {
    const hit = cache.get(groupId);
    if (hit && now() - hit.at < cacheMs) return hit.members;
    const set = new Set(await readGroup(groupId));
    cache.set(groupId, { at: now(), members: set });
    return set;
  }

  return async function authorize(who: Requester): Promise<AuthDecision> {
    const channels = config.allowedChannels;
    if (channels.length > 0 && !channels.includes(who.channelId)) {
      return { ok: false, reason: 'tcpcheck is not enabled in this channel. Ask in one of the incident channels it is enabled for, or ask its operators to add this one (slack.allowedChannels).' };
    }
    const users = config.allowedUsers;
    const groups = config.allowedUserGroups;
    if (users.length === 0 && groups.length === 0) return { ok: true };
    if (users.includes(who.userId)) return { ok: true };
    for (const group of groups) {
      try {
        if ((await members(group)).has(who.userId)) return { ok: true };
      } catch {
        // A group we cannot read grants nothing; the refusal below says who to ask.
      }
    }
    return { ok: false, reason: 'You are not on the list of people who may run tcpcheck. Ask its operators to add you (slack.allowedUsers or slack.allowedUserGroups).' };
  };
}
