/**
 * Renders a Report as a Slack thread: a parent message with the verdict, then thread replies with
 * the evidence. Pure: no Slack client, no clock. Severity comes from the report, never decided here.
 *
 * Slack's Block Kit limits (https://api.slack.com/reference/block-kit/blocks), enforced here so a
 * huge node never makes a post fail: at most 50 blocks per message, 3000 characters in a section's
 * text, 150 in a header, 75 in a button label, 2000 in a button value. Long tables are split over
 * several sections and messages; past a bound they are cut with a note pointing at the raw file.
 */
import type { PeerView, Report, Severity } from '../domain/report.js';
import { clean, flaggedListeners, ownerCell, peerCell, probeLine, queueCell } from './format.js';

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  contextElements: 10,
  /** The top-level `text` fallback is shown in notifications; Slack truncates past 40 000, we keep it short. */
  fallbackText: 3000,
} as const;

/** The Block Kit subset tcpcheck posts. */
export type TextObject = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type Button = { type: 'button'; action_id: string; text: { type: 'plain_text'; text: string }; value: string; style?: 'primary' | 'danger' };
export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id?: string; elements: Button[] };

/** One Slack message: blocks plus the plain-text fallback for notifications and old clients. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export interface SlackThread {
  parent: SlackMessage;
  replies: SlackMessage[];
}

/** Values carried by the parent's buttons; the Bolt action handlers read them back. */
export interface ThreadButtons {
  rerun: string;
  raw: string;
  /** Shown only where a deep probe can really run. */
  deep?: string;
}

/**
 * A Re-run or Deep probe button's value: `{"node":…, "intervalSec":…, "issuedAt":…}` (ms since
 * 1970), read back and re-validated by the Bolt handlers, which refuse it once it is too old.
 */
export function encodeButtonValue(node: string, intervalSec: number, issuedAtMs: number): string {
  return JSON.stringify({ node, intervalSec, issuedAt: issuedAtMs });
}

/** Action ids of the parent's buttons. */
export const ACTION_IDS = { rerun: 'tcpcheck_rerun', raw: 'tcpcheck_raw', deep: 'tcpcheck_deep' } as const;

export interface RenderSlackOptions {
  /** Buttons on the parent message; none when absent. */
  buttons?: ThreadButtons;
  /** Rows per table before the rest is left to the raw file. @defaultValue 60 */
  maxRows?: number;
}

const SEVERITY_LABEL: Record<Severity | 'ok', string> = {
  critical: ':red_circle: CRITICAL',
  warning: ':large_orange_circle: WARNING',
  info: ':large_blue_circle: INFO',
  ok: ':large_green_circle: OK',
};

/** Escapes the three characters Slack's mrkdwn treats as markup (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to `max` characters, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A mrkdwn section, cut to the section limit. */
export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

/** A plain-text header, cut to the header limit. */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** A one-element context line, cut to the section limit. */
export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }] };
}

/**
 * Lays out monospace lines as code-block sections, each within the section limit. The title goes
 * above the first one; a line longer than a section on its own is cut.
 */
export function codeSections(title: string, lines: string[]): Block[] {
  const fence = '```';
  const budget = SLACK_LIMITS.sectionText - title.length - 2 * fence.length - 4;
  const blocks: Block[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    const head = blocks.length === 0 ? `${title}\n` : '';
    blocks.push(section(`${head}${fence}\n${chunk.join('\n')}\n${fence}`));
    chunk = [];
    size = 0;
  };
  for (const raw of lines) {
    const line = truncate(escapeMrkdwn(raw), budget);
    if (size + line.length + 1 > budget) flush();
    chunk.push(line);
    size += line.length + 1;
  }
  flush();
  if (blocks.length === 0) blocks.push(section(title));
  return blocks;
}

/** Formats rows as left-aligned columns. */
export function formatTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Keeps the first `max` rows and appends a note saying how many were left out. */
function capRows(rows: string[][], max: number): { rows: string[][]; note: string | null } {
  if (rows.length <= max) return { rows, note: null };
  return { rows: rows.slice(0, max), note: `… ${rows.length - max} more rows in the raw file` };
}

function portsBlocks(report: Report, maxRows: number): Block[] {
  const listeners = flaggedListeners(report);
  if (listeners.length === 0) return [section('*Flagged ports*\nNo listener has a backlog or a finding.')];
  const statesByPort = new Map<number, Map<string, number>>();
  for (const p of report.peers) {
    const m = statesByPort.get(p.localPort) ?? new Map<string, number>();
    m.set(p.state, (m.get(p.state) ?? 0) + p.count);
    statesByPort.set(p.localPort, m);
  }
  const rows = listeners.map((l) => [
    String(l.port),
    ownerCell(l),
    queueCell(l),
    l.acceptQueueSamples.join('→') || '-',
    [...(statesByPort.get(l.port) ?? new Map<string, number>())].map(([s, n]) => `${s} ${n}`).join(', ') || '-',
  ]);
  const capped = capRows(rows, maxRows);
  const lines = formatTable(['port', 'owner', 'queue/backlog', 'samples', 'states'], capped.rows);
  if (capped.note) lines.push(capped.note);
  return codeSections('*Flagged ports*', lines);
}

function peersBlocks(peers: PeerView[], maxRows: number): Block[] {
  const wanted = peers.filter((p) => p.state === 'CLOSE-WAIT' || p.state === 'SYN-RECV');
  if (wanted.length === 0) return [section('*CLOSE-WAIT and SYN-RECV peers*\nNone.')];
  // Grouped by state and IP across ports: a load balancer's health checks show up as one line.
  const groups = new Map<string, { state: string; ip: string; name?: string | null; ports: Set<number>; count: number; unread: number }>();
  for (const p of wanted) {
    const key = `${p.state} ${p.ip}`;
    const g = groups.get(key) ?? { state: p.state, ip: p.ip, name: p.name, ports: new Set<number>(), count: 0, unread: 0 };
    g.ports.add(p.localPort);
    g.count += p.count;
    g.unread += p.unreadBytes;
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.ip.localeCompare(b.ip));
  const rows = sorted.map((g) => [g.state, peerCell(g), String(g.count), String(g.unread), [...g.ports].sort((a, b) => a - b).join(',')]);
  const capped = capRows(rows, maxRows);
  const lines = formatTable(['state', 'peer', 'sockets', 'unread bytes', 'local ports'], capped.rows);
  if (capped.note) lines.push(capped.note);
  return codeSections('*CLOSE-WAIT and SYN-RECV peers by IP*', lines);
}

function countersBlocks(report: Report, maxRows: number): Block[] {
  const moving = Object.entries(report.counters).filter(([, c]) => (c.delta ?? 0) !== 0);
  const span = report.intervalSec === null ? 'between samples taken at unknown times' : `over ${report.intervalSec} s`;
  if (moving.length === 0) return [section(`*Counter rates*\nNo counter moved ${span}.`)];
  const rows = moving
    .sort(([, a], [, b]) => Math.abs(b.perSecond ?? 0) - Math.abs(a.perSecond ?? 0))
    .map(([name, c]) => [name, String(c.value), String(c.delta ?? '-'), c.perSecond === null ? '-' : String(Math.round(c.perSecond * 100) / 100)]);
  const capped = capRows(rows, maxRows);
  const lines = formatTable(['counter', 'value', 'delta', 'per second'], capped.rows);
  if (capped.note) lines.push(capped.note);
  return codeSections(`*Counter rates* (${span})`, lines);
}

function sysctlBlocks(report: Report): Block[] {
  const entries = Object.entries(report.sysctl).sort(([a], [b]) => a.localeCompare(b));
  const audit = report.findings.filter((f) => f.rule === 'sysctl-audit' || f.rule === 'somaxconn-low');
  const blocks: Block[] = [];
  if (audit.length > 0) {
    blocks.push(section(`*Sysctl audit*\n${audit.map((f) => `• [${f.severity}] ${escapeMrkdwn(f.title)}`).join('\n')}`));
  }
  if (entries.length === 0) return [...blocks, section('*Sysctls*\nNone could be read.')];
  return [...blocks, ...codeSections(audit.length > 0 ? '*Sysctls read*' : '*Sysctl audit*: nothing flagged', entries.map(([k, v]) => `${k} = ${v}`))];
}

function findingsBlocks(report: Report): Block[] {
  // Already ordered by the analysis: most severe first, causes before the symptoms they explain.
  const findings = report.findings;
  if (findings.length === 0) return [section('*Findings*\nNothing wrong found.')];
  const blocks: Block[] = [section('*Findings and what to do*')];
  for (const f of findings) {
    const ports = f.ports.length > 0 ? ` (port${f.ports.length > 1 ? 's' : ''} ${f.ports.join(', ')})` : '';
    const text = [`*[${f.severity}] ${escapeMrkdwn(f.title)}*${ports}`, escapeMrkdwn(f.detail), f.recommendation ? `*Do:* ${escapeMrkdwn(f.recommendation)}` : '']
      .filter(Boolean)
      .join('\n');
    blocks.push(section(text));
    if (f.commands.length > 0) blocks.push(...codeSections('Commands to run on the node:', f.commands));
  }
  return blocks;
}

/**
 * Packs blocks into messages of at most 50 blocks. Past `maxMessages` the rest is dropped and the
 * last message says so, so a post never fails and a reader knows something is missing.
 */
export function packMessages(title: string, blocks: Block[], maxMessages = 4): SlackMessage[] {
  const per = SLACK_LIMITS.blocksPerMessage;
  const messages: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += per) messages.push({ text: title, blocks: blocks.slice(i, i + per) });
  if (messages.length > maxMessages) {
    const dropped = blocks.length - maxMessages * per + 1;
    const kept = messages.slice(0, maxMessages);
    const last = kept[maxMessages - 1]!;
    last.blocks = [...last.blocks.slice(0, per - 1), context(`… ${dropped} more blocks left out to stay within Slack's limits; the raw file has everything.`)];
    return kept;
  }
  return messages;
}

/** The verdict line used in the parent and in the notification fallback. */
export function verdictText(report: Report): string {
  const v = report.verdict;
  return `${v.severity.toUpperCase()} on ${report.node}: ${v.headline}${v.cause ? ` — ${v.cause}` : ''}`;
}

/** Renders the parent message (verdict) and the thread replies (evidence, recommendations). */
export function renderSlackThread(report: Report, opts: RenderSlackOptions = {}): SlackThread {
  const maxRows = opts.maxRows ?? 60;
  const v = report.verdict;
  const where = [report.hostname && report.hostname !== report.node ? `host ${report.hostname}` : null, report.kernel ? `kernel ${report.kernel}` : null, report.collectedAt ? `collected ${report.collectedAt}` : null, report.intervalSec !== null ? `${report.intervalSec} s between samples` : null]
    .filter(Boolean)
    .join(' · ');
  const parentBlocks: Block[] = [
    header(`${v.severity.toUpperCase()} · ${report.node}`),
    context(`${SEVERITY_LABEL[v.severity]}${where ? ` · ${escapeMrkdwn(where)}` : ''}`),
    section(`*${escapeMrkdwn(v.headline)}*${v.cause ? `\n*Most likely cause:* ${escapeMrkdwn(v.cause)}` : ''}`),
  ];
  if (report.probes.length > 0) parentBlocks.push(context(`Deep probe: ${report.probes.map((p) => escapeMrkdwn(clean(probeLine(p)))).join(' · ')}`));
  if (opts.buttons) {
    parentBlocks.push({
      type: 'actions',
      block_id: 'tcpcheck_actions',
      elements: [
        { type: 'button', action_id: ACTION_IDS.rerun, text: { type: 'plain_text', text: 'Re-run' }, value: truncate(opts.buttons.rerun, SLACK_LIMITS.buttonValue) },
        { type: 'button', action_id: ACTION_IDS.raw, text: { type: 'plain_text', text: 'Show raw' }, value: truncate(opts.buttons.raw, SLACK_LIMITS.buttonValue) },
        ...(opts.buttons.deep === undefined
          ? []
          : [{ type: 'button' as const, action_id: ACTION_IDS.deep, text: { type: 'plain_text' as const, text: 'Deep probe' }, value: truncate(opts.buttons.deep, SLACK_LIMITS.buttonValue) }]),
      ],
    });
  }
  const parent: SlackMessage = { text: truncate(verdictText(report), SLACK_LIMITS.fallbackText), blocks: parentBlocks };
  const title = (what: string) => truncate(`${report.node}: ${what}`, SLACK_LIMITS.fallbackText);
  const replies = [
    ...packMessages(title('flagged ports and peers'), [...portsBlocks(report, maxRows), { type: 'divider' }, ...peersBlocks(report.peers, maxRows)]),
    ...packMessages(title('counter rates and sysctls'), [...countersBlocks(report, maxRows), { type: 'divider' }, ...sysctlBlocks(report)]),
    ...packMessages(title('findings and recommendations'), findingsBlocks(report)),
  ];
  return { parent, replies };
}
