/** Builds slash-command and interactivity requests signed the way Slack signs them (v0 HMAC-SHA256). */
import { createHmac } from 'node:crypto';

/** `x-slack-signature` for a body at a timestamp (seconds). https://api.slack.com/authentication/verifying-requests-from-slack */
export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SlashCommandFields {
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  response_url?: string;
  command?: string;
}

/** The form body of a slash command as Slack sends it. */
export function slashCommandBody(f: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: f.channel_id ?? 'C0INCIDENT',
    channel_name: f.channel_name ?? 'incidents',
    user_id: f.user_id ?? 'U0ONCALL',
    user_name: f.user_name ?? 'oncall',
    command: f.command ?? '/tcpcheck',
    text: f.text,
    api_app_id: 'A0TCPCHECK',
    is_enterprise_install: 'false',
    response_url: f.response_url ?? 'http://127.0.0.1:9/response/none',
    trigger_id: '1.2.3',
  }).toString();
}

/** The form body of a button click (`block_actions`). */
export function blockActionBody(f: { actionId: string; value: string; user_id?: string; channel_id?: string; response_url: string; messageTs?: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: f.user_id ?? 'U0ONCALL', username: 'oncall', name: 'oncall', team_id: 'T0TEST' },
    api_app_id: 'A0TCPCHECK',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: f.messageTs ?? '1700000000.000001', channel_id: f.channel_id ?? 'C0INCIDENT', is_ephemeral: false },
    trigger_id: '1.2.3',
    channel: { id: f.channel_id ?? 'C0INCIDENT', name: 'incidents' },
    response_url: f.response_url,
    actions: [{ type: 'button', action_id: f.actionId, block_id: 'tcpcheck_actions', value: f.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1700000001.000000' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POSTs a signed body to Bolt; `timestampSec` and `secret` can be wrong on purpose. */
export async function postSigned(url: string, body: string, secret: string, timestampSec = Math.floor(Date.now() / 1000)): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': slackSignature(secret, timestampSec, body) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}
