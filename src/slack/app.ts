/**
 * The Bolt app: `/tcpcheck` and the thread's buttons. Thin on purpose:
 * validate → authorise → resolve → enqueue → ack, always within Slack's 3 seconds (each step that
 * touches the network has its own deadline), and one audit line per request.
 */
import { App, HTTPReceiver, type BlockAction, type Logger as SlackLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { SlackConfig } from '../config/slack-schema.js';
import { isTcpcheckError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { JobRequest } from '../queue/job-data.js';
import { allowPress, enqueueDiagnosis, type DiagnoseQueue, type EnqueueResult } from '../queue/producer.js';
import type { SweepStartData } from '../queue/sweep-jobs.js';
import { renderNodeHistory, type NodeHistoryRow } from '../render/slack-digest.js';
import { ACTION_IDS } from '../render/slack-blocks.js';
import { authorizeDeep, createAuthorizer, type Requester } from './authorize.js';
import { isNodeName, parseCommandText, type CommandRequest } from './command-text.js';
import { NOT_IN_CHANNEL_TEXT } from '../render/slack-status.js';
import { ephemeral, HELP_TEXT, QUEUE_DOWN_TEXT, QUEUE_SLOW_TEXT, refusalForInput, type EphemeralReply } from './messages.js';
import { withDeadline, DeadlineExceeded } from './deadline.js';
import { slackErrorCode } from '../deliver/slack-errors.js';
import { rejectUnfreshRequests } from './request-timestamp.js';
import { slackLogger, webClientOptions } from './web-client.js';

/** Who pressed a button, and where (for authorisation and the audit line). */
function requesterOf(body: BlockAction): Requester {
  return { userId: body.user.id, userName: body.user.name, channelId: body.channel?.id ?? '', channelName: body.channel?.name };
}

/** Checks that a node name resolves through the inventory; rejects with a coded error (node_not_found) otherwise. */
export type NodeResolver = (name: string) => Promise<void>;

export interface BotDeps {
  queue: DiagnoseQueue;
  /**
   * True while the queue's Redis connection is up. Checked before enqueuing so that an add never
   * waits for a reconnect and starts a job after the user was told nothing was started.
   */
  queueReady: () => boolean;
  slack: SlackConfig;
  /** Seconds between samples when a command gives no `--interval` (config `limits.intervalSec`). */
  defaultIntervalSec: number;
  /** Config `deep.allowed`: the bot runs deep probes (for `slack.deepUsers`, or all allowed users). @defaultValue false */
  deepAllowed?: boolean;
  resolveNode: NodeResolver;
  logger: Logger;
  metrics: Metrics;
  /** The producer's Redis connection: button rate limits and fresh-run claims. */
  redis: Redis;
  /** Clock for button expiry and rate limits. @defaultValue Date.now */
  nowMs?: () => number;
  /** `/tcpcheck sweep` and `/tcpcheck history`; both answer "not set up" when absent. */
  sweeps?: SweepCommands;
}

/** What the bot needs for the sweep commands. */
export interface SweepCommands {
  /** Queues a sweep; resolves with its job id. */
  start(request: SweepStartData): Promise<string>;
  /** The node's last sweeps, newest first. */
  history(node: string): Promise<NodeHistoryRow[]>;
  retentionDays: number;
}

export interface BotOptions {
  botToken: string;
  /** HTTP mode: verifies `x-slack-signature` on every request. */
  signingSecret?: string;
  /** Socket Mode when set (`xapp-…`). */
  appToken?: string;
  /** Web API base URL, e.g. a proxy or a test double. @defaultValue https://slack.com/api/ */
  apiUrl?: string;
  /** Slash command name as configured in the Slack app. @defaultValue /tcpcheck */
  command?: string;
  /** Deadline for the inventory lookup during a command. @defaultValue 1000 */
  resolveTimeoutMs?: number;
  /** Deadline for Redis during a command; past it the user hears that the queue is down. @defaultValue 1500 */
  enqueueTimeoutMs?: number;
}

interface Outcome {
  outcome: string;
  node?: string;
  jobId?: string;
  detail?: string;
}

/** The path Slack POSTs commands and button clicks to. */
const EVENTS_PATH = '/slack/events';

/**
 * Bolt's HTTP receiver (signature checked on every request; nothing else served: /healthz and
 * /metrics are on the ops port, see app/ops-server.ts) behind the future-timestamp check
 * Bolt lacks (see request-timestamp.ts). The receiver reads `requestListener` on every request,
 * so replacing it puts the check in front of Bolt's own.
 */
function httpReceiver(signingSecret: string, deps: Pick<BotDeps, 'logger' | 'metrics'>, boltLog: SlackLogger): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: [EVENTS_PATH],
    // Ack goes out as soon as the handler calls ack(); the rest (posting "joined") runs after.
    processBeforeResponse: false,
    logger: boltLog,
  });
  receiver.requestListener = rejectUnfreshRequests(EVENTS_PATH, receiver.requestListener, (header) => {
    deps.metrics.requests.inc({ kind: 'http', outcome: 'refused-timestamp' });
    deps.logger.warn({ timestamp: String(header).slice(0, 40) }, 'refused: Slack request timestamp more than 5 minutes from now');
  });
  return receiver;
}

/** Builds the Bolt app with the command and button handlers. Call `app.init()` then `app.start(port)`. */
export function createBotApp(opts: BotOptions, deps: BotDeps): App {
  const socketMode = Boolean(opts.appToken);
  const boltLog = slackLogger(deps.logger);
  const app = new App({
    token: opts.botToken,
    ...(socketMode ? { appToken: opts.appToken, socketMode: true } : { receiver: httpReceiver(opts.signingSecret ?? '', deps, boltLog) }),
    deferInitialization: true,
    clientOptions: webClientOptions(opts.apiUrl),
    logger: boltLog,
  });
  const { logger, metrics, slack, queue } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  const resolveTimeoutMs = opts.resolveTimeoutMs ?? 1000;
  const enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 1500;
  let client: WebClient | null = null;
  const authorize = createAuthorizer(slack, async (group) => {
    if (!client) return [];
    const res = await withDeadline(client.usergroups.users.list({ usergroup: group }), 1000);
    return res.users ?? [];
  });

  const audit = (kind: string, who: Requester, text: string, o: Outcome, startedAt: number) => {
    metrics.requests.inc({ kind, outcome: o.outcome });
    metrics.ackSeconds.observe({ kind }, (performance.now() - startedAt) / 1000);
    logger.info({ audit: { kind, user: who.userId, userName: who.userName, channel: who.channelId, channelName: who.channelName, text: text.slice(0, 300), ...o } }, 'request');
  };

  /** Resolves, then enqueues; every failure becomes the ephemeral answer. */
  async function submit(request: JobRequest, fresh: boolean): Promise<{ reply: EphemeralReply; o: Outcome; result?: EnqueueResult }> {
    try {
      await withDeadline(deps.resolveNode(request.node), resolveTimeoutMs);
    } catch (err) {
      if (err instanceof DeadlineExceeded) return { reply: ephemeral(`Could not look up ${request.node} in time (inventory or Kubernetes API slow). Nothing was started; try again.`), o: { outcome: 'resolve-timeout', node: request.node } };
      const message = isTcpcheckError(err) ? `${err.message} ${err.hint}` : `Could not look up ${request.node}.`;
      return { reply: ephemeral(`Nothing was run. ${message}`), o: { outcome: 'unknown-node', node: request.node } };
    }
    if (!deps.queueReady()) return { reply: ephemeral(QUEUE_DOWN_TEXT), o: { outcome: 'queue-down', node: request.node } };
    let result: EnqueueResult;
    try {
      result = await withDeadline(enqueueDiagnosis(queue, request, { dedupeWindowMs: slack.dedupeWindowSec * 1000, attempts: slack.attempts, backoffMs: slack.retryDelaySec * 1000, ...(fresh ? { fresh: { redis: deps.redis } } : {}) }), enqueueTimeoutMs);
    } catch (err) {
      logger.warn({ err }, 'enqueue failed');
      if (err instanceof DeadlineExceeded) return { reply: ephemeral(QUEUE_SLOW_TEXT), o: { outcome: 'queue-slow', node: request.node } };
      return { reply: ephemeral(QUEUE_DOWN_TEXT), o: { outcome: 'queue-down', node: request.node, detail: (err as Error).message } };
    }
    if (!result.joined) {
      const what = request.deep ? `a deep probe of ${request.node} (${request.intervalSec} s sampling)` : `a check of ${request.node}`;
      return { reply: ephemeral(`Started ${what}. The result will appear as a thread in this channel.`), o: { outcome: 'enqueued', node: request.node, jobId: result.jobId }, result };
    }
    const reply = result.state === 'completed' || result.state === 'failed'
      ? ephemeral(`${request.node} was checked moments ago (asked by <@${result.existing.user}>); see that thread, or press its Re-run button for a fresh check.`)
      : ephemeral(`${request.node} is already being checked (asked by <@${result.existing.user}>): joining that check instead of running it twice.`);
    return { reply, o: { outcome: 'joined', node: request.node, jobId: result.jobId, detail: result.state }, result };
  }

  /**
   * Says in the channel that a second request joined the running check. Deduplication is per
   * channel (see dedupeId), so the joined check's thread is in this same channel.
   */
  async function announceJoin(web: WebClient, request: JobRequest, result: Extract<EnqueueResult, { joined: true }>, respond: (r: EphemeralReply) => Promise<unknown>) {
    if (result.state === 'completed' || result.state === 'failed') return;
    const parentTs = result.existing.parentTs;
    try {
      await web.chat.postMessage({
        channel: request.channel,
        ...(parentTs ? { thread_ts: parentTs } : {}),
        text: parentTs ? `<@${request.user}> asked for ${request.node} too: joining this check.` : `<@${request.user}> asked for ${request.node} too: joining the check already under way; the results will be in its thread.`,
      });
    } catch (err) {
      if (slackErrorCode(err) === 'not_in_channel' || slackErrorCode(err) === 'channel_not_found') await respond(ephemeral(NOT_IN_CHANNEL_TEXT)).catch(() => undefined);
      else logger.warn({ err }, 'could not announce a joined check');
    }
  }

  app.command(opts.command ?? '/tcpcheck', async ({ command, ack, respond, client: web }) => {
    const startedAt = performance.now();
    client = web;
    const who: Requester = { userId: command.user_id, userName: command.user_name, channelId: command.channel_id, channelName: command.channel_name };
    const parsed = parseCommandText(command.text ?? '');
    if (!parsed.ok) {
      await ack(refusalForInput(parsed.issues));
      return audit('command', who, command.text ?? '', { outcome: 'refused-input', detail: parsed.issues.join(' ') }, startedAt);
    }
    if (parsed.value.kind === 'help') {
      await ack(ephemeral(HELP_TEXT));
      return audit('command', who, command.text, { outcome: 'help' }, startedAt);
    }
    const decision = await authorize(who);
    if (!decision.ok) {
      await ack(ephemeral(decision.reason));
      logger.warn({ user: who.userId, channel: who.channelId }, 'refused: not authorised');
      return audit('command', who, command.text, { outcome: 'refused-auth', node: 'node' in parsed.value ? parsed.value.node : undefined }, startedAt);
    }
    if (parsed.value.kind === 'sweep' || parsed.value.kind === 'history') {
      const { reply, o } = await sweepCommand(parsed.value, who);
      await ack(reply);
      return audit('command', who, command.text, o, startedAt);
    }
    const { node, deep, intervalSec } = parsed.value;
    const deepDecision = deep ? authorizeDeep(who.userId, deps.deepAllowed ?? false, slack.deepUsers) : { ok: true as const };
    if (!deepDecision.ok) {
      await ack(ephemeral(deepDecision.reason));
      return audit('command', who, command.text, { outcome: 'refused-deep', node }, startedAt);
    }
    const request: JobRequest = {
      node,
      deep,
      intervalSec: intervalSec ?? deps.defaultIntervalSec,
      channel: command.channel_id,
      user: command.user_id,
      responseUrl: command.response_url || null,
      origin: 'command',
    };
    const { reply, o, result } = await submit(request, false);
    await ack(reply);
    audit('command', who, command.text, o, startedAt);
    if (result?.joined) await announceJoin(web, request, result, respond);
  });

  /** `/tcpcheck sweep [NODES…]` (slack.sweepUsers only) and `/tcpcheck history NODE`. */
  async function sweepCommand(req: Extract<CommandRequest, { kind: 'sweep' | 'history' }>, who: Requester): Promise<{ reply: EphemeralReply; o: Outcome }> {
    const sweeps = deps.sweeps;
    if (!sweeps) return { reply: ephemeral('Sweeps are not set up on this tcpcheck (it runs without a sweep worker).'), o: { outcome: 'sweeps-off' } };
    if (req.kind === 'history') {
      try {
        const rows = await withDeadline(sweeps.history(req.node), enqueueTimeoutMs);
        return { reply: ephemeral(renderNodeHistory(req.node, rows, sweeps.retentionDays)), o: { outcome: 'history', node: req.node } };
      } catch (err) {
        logger.warn({ err }, 'history read failed');
        return { reply: ephemeral(QUEUE_DOWN_TEXT), o: { outcome: 'queue-down', node: req.node } };
      }
    }
    // Ids only: a user name is display data its owner can change.
    const allowed = slack.sweepUsers.includes(who.userId);
    if (!allowed) return { reply: ephemeral('Only the people in slack.sweepUsers may start a sweep; ask tcpcheck’s operators.'), o: { outcome: 'refused-auth', detail: 'sweep' } };
    if (!deps.queueReady()) return { reply: ephemeral(QUEUE_DOWN_TEXT), o: { outcome: 'queue-down' } };
    try {
      const jobId = await withDeadline(
        sweeps.start({ origin: `on demand, asked by ${who.userName ?? who.userId}`, channel: who.channelId, nodes: req.nodes.length ? req.nodes : 'all', nodeTimeoutSec: 60, intervalSec: deps.defaultIntervalSec, user: who.userId }),
        enqueueTimeoutMs,
      );
      const what = req.nodes.length ? `${req.nodes.length} node${req.nodes.length === 1 ? '' : 's'}` : 'every inventory node';
      return { reply: ephemeral(`Started a sweep of ${what}. The digest will be posted in this channel.`), o: { outcome: 'enqueued', jobId, detail: 'sweep' } };
    } catch (err) {
      logger.warn({ err }, 'sweep enqueue failed');
      return { reply: ephemeral(err instanceof DeadlineExceeded ? QUEUE_SLOW_TEXT : QUEUE_DOWN_TEXT), o: { outcome: 'queue-down', detail: 'sweep' } };
    }
  }

  const onButton = (actionId: string, kind: 'rerun' | 'deep') =>
    app.action(actionId, async ({ ack, body, respond }) => {
      const startedAt = performance.now();
      await ack();
      if (body.type !== 'block_actions') return;
      const action = body.actions[0];
      const value = action && 'value' in action ? String(action.value ?? '') : '';
      const who = requesterOf(body);
      const decision = await authorize(who);
      if (!decision.ok) {
        await respond({ ...ephemeral(decision.reason), replace_original: false });
        return audit(kind, who, value, { outcome: 'refused-auth' }, startedAt);
      }
      const deepDecision = kind === 'deep' ? authorizeDeep(who.userId, deps.deepAllowed ?? false, slack.deepUsers) : { ok: true as const };
      if (!deepDecision.ok) {
        await respond({ ...ephemeral(deepDecision.reason), replace_original: false });
        return audit(kind, who, value, { outcome: 'refused-deep' }, startedAt);
      }
      const target = parseButtonValue(value, nowMs(), slack.buttonTtlSec);
      if (!target.ok || !who.channelId) {
        const why = target.ok || target.reason === 'invalid' ? 'That button carries no node tcpcheck can read' : 'That button has expired';
        await respond({ ...ephemeral(`${why}; run \`/tcpcheck NODE\` instead.`), replace_original: false });
        return audit(kind, who, value, { outcome: target.ok || target.reason === 'invalid' ? 'refused-input' : 'refused-expired' }, startedAt);
      }
      const allowed = await withDeadline(allowPress(deps.redis, queue, who.userId, slack.buttonsPerMinute, nowMs()), enqueueTimeoutMs).catch(() => true);
      if (!allowed) {
        await respond({ ...ephemeral(`Too many button presses: at most ${slack.buttonsPerMinute} a minute. The checks already started will post their threads.`), replace_original: false });
        return audit(kind, who, value, { outcome: 'refused-rate', node: target.node }, startedAt);
      }
      const request: JobRequest = {
        node: target.node,
        deep: kind === 'deep',
        intervalSec: target.intervalSec,
        channel: who.channelId,
        user: who.userId,
        responseUrl: body.response_url ?? null,
        origin: kind,
      };
      const { reply, o } = await submit(request, true);
      await respond({ ...reply, replace_original: false });
      audit(kind, who, value, o, startedAt);
    });
  onButton(ACTION_IDS.rerun, 'rerun');
  onButton(ACTION_IDS.deep, 'deep');

  app.action(ACTION_IDS.raw, async ({ ack, body, respond }) => {
    const startedAt = performance.now();
    await ack();
    if (body.type !== 'block_actions') return;
    const action = body.actions[0];
    const jobId = action && 'value' in action ? String(action.value ?? '') : '';
    const who = requesterOf(body);
    const decision = await authorize(who);
    if (!decision.ok) {
      await respond({ ...ephemeral(decision.reason), replace_original: false });
      return audit('raw', who, jobId, { outcome: 'refused-auth' }, startedAt);
    }
    const job = /^[0-9a-f-]{36}$/.test(jobId) ? await withDeadline(queue.getJob(jobId), enqueueTimeoutMs).catch(() => undefined) : undefined;
    const link = job?.data.rawPermalink;
    await respond({
      ...ephemeral(link ? `Raw outputs of that check: <${link}|${job.data.node} raw outputs>` : 'The raw outputs of that check are no longer kept (checks are kept for 24 hours). Press Re-run for a fresh one.'),
      replace_original: false,
    });
    audit('raw', who, jobId, { outcome: link ? 'shown' : 'gone', jobId }, startedAt);
  });

  app.error(async (err) => {
    logger.error({ err }, 'bolt error');
  });
  return app;
}

/** Reads a value made by `encodeButtonValue`; re-validated here because it comes back from the client. */
export function parseButtonValue(value: string, nowMs: number, ttlSec: number): { ok: true; node: string; intervalSec: number } | { ok: false; reason: 'invalid' | 'expired' } {
  try {
    const v = JSON.parse(value) as { node?: unknown; intervalSec?: unknown; issuedAt?: unknown };
    if (typeof v.node !== 'string' || !isNodeName(v.node)) return { ok: false, reason: 'invalid' };
    // An issue time in the future is not one tcpcheck wrote.
    if (typeof v.issuedAt !== 'number' || v.issuedAt > nowMs + 300_000) return { ok: false, reason: 'invalid' };
    if (!(nowMs - v.issuedAt <= ttlSec * 1000)) return { ok: false, reason: 'expired' };
    const iv = typeof v.intervalSec === 'number' && Number.isInteger(v.intervalSec) && v.intervalSec >= 0 && v.intervalSec <= 60 ? v.intervalSec : 5;
    return { ok: true, node: v.node, intervalSec: iv };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}
