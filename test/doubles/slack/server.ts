/**
 * A local double of Slack's Web API (and of `response_url` and the file upload host), reached by
 * the real `@slack/web-api` client through `slackApiUrl`. It records every call and CHECKS it the
 * way Slack does: bearer token, required fields per method, Block Kit limits, that `thread_ts`
 * and the `ts` of `chat.update` name messages that exist, the three-step `files.uploadV2`
 * flow, and the cursors of paginated lists (users.list, conversations.list,
 * conversations.history, conversations.replies). Anything wrong is answered with Slack's error and
 * listed in `violations`, so tests can assert there were none. Message metadata (`event_type`,
 * `event_payload`) is checked and kept, and read back by `conversations.history` /
 * `conversations.replies` only with `include_all_metadata`, as Slack does; a file completed into a
 * thread appears there as a message with `files`. With `messagesPerSecondPerChannel`, posting
 * faster than that in one channel is a violation.
 *
 * Faults on demand: 429 with Retry-After, HTTP 5xx, or a Slack error such as `not_in_channel`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** What the call answered: `ok` or the Slack error, or `http-429`/`http-5xx`. */
  outcome: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
  /** Every version after chat.update, oldest first (the first is the original post). */
  history: Array<{ text: string; blocks: unknown[] }>;
  metadata: MessageMetadata | null;
  /** Files shared by files.completeUploadExternal (a file message in a thread). */
  files: Array<{ id: string; name: string; title: string | null }>;
  /** When the double received it (ms since the epoch). */
  receivedAt: number;
}

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export type Fault = { kind: 'rate-limit'; retryAfterSec: number } | { kind: 'http-error'; status: number } | { kind: 'slack-error'; error: string };

const LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, contextElements: 10, actionsElements: 25, buttonText: 75, buttonValue: 2000, actionId: 255, text: 40000 };

/** Checks a Block Kit array the way chat.postMessage does; returns what is wrong. */
export function checkBlocks(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const problems: string[] = [];
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks (max ${LIMITS.blocks})`);
  const textOk = (t: unknown, max: number, where: string, plainOnly = false) => {
    const o = t as { type?: unknown; text?: unknown } | undefined;
    if (!o || (o.type !== 'plain_text' && o.type !== 'mrkdwn') || typeof o.text !== 'string') return problems.push(`${where}: not a text object`);
    if (plainOnly && o.type !== 'plain_text') problems.push(`${where}: must be plain_text`);
    if (o.text.length === 0) problems.push(`${where}: empty text`);
    if (o.text.length > max) problems.push(`${where}: ${o.text.length} chars (max ${max})`);
    return 0;
  };
  blocks.forEach((b, i) => {
    const block = b as { type?: unknown; text?: unknown; elements?: unknown[]; fields?: unknown[] };
    const where = `blocks[${i}]`;
    switch (block.type) {
      case 'header':
        textOk(block.text, LIMITS.headerText, `${where}.text`, true);
        break;
      case 'section':
        if (block.text === undefined && !block.fields) problems.push(`${where}: section needs text or fields`);
        if (block.text !== undefined) textOk(block.text, LIMITS.sectionText, `${where}.text`);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > LIMITS.contextElements) problems.push(`${where}: context needs 1..${LIMITS.contextElements} elements`);
        else block.elements.forEach((e, j) => textOk(e, LIMITS.sectionText, `${where}.elements[${j}]`));
        break;
      case 'divider':
        break;
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > LIMITS.actionsElements) {
          problems.push(`${where}: actions needs 1..${LIMITS.actionsElements} elements`);
          break;
        }
        const ids = new Set<string>();
        block.elements.forEach((e, j) => {
          const el = e as { type?: unknown; action_id?: unknown; text?: unknown; value?: unknown };
          if (el.type !== 'button') return problems.push(`${where}.elements[${j}]: unsupported element ${String(el.type)}`);
          textOk(el.text, LIMITS.buttonText, `${where}.elements[${j}].text`, true);
          if (typeof el.action_id !== 'string' || el.action_id.length > LIMITS.actionId) problems.push(`${where}.elements[${j}]: bad action_id`);
          else if (ids.has(el.action_id)) problems.push(`${where}: duplicate action_id ${el.action_id}`);
          else ids.add(el.action_id);
          if (el.value !== undefined && (typeof el.value !== 'string' || el.value.length > LIMITS.buttonValue)) problems.push(`${where}.elements[${j}]: bad value`);
          return 0;
        });
        break;
      }
      default:
        problems.push(`${where}: unknown block type ${String(block.type)}`);
    }
  });
  return problems;
}

export interface SlackApiDoubleOptions {
  /** The bot token every call must carry as `Authorization: Bearer …`. */
  token: string;
  /** Channels the bot is a member of; posting elsewhere answers `not_in_channel`. @defaultValue any */
  memberOf?: string[];
  /** User group id → member user ids, for usergroups.users.list. */
  userGroups?: Record<string, string[]>;
  /** The workspace's users, for users.list. @defaultValue none */
  users?: DirectoryUser[];
  /** The workspace's channels the bot can see, for conversations.list. @defaultValue none */
  channels?: DirectoryChannel[];
  /**
   * Most entries per page of users.list / conversations.list whatever `limit` asks for, so tests
   * walk several pages. @defaultValue 200
   */
  pageSize?: number;
  /** Slack's posting limit per channel (about 1/s); posting faster is a violation. @defaultValue unchecked */
  messagesPerSecondPerChannel?: number;
}

/** Checks `metadata` as chat.postMessage does: `event_type` a snake_case word, `event_payload` an object. */
function checkMetadata(m: unknown): string | null {
  const o = m as { event_type?: unknown; event_payload?: unknown } | null;
  if (!o || typeof o !== 'object') return 'metadata is not an object';
  if (typeof o.event_type !== 'string' || !/^[a-z0-9_]{1,255}$/.test(o.event_type)) return 'metadata.event_type must be a snake_case word';
  if (!o.event_payload || typeof o.event_payload !== 'object' || Array.isArray(o.event_payload)) return 'metadata.event_payload must be an object';
  return null;
}

export interface DirectoryUser {
  id: string;
  /** The unique handle (`name`), what slash commands send as `user_name`. */
  name: string;
  deleted?: boolean;
}

export interface DirectoryChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  isArchived?: boolean;
}

/** Conversation types conversations.list accepts (https://api.slack.com/methods/conversations.list). */
const CONVERSATION_TYPES = new Set(['public_channel', 'private_channel', 'mpim', 'im']);

export class SlackApiDouble {
  readonly calls: SlackCall[] = [];
  readonly violations: string[] = [];
  readonly messages: PostedMessage[] = [];
  /** Bodies POSTed to response URLs, by the id in the URL. */
  readonly responses: Array<{ id: string; body: Record<string, unknown> }> = [];
  /** Uploaded files; `content` holds the bytes received, so a test can check what reached Slack. */
  readonly files = new Map<string, { filename: string; length: number; bytes: number; content: Buffer | null; completed: boolean; channel: string | null; threadTs: string | null; title: string | null }>();
  private faults: Array<{ method: string; fault: Fault }> = [];
  private server: Server | null = null;
  /** http://127.0.0.1:PORT once started. */
  base = '';
  private seq = 0;
  /** Cursors handed out by paginated methods → the offset they continue from. */
  private readonly cursors = new Map<string, number>();
  private lastSeconds = 0;

  constructor(private readonly opts: SlackApiDoubleOptions) {}

  /** Starts on 127.0.0.1 (random port); returns the Web API base URL (`…/api/`). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return `${this.base}/api/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A response_url that records what is POSTed to it. */
  responseUrl(id: string): string {
    return `${this.base}/response/${id}`;
  }

  /** The next `times` calls of `method` fail with `fault`. */
  failNext(method: string, fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ method, fault });
  }

  /** Drops the faults not yet served. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Top-level messages (parents) in a channel. */
  parents(channel?: string): PostedMessage[] {
    return this.messages.filter((m) => m.threadTs === null && (!channel || m.channel === channel));
  }

  replies(channel: string, threadTs: string): PostedMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === threadTs);
  }

  private find(channel: string, ts: string): PostedMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /**
   * One page of a list, as Slack paginates: `limit` 1..1000 (Slack's own maximum), an opaque
   * `next_cursor` in response_metadata, "" on the last page; a cursor only counts for the method
   * that handed it out.
   */
  private page<T>(method: string, items: T[], args: Record<string, unknown>): { items: T[]; next: string } | { error: string; why: string } {
    const limit = args.limit === undefined ? 100 : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { error: 'invalid_limit', why: `limit ${String(args.limit)} is not 1..1000` };
    const cursor = typeof args.cursor === 'string' && args.cursor.length > 0 ? args.cursor : null;
    const offset = cursor ? this.cursors.get(`${method}:${cursor}`) : 0;
    if (offset === undefined) return { error: 'invalid_cursor', why: `cursor ${cursor} was never handed out by ${method}` };
    const end = Math.min(offset + Math.min(limit, this.opts.pageSize ?? 200), items.length);
    let next = '';
    if (end < items.length) {
      next = `c${++this.seq}`;
      this.cursors.set(`${method}:${next}`, end);
    }
    return { items: items.slice(offset, end), next };
  }

  /** Records a violation when a channel gets messages faster than `messagesPerSecondPerChannel`. */
  private checkPace(channel: string): void {
    const rate = this.opts.messagesPerSecondPerChannel;
    if (!rate) return;
    const now = Date.now();
    const last = this.messages.filter((m) => m.channel === channel).at(-1);
    // 5% slack for timer jitter on a busy machine.
    if (last && now - last.receivedAt < (1000 / rate) * 0.95) this.violations.push(`${channel}: two messages ${now - last.receivedAt} ms apart (limit ${rate}/s)`);
  }

  /** Like Slack's: seconds since the epoch, then a counter that keeps every ts unique and increasing. */
  private nextTs(): string {
    this.seq += 1;
    const seconds = Math.max(Math.floor(Date.now() / 1000), this.lastSeconds);
    this.lastSeconds = seconds;
    return `${seconds}.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };

    if (url.pathname.startsWith('/response/')) {
      const id = url.pathname.slice('/response/'.length);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        this.violations.push(`response_url ${id}: body is not JSON`);
      }
      if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) this.violations.push(`response_url ${id}: neither text nor blocks`);
      this.responses.push({ id, body });
      return send(200, { ok: true });
    }

    if (url.pathname.startsWith('/upload/')) {
      const id = url.pathname.slice('/upload/'.length);
      const file = this.files.get(id);
      this.calls.push({ method: 'upload', args: { id, bytes: raw.length }, outcome: file ? 'ok' : 'unknown-file' });
      if (req.headers.authorization !== `Bearer ${this.opts.token}`) this.violations.push(`upload ${id}: missing or wrong bearer token`);
      if (!file) {
        this.violations.push(`upload to unknown file id ${id}`);
        res.writeHead(404).end();
        return;
      }
      file.bytes = raw.length;
      file.content = Buffer.from(raw);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
      return;
    }

    const method = url.pathname.replace(/^\/api\//, '');
    const type = req.headers['content-type'] ?? '';
    let args: Record<string, unknown> = {};
    if (type.startsWith('application/json')) args = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    else args = parseQuery(raw.toString('utf8')) as Record<string, unknown>;
    for (const key of ['blocks', 'files', 'metadata']) {
      if (typeof args[key] === 'string') {
        try {
          args[key] = JSON.parse(args[key] as string);
        } catch {
          this.violations.push(`${method}: ${key} is not JSON`);
        }
      }
    }
    const record = (outcome: string) => this.calls.push({ method, args, outcome });

    const faultIndex = this.faults.findIndex((f) => f.method === method);
    if (faultIndex >= 0) {
      const { fault } = this.faults.splice(faultIndex, 1)[0]!;
      if (fault.kind === 'rate-limit') {
        record('http-429');
        return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSec) });
      }
      if (fault.kind === 'http-error') {
        record(`http-${fault.status}`);
        res.writeHead(fault.status, { 'content-type': 'text/html' }).end('<html>upstream error</html>');
        return;
      }
      record(fault.error);
      return send(200, { ok: false, error: fault.error });
    }

    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.opts.token}`) {
      this.violations.push(`${method}: ${auth ? 'wrong' : 'missing'} bearer token`);
      record(auth ? 'invalid_auth' : 'not_authed');
      return send(200, { ok: false, error: auth ? 'invalid_auth' : 'not_authed' });
    }
    const fail = (error: string, why: string) => {
      this.violations.push(`${method}: ${why}`);
      record(error);
      send(200, { ok: false, error });
    };
    const str = (k: string) => (typeof args[k] === 'string' && (args[k] as string).length > 0 ? (args[k] as string) : null);
    const checkContent = (): string | null => {
      const text = str('text');
      if (!text && args.blocks === undefined) return 'neither text nor blocks';
      if (text && text.length > LIMITS.text) return `text is ${text.length} chars`;
      if (args.blocks !== undefined) {
        const problems = checkBlocks(args.blocks);
        if (problems.length > 0) return `invalid_blocks: ${problems.join('; ')}`;
      }
      return null;
    };
    const member = (channel: string) => !this.opts.memberOf || this.opts.memberOf.includes(channel);

    switch (method) {
      case 'auth.test':
        record('ok');
        return send(200, { ok: true, url: `${this.base}/`, team: 'Test', user: 'tcpcheck', team_id: 'T0TEST', user_id: 'U0BOT', bot_id: 'B0BOT' });
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return fail('channel_not_found', 'no channel');
        const problem = checkContent();
        if (problem) return fail(problem.startsWith('invalid_blocks') ? 'invalid_blocks' : 'no_text', problem);
        if (!member(channel)) {
          record('not_in_channel');
          return send(200, { ok: false, error: 'not_in_channel' });
        }
        const threadTs = str('thread_ts');
        if (threadTs) {
          const parent = this.find(channel, threadTs);
          if (!parent || parent.threadTs !== null) return fail('thread_not_found', `thread_ts ${threadTs} is not a parent message in ${channel}`);
        }
        if (args.metadata !== undefined) {
          const bad = checkMetadata(args.metadata);
          if (bad) return fail('invalid_metadata_format', bad);
        }
        this.checkPace(channel);
        const ts = this.nextTs();
        const text = str('text') ?? '';
        const blocks = (args.blocks as unknown[] | undefined) ?? [];
        const metadata = (args.metadata as MessageMetadata | undefined) ?? null;
        this.messages.push({ channel, ts, threadTs, text, blocks, history: [{ text, blocks }], metadata, files: [], receivedAt: Date.now() });
        record('ok');
        return send(200, { ok: true, channel, ts, message: { text, ts } });
      }
      case 'chat.update': {
        const channel = str('channel');
        const ts = str('ts');
        if (!channel || !ts) return fail('invalid_arguments', 'channel and ts are required');
        const problem = checkContent();
        if (problem) return fail(problem.startsWith('invalid_blocks') ? 'invalid_blocks' : 'no_text', problem);
        const msg = this.find(channel, ts);
        if (!msg) return fail('message_not_found', `no message ${ts} in ${channel}`);
        if (args.metadata !== undefined) {
          const bad = checkMetadata(args.metadata);
          if (bad) return fail('invalid_metadata_format', bad);
          msg.metadata = args.metadata as MessageMetadata;
        }
        msg.text = str('text') ?? '';
        msg.blocks = (args.blocks as unknown[] | undefined) ?? [];
        msg.history.push({ text: msg.text, blocks: msg.blocks });
        record('ok');
        return send(200, { ok: true, channel, ts, text: msg.text });
      }
      case 'chat.postEphemeral': {
        if (!str('channel') || !str('user')) return fail('invalid_arguments', 'channel and user are required');
        const problem = checkContent();
        if (problem) return fail('invalid_blocks', problem);
        record('ok');
        return send(200, { ok: true, message_ts: this.nextTs() });
      }
      case 'usergroups.users.list': {
        const group = str('usergroup');
        if (!group) return fail('invalid_arguments', 'usergroup is required');
        const users = this.opts.userGroups?.[group];
        if (!users) {
          record('no_such_subteam');
          return send(200, { ok: false, error: 'no_such_subteam' });
        }
        record('ok');
        return send(200, { ok: true, users });
      }
      case 'users.list':
      case 'conversations.list': {
        let items: unknown[];
        if (method === 'users.list') {
          items = (this.opts.users ?? []).map((u) => ({ id: u.id, team_id: 'T0TEST', name: u.name, deleted: Boolean(u.deleted), profile: { display_name: u.name } }));
        } else {
          const types = (str('types') ?? 'public_channel').split(',');
          const unknown = types.filter((t) => !CONVERSATION_TYPES.has(t));
          if (unknown.length > 0) return fail('invalid_types', `unknown conversation types ${unknown.join(',')}`);
          const excludeArchived = args.exclude_archived === true || args.exclude_archived === 'true';
          items = (this.opts.channels ?? [])
            .filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel') && !(excludeArchived && c.isArchived))
            .map((c) => ({ id: c.id, name: c.name, is_channel: !c.isPrivate, is_private: Boolean(c.isPrivate), is_archived: Boolean(c.isArchived) }));
        }
        const page = this.page(method, items, args);
        if ('error' in page) return fail(page.error, page.why);
        record('ok');
        return send(200, { ok: true, [method === 'users.list' ? 'members' : 'channels']: page.items, response_metadata: { next_cursor: page.next } });
      }
      case 'files.getUploadURLExternal': {
        const filename = str('filename');
        const length = Number(args.length);
        if (!filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments', 'filename and a positive length are required');
        const id = `F${String(++this.seq).padStart(8, '0')}`;
        this.files.set(id, { filename, length, bytes: -1, content: null, completed: false, channel: null, threadTs: null, title: null });
        record('ok');
        return send(200, { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = args.files as Array<{ id?: string; title?: string }> | undefined;
        if (!Array.isArray(files) || files.length === 0) return fail('invalid_arguments', 'files is required');
        const channel = str('channel_id');
        const threadTs = str('thread_ts');
        if (threadTs && (!channel || !this.find(channel, threadTs))) return fail('invalid_thread_ts', `thread_ts ${threadTs} not found`);
        if (channel && !member(channel)) {
          record('not_in_channel');
          return send(200, { ok: false, error: 'not_in_channel' });
        }
        const out = [];
        const shared: PostedMessage['files'] = [];
        for (const f of files) {
          const file = f.id ? this.files.get(f.id) : undefined;
          if (!file) return fail('file_not_found', `unknown file ${f.id}`);
          if (file.bytes < 0) return fail('file_not_found', `file ${f.id} was never uploaded`);
          if (file.completed) return fail('invalid_arguments', `file ${f.id} completed twice`);
          file.completed = true;
          file.channel = channel;
          file.threadTs = threadTs;
          file.title = f.title ?? null;
          out.push({ id: f.id, title: f.title ?? file.filename, name: file.filename, permalink: `${this.base}/files/${f.id}` });
          shared.push({ id: f.id!, name: file.filename, title: f.title ?? null });
        }
        if (channel) {
          this.checkPace(channel);
          this.messages.push({ channel, ts: this.nextTs(), threadTs, text: '', blocks: [], history: [], metadata: null, files: shared, receivedAt: Date.now() });
        }
        record('ok');
        return send(200, { ok: true, files: out });
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = str('channel');
        if (!channel) return fail('channel_not_found', 'no channel');
        if (!member(channel)) {
          record('not_in_channel');
          return send(200, { ok: false, error: 'not_in_channel' });
        }
        let list: PostedMessage[];
        if (method === 'conversations.history') {
          // Newest first, top-level messages only.
          list = this.parents(channel).slice().reverse();
        } else {
          const ts = str('ts');
          const parent = ts ? this.find(channel, ts) : undefined;
          if (!ts || !parent || parent.threadTs !== null) return fail('thread_not_found', `ts ${ts} is not a parent message in ${channel}`);
          list = [parent, ...this.replies(channel, ts)];
        }
        const oldest = str('oldest');
        const latest = str('latest');
        list = list.filter((m) => (!oldest || m.ts > oldest) && (!latest || m.ts < latest));
        const page = this.page(method, list, args);
        if ('error' in page) return fail(page.error, page.why);
        const withMeta = String(args.include_all_metadata) === 'true';
        const messages = page.items.map((m) => ({
          type: 'message', ts: m.ts, text: m.text, blocks: m.blocks, bot_id: 'B0BOT',
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
          ...(m.files.length ? { files: m.files } : {}),
          ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
        }));
        record('ok');
        return send(200, { ok: true, messages, has_more: page.next !== '', response_metadata: { next_cursor: page.next } });
      }
      default:
        record('unknown_method');
        return send(200, { ok: false, error: 'unknown_method' });
    }
  }
}
