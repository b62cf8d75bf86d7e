/**
 * The words tcpcheck says in Slack outside a report: help, refusals, progress, failures.
 * Pure. Every failure says what happened and what to do next, for a tired engineer at 3 a.m.
 */
import { escapeMrkdwn, truncate, SLACK_LIMITS } from '../render/slack-blocks.js';
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
  '• `--deep`: after the check, a deep probe of the ports it flagged: packet headers (tcpdump) and the owners\' syscalls (strace) and thread stacks for a few seconds, when the bot allows it.',
  '• `sweep [NODES…]`: check these nodes (or every inventory node) at once and post one digest of what changed since the last sweep (people in slack.sweepUsers).',
  '• `history NODE`: the node’s last sweeps and what changed each time.',
  'The result comes as a thread in this channel. Nothing on the node is changed.',
].join('\n');

export function refusalForInput(issues: string[]): EphemeralReply {
  return ephemeral(`Nothing was run. ${issues.map(escapeMrkdwn).join(' ')}\n${USAGE}`);
}

export const QUEUE_DOWN_TEXT =
  'Nothing was started: the job queue (Redis) is not reachable from the bot right now. Try again in a minute; if it keeps failing, tell whoever runs tcpcheck that Redis is down.';

export const QUEUE_SLOW_TEXT =
  'The job queue (Redis) is slow to answer right now. If the check starts, it will appear as a thread in this channel within a minute; if nothing appears, run the command again.';


