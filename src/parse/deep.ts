/**
 * Turns the deep plan's sections (src/collect/plans/deep.ts) into the Snapshot's `deep` part:
 * the capture decoded from base64 and read as pcap, each owner's strace table and thread stacks,
 * and one cost record per probe. What a probe could not do (no tcpdump, no privilege) becomes a
 * note and a failed probe record, never an exception.
 *
 *     @@TCPCHECK BEGIN capture
 *     1MOyoQIABAAAAAAAAAAAAIAAAAAUAQAAN0QHa67ADgBQAAAAUAAAAAgAAAAA…
 *     @@TCPCHECK END capture rc=124
 *     @@TCPCHECK ERR capture 9 packets captured
 *     @@TCPCHECK ERR capture 0 packets dropped by kernel
 *     @@TCPCHECK ERR capture @time 1795638327689901348 1795638330712695114
 */
import { DEEP_LIMITS, DeepSections, describeCapture, describeStacks, describeStrace } from '../domain/deep-sections.js';
import { DEFAULT_IMMEDIATE_CLOSE_MS, type DeepSnapshot, type OwnerProbe, type ProbeRecord } from '../domain/deep.js';
import type { RawSection } from '../domain/raw.js';
import type { CollectionNote, ParseIssue } from '../domain/snapshot.js';
import { parsePcap } from './pcap.js';
import { parseStraceSummary } from './strace-summary.js';
import { parseThreadStacks } from './thread-stacks.js';

export interface DeepParseResult {
  deep: DeepSnapshot;
  notes: CollectionNote[];
  issues: ParseIssue[];
}

/** True when a bundle carries a deep probe's sections. */
export function hasDeepSections(sections: readonly RawSection[]): boolean {
  return sections.some((s) => s.name === DeepSections.meta);
}

/** True for a section the deep plan prints. */
export function isDeepSection(name: string): boolean {
  return name === DeepSections.meta || name === DeepSections.capture || name.startsWith(DeepSections.stracePrefix) || name.startsWith(DeepSections.stacksPrefix);
}

/** Exit statuses of a probe that ran its course: done (0) or stopped by `timeout` at the end of the window (124). */
const RAN = new Set([0, 124]);

/** Reads the deep sections of a bundle. */
export function parseDeepSections(sections: readonly RawSection[], immediateCloseMs = DEFAULT_IMMEDIATE_CLOSE_MS): DeepParseResult {
  const byName = new Map(sections.map((s) => [s.name, s]));
  const notes: CollectionNote[] = [];
  const issues: ParseIssue[] = [];
  const meta = readMeta(byName.get(DeepSections.meta)?.stdout ?? '');
  const window = meta.window;
  const probes: ProbeRecord[] = [];
  let packets: DeepSnapshot['packets'] = null;

  const cap = byName.get(DeepSections.capture);
  if (cap) {
    const info = readStderr(cap.stderr);
    const bytes = Buffer.from(cap.stdout, 'base64');
    const pcap = parsePcap(bytes, DeepSections.capture);
    if (pcap.linkType !== null) {
      packets = pcap.packets;
      issues.push(pcap.issue);
    }
    const error = probeError(cap.exitCode, info.rc, info.other, pcap.linkType === null ? 'no capture came back' : null);
    if (error) notes.push({ source: DeepSections.capture, message: `packet capture: ${error}` });
    probes.push({
      name: 'capture', command: describeCapture(window ?? DEEP_LIMITS.defaultSeconds, meta.ports), ports: meta.ports, pid: null,
      ...timing(info.time), bytes: bytes.length, packets: pcap.linkType !== null ? pcap.records : info.captured,
      droppedByKernel: info.dropped, ok: error === null, error,
    });
  }

  const owners: OwnerProbe[] = [];
  for (const pid of meta.pids) {
    const owner: OwnerProbe = { pid, syscalls: null, syscallSeconds: null, threads: [] };
    const st = byName.get(`${DeepSections.stracePrefix}${pid}`);
    if (st) {
      const info = readStderr(st.stderr);
      const summary = parseStraceSummary(st.stdout, st.name);
      issues.push(summary.issue);
      // strace prints no table when the process made no syscall at all in the window.
      const watched = /attached/.test(st.stdout) && /detached/.test(st.stdout);
      if (summary.found || watched) {
        owner.syscalls = summary.rows;
        owner.syscallSeconds = summary.total?.seconds ?? 0;
      }
      const failure = st.stdout.split('\n').find((l) => /^strace: .*(not permitted|No such process|denied)/i.test(l)) ?? null;
      const error = probeError(st.exitCode, null, [...info.other, ...(failure ? [failure] : [])], owner.syscalls === null ? 'no syscall table' : null);
      if (error) notes.push({ source: st.name, message: `syscall profile of pid ${pid}: ${error}` });
      probes.push({
        name: 'strace', command: describeStrace(window ?? DEEP_LIMITS.defaultSeconds, pid), ports: meta.ports, pid, ...timing(info.time),
        bytes: Buffer.byteLength(st.stdout), packets: null, droppedByKernel: null, ok: error === null, error,
      });
    }
    const sk = byName.get(`${DeepSections.stacksPrefix}${pid}`);
    if (sk) {
      const info = readStderr(sk.stderr);
      const parsed = parseThreadStacks(sk.stdout, sk.name);
      issues.push(parsed.issue);
      owner.threads = parsed.threads;
      const unreadable = parsed.threads.length > 0 && parsed.threads.every((t) => t.frames.length === 0) ? 'kernel stacks unreadable (root needed); wait sites from wchan' : null;
      const error = probeError(sk.exitCode, null, info.other, parsed.threads.length === 0 ? 'no threads read' : null) ?? unreadable;
      if (error) notes.push({ source: sk.name, message: `thread stacks of pid ${pid}: ${error}` });
      probes.push({
        name: 'stacks', command: describeStacks(pid), ports: meta.ports, pid, ...timing(info.time),
        bytes: Buffer.byteLength(sk.stdout), packets: null, droppedByKernel: null, ok: error === null, error,
      });
    }
    owners.push(owner);
  }
  return { deep: { ports: meta.ports, windowSec: window, immediateCloseMs, packets, owners, probes }, notes, issues };
}

function readMeta(text: string): { window: number | null; ports: number[]; pids: number[] } {
  const out = { window: null as number | null, ports: [] as number[], pids: [] as number[] };
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    const nums = rest.filter((x) => /^\d+$/.test(x)).map(Number);
    if (key === 'window' && nums[0] !== undefined) out.window = nums[0];
    else if (key === 'ports') out.ports = nums;
    else if (key === 'pids') out.pids = nums;
  }
  return out;
}

interface StderrInfo {
  time: [number, number] | null;
  rc: number | null;
  captured: number | null;
  dropped: number | null;
  /** Lines that are not tcpdump's usual chatter: errors, in the tool's words. */
  other: string[];
}

/** tcpdump's normal stderr: what it listens on, and its counts when it stops. */
const CHATTER = /^(tcpdump: (listening on|data link type|verbose output suppressed)|\d+ packets? (received by filter|captured))/;

function readStderr(text: string): StderrInfo {
  const out: StderrInfo = { time: null, rc: null, captured: null, dropped: null, other: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const time = /^@time (\d+) (\d+)$/.exec(line);
    if (time) {
      out.time = [Number(time[1]), Number(time[2])];
      continue;
    }
    if (line.startsWith('@time ')) continue;
    const rc = /^@rc (\d+)$/.exec(line);
    if (rc) out.rc = Number(rc[1]);
    else if (/^(\d+) packets? dropped by kernel$/.test(line)) out.dropped = Number(line.split(' ')[0]);
    else {
      const captured = /^(\d+) packets? captured$/.exec(line);
      if (captured) out.captured = Number(captured[1]);
      if (!CHATTER.test(line)) out.other.push(line);
    }
  }
  return out;
}

/** Why a probe fell short, in the tool's words; null when it ran its course. */
function probeError(sectionRc: number | null, toolRc: number | null, other: string[], missing: string | null): string | null {
  const rc = toolRc ?? sectionRc;
  if (rc !== null && !RAN.has(rc)) return other.length > 0 ? other.slice(0, 2).join('; ') : `exit status ${rc}`;
  if (sectionRc === null) return 'cut short (the connection ended before the probe did)';
  if (other.length > 0 && missing) return other.slice(0, 2).join('; ');
  return missing;
}

/** Start and duration from the script's `date +%s%N` pair (nanoseconds); nulls where `%N` is unsupported. */
function timing(t: [number, number] | null): Pick<ProbeRecord, 'startedAt' | 'durationMs'> {
  if (!t || t[0] < 1e15) return { startedAt: null, durationMs: null };
  return { startedAt: isoFromEpochMs(Math.floor(t[0] / 1e6)), durationMs: Math.round((t[1] - t[0]) / 1e6) };
}

/** ISO 8601 (UTC, milliseconds) of a node's timestamp, computed rather than read from a clock (civil-from-days, H. Hinnant). */
export function isoFromEpochMs(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${pad(Math.floor(rest / 3_600_000))}:${pad(Math.floor(rest / 60_000) % 60)}:${pad(Math.floor(rest / 1000) % 60)}.${pad(rest % 1000, 3)}`;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}T${time}Z`;
}
