/** Reading Slack Web API failures: `@slack/web-api` throws coded errors carrying Slack's `error` string. */

/** Slack's error string (`not_in_channel`, `channel_not_found`, …) of a failed Web API call, or null. */
export function slackErrorCode(err: unknown): string | null {
  const e = err as { code?: unknown; data?: { error?: unknown } } | null;
  if (e && e.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string') return e.data.error;
  return null;
}

/** Errors the Slack side will keep returning however often we retry. */
export const PERMANENT_SLACK_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'missing_scope', 'invalid_blocks', 'msg_too_long']);
