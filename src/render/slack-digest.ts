/**
 * A sweep as a Slack digest: one parent message (totals, the worst nodes with their top finding
 * and what changed) and thread parts with one line per node. Pure. Block Kit limits hold for any
 * fleet size: node lines are packed into sections of at most 3000 characters and parts of at most
 * 50 blocks; the parent shows the worst {@link DIGEST_WORST} nodes and says how many parts follow.
 * Every string a node could have influenced (headline, error message, node name) is cleaned and
 * escaped.
 */
import type { SweepNodeResult, SweepResult, SweepVerdict } from '../domain/sweep.js';
import { clean } from './format.js';
import { context, escapeMrkdwn, header, section, SLACK_LIMITS, truncate, type Block, type SlackMessage } from './slack-blocks.js';
import { changesLine, findingLabel, totalsLine } from './sweep-text.js';

/** Nodes named in the parent message. */
export const DIGEST_WORST = 10;

/**
 * Characters of node lines per thread part. Slack caps blocks (50) and sections (3000 characters)
 * but not a message's total; a part that fills a screen or two stays readable on a phone, and
 * Slack's own long-text fields stop at 12,000 characters (`markdown_text` of chat streaming).
 */
export const DIGEST_PART_CHARS = 12_000;

const VERDICT_LABEL: Record<SweepVerdict, string> = {
  unreachable: ':white_circle: UNREACHABLE',
  critical: ':red_circle: CRITICAL',
  warning: ':large_orange_circle: WARNING',
  healthy: ':large_green_circle: HEALTHY',
};

export interface SweepDigest {
  parent: SlackMessage;
  /** Thread replies, in order; each says which part it is. */
  parts: SlackMessage[];
}

const safe = (s: string) => escapeMrkdwn(clean(s));
const delta = (d: number | null | undefined) => (d ? ` (${d > 0 ? '+' : ''}${d})` : '');

/** One line about a node: verdict, top finding, figures, what changed (or why it was not read). */
export function nodeLine(n: SweepNodeResult): string {
  const name = `*${truncate(safe(n.node), 120)}*`;
  if (n.error) return `${VERDICT_LABEL[n.verdict]} ${name}: \`${n.error.code}\` ${truncate(safe(n.error.message), 300)}`;
  const top = n.findings[0];
  const f = n.figures!;
  const figures = `CLOSE-WAIT ${f.closeWait}${delta(n.figuresDelta?.closeWait)} · full queues ${f.fullQueues}${delta(n.figuresDelta?.fullQueues)} · SYN-RECV ${f.synRecv}${delta(n.figuresDelta?.synRecv)}`;
  const what = top ? ` — \`${findingLabel(top)}\`` : '';
  return `${VERDICT_LABEL[n.verdict]} ${name}${what} · ${figures} · ${safe(changesLine(n.changes))}`;
}

/** Packs lines into sections within the section limit. */
function lineSections(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let chunk = '';
  for (const raw of lines) {
    const line = truncate(raw, SLACK_LIMITS.sectionText);
    if (chunk && chunk.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (chunk) blocks.push(section(chunk));
  return blocks;
}

/** Groups sections into parts of at most 49 blocks (one is the part's note) and {@link DIGEST_PART_CHARS}. */
function splitSections(sections: Block[]): Block[][] {
  const parts: Block[][] = [[]];
  let chars = 0;
  for (const b of sections) {
    const size = b.type === 'section' ? b.text.text.length : 0;
    const current = parts.at(-1)!;
    if (current.length > 0 && (current.length >= SLACK_LIMITS.blocksPerMessage - 1 || chars + size > DIGEST_PART_CHARS)) {
      parts.push([b]);
      chars = size;
    } else {
      current.push(b);
      chars += size;
    }
  }
  return parts;
}

const isQuiet = (n: SweepNodeResult) => n.verdict === 'healthy' && (n.changes === null || (n.changes.new.length === 0 && n.changes.resolved.length === 0));

/** Renders the digest. `title` names the sweep (the schedule, or who asked). */
export function renderSweepDigest(result: SweepResult, title: string): SweepDigest {
  // Healthy nodes where nothing changed are named together at the end: 500 of them are one list, not 500 lines.
  const loud = result.nodes.filter((n) => !isQuiet(n));
  const quiet = result.nodes.filter(isQuiet);
  const lines = loud.map(nodeLine);
  if (quiet.length) {
    // Several lines when the names are many, so no section has to cut one off.
    let line = `:large_green_circle: ${quiet.length} healthy, unchanged:`;
    for (const [i, n] of quiet.entries()) {
      const name = `${i ? ',' : ''} ${truncate(safe(n.node), 120)}`;
      if (line.length + name.length > SLACK_LIMITS.sectionText - 100) {
        lines.push(line);
        line = '…';
      }
      line += name;
    }
    lines.push(line);
  }
  const groups = splitSections(lineSections(lines));
  const partCount = groups.length;
  const parts: SlackMessage[] = groups.map((sections, i) => ({
    text: `${title}: details ${i + 1}/${partCount}`,
    blocks: [context(`Sweep details, part ${i + 1} of ${partCount}${partCount > 1 ? ' (split to stay within Slack’s message limits)' : ''}`), ...sections],
  }));

  const totals = totalsLine(result);
  const since = result.previousStartedAt ? `changes since the sweep of ${result.previousStartedAt}` : 'first sweep: no earlier one to compare with';
  const worst = loud.slice(0, DIGEST_WORST).map(nodeLine);
  const more = loud.length > DIGEST_WORST ? [`… and ${loud.length - DIGEST_WORST} more in the thread`] : [];
  const parent: Block[] = [
    header(`tcpcheck sweep · ${clean(title)}`),
    section(`*${totals}* · ${since}`),
    ...(worst.length ? lineSections([...worst, ...more]) : [section(':large_green_circle: Every node is healthy and nothing changed.')]),
    context(`Per-node details in ${partCount} thread ${partCount === 1 ? 'reply' : 'replies'} · sweep \`${safe(result.sweepId)}\` · ${result.startedAt}`),
  ];
  return { parent: { text: truncate(`tcpcheck sweep ${clean(title)}: ${totals}`, SLACK_LIMITS.fallbackText), blocks: parent.slice(0, SLACK_LIMITS.blocksPerMessage) }, parts };
}

/** A node's row in one past sweep, as `/tcpcheck history NODE` lists it. */
export type NodeHistoryRow = SweepNodeResult & { startedAt: string; sweepId: string };

/** `/tcpcheck history NODE`: one line per sweep, newest first, with what changed each time. */
export function renderNodeHistory(node: string, rows: readonly NodeHistoryRow[], retentionDays: number): string {
  if (rows.length === 0) return `No sweep in the last ${retentionDays} days included ${safe(node)}.`;
  const lines = rows.map((r) => `• ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC ${nodeLine(r)}`);
  return truncate([`*Last ${rows.length} sweeps of ${safe(node)}*, newest first:`, ...lines].join('\n'), SLACK_LIMITS.fallbackText);
}
