/**
 * The words tcpcheck says in Slack outside a report: help, refusals, progress, failures.
 * Pure. Every failure says what happened and what to do next, for a tired engineer at 3 a.m.
 */
import { escapeMrkdwn, truncate, SLACK_LIMITS, type SlackMessage } from '../render/slack-blocks.js';
import { USAGE } from './command-text.js';

/** An ephemeral reply to a slash command or a button (`response_type: ephemeral`). */
export interface EphemeralReply {
  response_type: 'ephemeral';
  text: string;
}

export function ephemeral(text: string): EphemeralReply {
  return { response_type: 'ephemeral', text: truncate(text, SLACK_LIMITS.fallbackText) };
}

export const HELP_TEXT = [
  '*tcpcheck* finds why TCP connections to a node fail: full accept queues, CLOSE-WAIT leaks, listen overflows, SYN-RECV storms, and the kube-proxy NodePort trap.',
  USAGE,
  '• `NODE`: a node from the inventory, a Kubernetes node name or `ip-10-1-2-3`.',
  '• `--interval N`: seconds between the two samples of counters and queues (0–60).',
  '• `--deep`: a deep probe: the same read-only collection with a 30 s sampling window, which catches slow leaks and bursts.',
  'The result comes as a thread in this channel. Nothing on the node is changed.',
].join('\n');

export function refusalForInput(issues: string[]): EphemeralReply {
  return ephemeral(`Nothing was run. ${issues.map(escapeMrkdwn).join(' ')}\n${USAGE}`);
}

export const QUEUE_DOWN_TEXT =
  'Nothing was started: the job queue (Redis) is not reachable from the bot right now. Try again in a minute; if it keeps failing, tell whoever runs tcpcheck that Redis is down.';

export const QUEUE_SLOW_TEXT =
  'The job queue (Redis) is slow to answer right now. If the check starts, it will appear as a thread in this channel within a minute; if nothing appears, run the command again.';

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
