/**
 * Helpers the text and markdown renderers share: which parts of a report to show, and how to lay
 * out a table. Renderers only format: severity and wording come from the report.
 */
import type { ProbeRecord } from '../domain/deep.js';
import type { CounterView, Finding, ListenerView, PeerView, Report } from '../domain/report.js';
import { collate, topN } from '../domain/order.js';

/** Peers shown before "and N more". @defaultValue 20 */
export const MAX_PEERS = 20;
/** Evidence lines shown for a symptom explained by a cause. @defaultValue 4 */
export const MAX_SYMPTOM_EVIDENCE = 4;

/** Sysctls shown in the settings section (the ones the rules reason about), when present. */
export const KEY_SYSCTLS = [
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_abort_on_overflow',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_max_tw_buckets',
  'net.netfilter.nf_conntrack_count',
  'net.netfilter.nf_conntrack_max',
];

/**
 * Replaces control characters (a process name or hostname from the node could carry terminal
 * escape sequences) so printed text can never drive the terminal.
 */
export function clean(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, '?') : text;
}

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

/**
 * What the text and markdown renderers print from: a copy of the report with every string passed
 * through {@link clean}, its peers cut to the top {@link MAX_PEERS} first (a report of a
 * million-socket table holds tens of thousands of peer groups), and how many peers there were.
 */
export function cleanForDisplay(raw: Report): { report: Report; peerTotal: number } {
  return { report: cleanValue({ ...raw, peers: topPeers(raw.peers) }) as Report, peerTotal: raw.peers.length };
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cleanValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[clean(key)] = cleanValue((value as Record<string, unknown>)[key]);
  return out;
}

/** Findings split into causes and unexplained findings (`main`) and the symptoms a cause explains. */
export function splitFindings(report: Report): { main: Finding[]; explained: Finding[] } {
  return {
    main: report.findings.filter((f) => !f.explainedBy?.length),
    explained: report.findings.filter((f) => f.explainedBy?.length),
  };
}

/** The listeners on the report's flagged ports, fullest first: what every renderer shows. */
export function flaggedListeners(report: Report): ListenerView[] {
  return report.listeners.filter((l) => l.flagged).sort((a, b) => b.acceptQueue - a.acceptQueue || a.port - b.port);
}

/** A peer as the tables write it: the IP, and who it is when the cluster named it (`198.18.0.5 (shop/neo-api-5c6d)`). */
export function peerCell(p: Pick<PeerView, 'ip' | 'name'>): string {
  return p.name ? `${p.ip} (${p.name})` : p.ip;
}

const byCount = (a: PeerView, b: PeerView) => b.count - a.count || a.localPort - b.localPort || collate(a.ip, b.ip);

/** Peers by count, largest first, cut to {@link MAX_PEERS}, without sorting them all. */
export function topPeers(peers: readonly PeerView[]): PeerView[] {
  return topN(peers, MAX_PEERS, byCount);
}

/** Counters worth showing: non-zero, or moving. */
export function shownCounters(report: Report): [string, CounterView][] {
  return Object.entries(report.counters).filter(([, v]) => v.value !== 0 || (v.delta ?? 0) !== 0);
}

/** The key sysctls the report has, in {@link KEY_SYSCTLS} order. */
export function shownSysctls(report: Report): [string, string][] {
  return KEY_SYSCTLS.flatMap((k) => (report.sysctl[k] === undefined ? [] : [[k, report.sysctl[k] as string] as [string, string]]));
}

/** `kube-proxy/1515`, or `-` for no owner. */
export function ownerCell(l: ListenerView): string {
  return l.process ? `${l.process.name}/${l.process.pid}` : '-';
}

/** `129/128 full`, `72/128`. */
export function queueCell(l: ListenerView): string {
  return `${l.acceptQueue}/${l.backlog ?? '?'}${l.status === 'full' ? ' full' : ''}`;
}

/** `+849`, `+849 (169.8/s)`, or `-` with one sample. */
export function changeCell(v: CounterView): string {
  if (v.delta === null) return '-';
  return `${v.delta >= 0 ? '+' : ''}${v.delta}${v.perSecond === null ? '' : ` (${v.perSecond}/s)`}`;
}

/** States as `LISTEN 69 · CLOSE-WAIT 577`. */
export function statesLine(report: Report): string {
  return Object.entries(report.states)
    .map(([state, n]) => `${state} ${n}`)
    .join(' · ');
}

/** Left-aligned columns, two spaces apart, no trailing spaces. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** Words for an exit code. */
export function exitWords(code: Report['exitCode']): string {
  return ['healthy', 'warning', 'critical', 'could not diagnose'][code] ?? String(code);
}

/** Bytes in words: `812 B`, `18.4 KB`, `2.1 MB`. */
function bytesWords(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * One line per deep probe: what ran, how long, bytes captured, packets dropped by the kernel.
 * `capture of 31493, 32430: 10.0 s, 18.4 KB, 151 packets, 0 dropped by the kernel`.
 */
export function probeLine(p: ProbeRecord): string {
  const ports = p.ports.length > 8 ? `${p.ports.slice(0, 8).join(', ')} and ${p.ports.length - 8} more` : p.ports.join(', ');
  const what = p.name === 'capture' ? `capture of ${ports}` : `${p.name} of pid ${p.pid ?? '?'}`;
  const parts = [
    p.durationMs !== null ? `${(p.durationMs / 1000).toFixed(1)} s` : null,
    p.bytes !== null ? bytesWords(p.bytes) : null,
    p.packets !== null ? `${p.packets} packets` : null,
    p.droppedByKernel !== null ? `${p.droppedByKernel} dropped by the kernel` : null,
  ].filter(Boolean);
  return `${what}: ${p.ok ? '' : `failed (${p.error ?? 'no output'})${parts.length > 0 ? ', ' : ''}`}${parts.join(', ')}`;
}
