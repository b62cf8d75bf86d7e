/**
 * Renders a report for a terminal: verdict first, then the cause in full, the symptoms it explains
 * in short, and the tables a reader checks it against. ANSI colour only when asked (the CLI asks
 * on a TTY without NO_COLOR).
 */
import type { Finding, Report, Severity } from '../domain/report.js';
import {
  MAX_SYMPTOM_EVIDENCE,
  alignColumns,
  flaggedListeners,
  changeCell,
  cleanForDisplay,
  exitWords,
  ownerCell,
  peerCell,
  probeLine,
  queueCell,
  shownCounters,
  shownSysctls,
  splitFindings,
  statesLine,
} from './format.js';

export interface TextOptions {
  /** Emit ANSI colour and bold. @defaultValue false */
  color: boolean;
}

const COLORS: Record<Severity | 'ok', string> = { critical: '31', warning: '33', info: '36', ok: '32' };

/** Renders the report as plain text (or ANSI-coloured text), ending in a newline. */
export function renderText(raw: Report, opts: TextOptions): string {
  const { report, peerTotal } = cleanForDisplay(raw);
  const paint = (text: string, code: string) => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const label = (s: Severity | 'ok') => paint(s.toUpperCase(), `1;${COLORS[s]}`);
  const bold = (t: string) => paint(t, '1');
  const out: string[] = [];

  const about = [`node ${report.node}`, report.hostname && report.hostname !== report.node ? `host ${report.hostname}` : null, `kernel ${report.kernel ?? 'unknown'}`, report.collectedAt ? `at ${report.collectedAt}` : null, `from ${report.source}`];
  out.push(`${bold('tcpcheck')}  ${about.filter(Boolean).join(' · ')}`);
  out.push(`${label(report.verdict.severity)}  ${report.verdict.headline}`);
  if (report.verdict.cause) out.push(`Cause: ${report.verdict.cause}`);

  const { main, explained } = splitFindings(report);
  if (main.length > 0) {
    out.push('', bold('Findings'));
    for (const f of main) out.push(...renderFinding(f, label, bold));
  }
  if (explained.length > 0) {
    out.push('', bold('Symptoms explained above'));
    for (const f of explained) {
      out.push(`${label(f.severity)} ${f.rule}: ${f.title}`);
      for (const e of f.evidence.slice(0, MAX_SYMPTOM_EVIDENCE)) out.push(`    ${e}`);
      if (f.evidence.length > MAX_SYMPTOM_EVIDENCE) out.push(`    … ${f.evidence.length - MAX_SYMPTOM_EVIDENCE} more`);
    }
  }

  const flagged = flaggedListeners(report);
  if (report.listeners.length > 0) {
    out.push('', bold(`Flagged ports: ${flagged.length} of ${report.listeners.length} listeners`));
    if (flagged.length > 0) {
      const rows = flagged.map((l) => [String(l.port), l.address, ownerCell(l), queueCell(l), l.acceptQueueSamples.join(' → ')]);
      out.push(...alignColumns([['PORT', 'ADDRESS', 'OWNER', 'QUEUE/BACKLOG', 'SAMPLES'], ...rows]).map((r) => `  ${r}`));
    }
  }
  const peers = report.peers;
  if (peers.length > 0) {
    out.push('', bold(`Peers${peerTotal > peers.length ? ` (top ${peers.length} of ${peerTotal})` : ''}`));
    const rows = peers.map((p) => [String(p.localPort), p.state, peerCell(p), String(p.count), String(p.unreadBytes), String(p.maxRecvQ)]);
    out.push(...alignColumns([['PORT', 'STATE', 'PEER', 'COUNT', 'UNREAD', 'MAX RECV-Q'], ...rows]).map((r) => `  ${r}`));
  }
  if (Object.keys(report.states).length > 0) out.push('', `${bold('States')}  ${statesLine(report)}`);
  const counters = shownCounters(report);
  if (counters.length > 0) {
    out.push('', bold('Counters'));
    out.push(...alignColumns([['NAME', 'VALUE', 'CHANGE'], ...counters.map(([n, v]) => [n, String(v.value), changeCell(v)])]).map((r) => `  ${r}`));
  }
  const sysctls = shownSysctls(report);
  if (sysctls.length > 0) {
    out.push('', bold('Settings'));
    out.push(...sysctls.map(([k, v]) => `  ${k} = ${v}`));
  }
  if (report.probes.length > 0) out.push('', bold('Deep probe'), ...report.probes.map((p) => `  ${probeLine(p)}`));
  const skipped = Object.entries(report.skipped);
  if (skipped.length > 0) out.push('', `Skipped lines: ${skipped.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  out.push('', `exit ${report.exitCode} (${exitWords(report.exitCode)})`);
  return out.join('\n') + '\n';
}

function renderFinding(f: Finding, label: (s: Severity) => string, bold: (t: string) => string): string[] {
  const lines = ['', `${label(f.severity)} ${bold(f.rule)}${f.ports.length > 0 ? ` · ports ${f.ports.join(', ')}` : ''}`, `  ${f.title}`, `  ${f.detail}`];
  if (f.evidence.length > 0) lines.push('  Evidence:', ...f.evidence.map((e) => `    ${e}`));
  lines.push(`  What to do: ${f.recommendation}`);
  lines.push(...f.commands.map((c) => `    $ ${c}`));
  if (f.explains.length > 0) lines.push(`  Explains: ${f.explains.join(', ')}`);
  return lines;
}
