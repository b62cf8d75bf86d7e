/**
 * The thread's status messages outside a report: the parent while a check runs, a failure, and
 * the note that tcpcheck is not in the channel. Pure; shared by the bot and the thread sink.
 */
import { escapeMrkdwn, truncate, SLACK_LIMITS, type SlackMessage } from './slack-blocks.js';

/** The parent message while the check runs. */
export function pendingParent(node: string, user: string, intervalSec: number, deep: boolean): SlackMessage {
  const what = deep ? `deep probe of ${node} (${intervalSec} s sampling)` : `${node}`;
  const text = `:hourglass_flowing_sand: checking ${what}… (asked by <@${user}>)`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(`:hourglass_flowing_sand: checking ${what}…`).concat(` (asked by <@${user}>)`) } }] };
}

/** Failure as parent text and thread reply. */
export function failureMessages(node: string, message: string, hint: string, willRetry: boolean, attempt: number): { parent: SlackMessage; reply: SlackMessage } {
  const status = willRetry ? `attempt ${attempt} failed, trying again shortly` : 'could not check it';
  const parentText = `:warning: ${node}: ${status}. ${message}`;
  const replyText = `*What happened:* ${escapeMrkdwn(message)}${hint ? `\n*Next step:* ${escapeMrkdwn(hint)}` : ''}${willRetry ? '\nThis looks transient, so tcpcheck will try again by itself.' : ''}`;
  return {
    parent: { text: truncate(parentText, SLACK_LIMITS.fallbackText), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(parentText), SLACK_LIMITS.sectionText) } }] },
    reply: { text: truncate(`${message} ${hint}`, SLACK_LIMITS.fallbackText), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(replyText, SLACK_LIMITS.sectionText) } }] },
  };
}

export const NOT_IN_CHANNEL_TEXT =
  'tcpcheck cannot post in this channel because it is not a member. Invite it with `/invite @tcpcheck` and run the command again.';
