/**
 * Renders a report as GitHub-flavoured markdown, for tickets, runbooks and chat tools other than
 * Slack: the same sections as the text renderer, as headings, lists and tables.
 */
import type { Finding, Report } from '../domain/report.js';
import { MAX_SYMPTOM_EVIDENCE, flaggedListeners, changeCell, cleanForDisplay, exitWords, ownerCell, peerCell, probeLine, queueCell, shownCounters, shownSysctls, splitFindings, statesLine } from './format.js';

/** Table cells may not hold a pipe or a line break. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Inline code that survives backticks in its content. */
const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** Renders the report as markdown, ending in a newline. */
export function renderMarkdown(raw: Report): string {
  const { report, peerTotal } = cleanForDisplay(raw);
  const out: string[] = [];
  out.push(`## tcpcheck: ${report.node} — ${report.verdict.severity.toUpperCase()}`, '');
  out.push(`**${report.verdict.headline}**`, '');
  if (report.verdict.cause) out.push(`**Cause:** ${report.verdict.cause}`, '');
  const about = [`kernel ${report.kernel ?? 'unknown'}`, report.collectedAt ? `collected ${report.collectedAt}` : null, `source ${report.source}`, `exit ${report.exitCode} (${exitWords(report.exitCode)})`];
  out.push(`_${about.filter(Boolean).join(' · ')}_`, '');

  const { main, explained } = splitFindings(report);
  if (main.length > 0) {
    out.push('### Findings', '');
    for (const f of main) out.push(...renderFinding(f));
  }
  if (explained.length > 0) {
    out.push('### Symptoms explained above', '');
    for (const f of explained) {
      out.push(`- **${f.severity}** ${code(f.rule)}: ${f.title}`);
      for (const e of f.evidence.slice(0, MAX_SYMPTOM_EVIDENCE)) out.push(`  - ${code(e)}`);
      if (f.evidence.length > MAX_SYMPTOM_EVIDENCE) out.push(`  - … ${f.evidence.length - MAX_SYMPTOM_EVIDENCE} more`);
    }
    out.push('');
  }
  const flagged = flaggedListeners(report);
  if (flagged.length > 0) {
    out.push(`### Flagged ports (${flagged.length} of ${report.listeners.length} listeners)`, '');
    out.push(...table(['Port', 'Address', 'Owner', 'Queue/backlog', 'Samples'], flagged.map((l) => [String(l.port), l.address, ownerCell(l), queueCell(l), l.acceptQueueSamples.join(' → ')])), '');
  }
  const peers = report.peers;
  if (peers.length > 0) {
    out.push(`### Peers${peerTotal > peers.length ? ` (top ${peers.length} of ${peerTotal})` : ''}`, '');
    out.push(...table(['Port', 'State', 'Peer', 'Count', 'Unread bytes', 'Max Recv-Q'], peers.map((p) => [String(p.localPort), p.state, peerCell(p), String(p.count), String(p.unreadBytes), String(p.maxRecvQ)])), '');
  }
  if (Object.keys(report.states).length > 0) out.push(`**States:** ${statesLine(report)}`, '');
  const counters = shownCounters(report);
  if (counters.length > 0) out.push('### Counters', '', ...table(['Counter', 'Value', 'Change'], counters.map(([n, v]) => [n, String(v.value), changeCell(v)])), '');
  const sysctls = shownSysctls(report);
  if (sysctls.length > 0) out.push('### Settings', '', ...sysctls.map(([k, v]) => `- ${code(`${k} = ${v}`)}`), '');
  if (report.probes.length > 0) out.push('### Deep probe', '', ...report.probes.map((p) => `- ${code(probeLine(p))}`), '');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function renderFinding(f: Finding): string[] {
  const lines = [`#### ${f.severity.toUpperCase()} ${code(f.rule)}${f.ports.length > 0 ? ` — ports ${f.ports.join(', ')}` : ''}`, '', `**${f.title}**`, '', f.detail, ''];
  if (f.evidence.length > 0) lines.push('Evidence:', '', ...f.evidence.map((e) => `- ${code(e)}`), '');
  lines.push(`**What to do:** ${f.recommendation}`, '');
  if (f.commands.length > 0) lines.push('```sh', ...f.commands, '```', '');
  if (f.explains.length > 0) lines.push(`Explains: ${f.explains.map(code).join(', ')}`, '');
  return lines;
}
