/**
 * A sweep for a terminal (text) or a ticket (markdown): one line of totals, one table row per node
 * worst first, then what changed per node. Everything a node sent (error messages) goes through
 * `clean`; the figures and changes come from the result, nothing is re-decided here.
 */
import type { FindingKey, SweepChanges, SweepNodeResult, SweepResult } from '../domain/sweep.js';
import { alignColumns, clean } from './format.js';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** `129 (+129)`, `-` when unknown. */
function figureCell(value: number | null | undefined, delta: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return delta === null || delta === undefined || delta === 0 ? String(value) : `${value} (${signed(delta)})`;
}

/** `kube-proxy-nodeport-trap :31493,31494` */
export function findingLabel(f: FindingKey): string {
  return f.ports.length ? `${f.rule} :${f.ports.join(',')}` : f.rule;
}

/** `new a, b; resolved c` — empty when nothing changed. */
export function changesLine(changes: SweepChanges | null): string {
  if (changes === null) return 'first sweep of this node';
  const parts = (['new', 'resolved'] as const).filter((k) => changes[k].length).map((k) => `${k} ${changes[k].map(findingLabel).join(', ')}`);
  return parts.join('; ') || (changes.persisting.length ? 'unchanged' : 'nothing found, as before');
}

/** The one-line summary of the totals. */
export function totalsLine(result: SweepResult): string {
  const t = result.totals;
  return `${t.checked} nodes: ${t.critical} critical, ${t.warning} warning, ${t.healthy} healthy, ${t.unreachable} unreachable`;
}

function rowCells(n: SweepNodeResult): string[] {
  const f = n.figures;
  const d = n.figuresDelta;
  const what = n.error ? `${n.error.code}: ${clean(n.error.message)}` : changesLine(n.changes);
  return [clean(n.node), n.verdict, figureCell(f?.closeWait, d?.closeWait), figureCell(f?.fullQueues, d?.fullQueues), figureCell(f?.synRecv, d?.synRecv), figureCell(f?.listenOverflowsPerSec, d?.listenOverflowsPerSec), what];
}

const HEAD = ['NODE', 'VERDICT', 'CLOSE-WAIT', 'FULL QUEUES', 'SYN-RECV', 'OVERFLOWS/S', 'CHANGES'];

function header(result: SweepResult): string {
  const since = result.previousStartedAt ? `compared with the sweep of ${result.previousStartedAt}` : 'no earlier sweep in the history';
  return `tcpcheck sweep ${result.startedAt} · ${totalsLine(result)} · ${since}`;
}

/** Plain text, columns aligned. */
export function renderSweepText(result: SweepResult): string {
  return `${[header(result), '', ...alignColumns([HEAD, ...result.nodes.map(rowCells)])].join('\n')}\n`;
}

/** A GitHub-flavoured markdown table (pipes in cells escaped). */
export function renderSweepMarkdown(result: SweepResult): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return `${[`**${header(result)}**`, '', row(HEAD), row(HEAD.map(() => '---')), ...result.nodes.map((n) => row(rowCells(n)))].join('\n')}\n`;
}
