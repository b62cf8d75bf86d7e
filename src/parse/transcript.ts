/**
 * Builds a Snapshot from a free-form terminal transcript: an incident report, a chat paste, a
 * runbook log. Each block of output is read by the command that printed it (`ss -antp | grep
 * 31493`), or, when shown without a prompt, by what it looks like (a run of `k = v` lines is
 * sysctl, a `netstat -s` excerpt is counters).
 *
 * What a transcript cannot tell is left unknown rather than guessed: samples have no time
 * (`atSec: null`), and the socket table covers only the ports the investigator grepped for.
 */
import type { Coverage, CounterSample, ListenSample, ParseIssue, ProcessInfo, Snapshot, Socket, TcpState } from '../domain/snapshot.js';
import { parseCounters } from './counters.js';
import { mergeIssues } from './parse-issue.js';
import { parseProcNetTcp } from './proc-net-tcp.js';
import { parsePs } from './ps.js';
import { socketKey } from './socket-key.js';
import { parseSs } from './ss.js';
import { parseStateTally } from './state-tally.js';
import { parseSysctl } from './sysctl.js';
import { readCommand, type CommandInfo } from './transcript-command.js';
import { splitTranscript, type TranscriptBlock } from './transcript-blocks.js';

export interface TranscriptOptions {
  /** Node name for the report; defaults to the host name in the prompts. */
  node?: string;
}

/** Share of a prompt-less block's lines one parser must read for the block to count as that kind. */
const RECOGNISED_SHARE = 0.6;

interface Assembly {
  table: Map<string, Socket>;
  /** Coverage of each table block, combined at the end. */
  coverages: Coverage[];
  ownersKnown: boolean;
  listenSamples: ListenSample[];
  counterSamples: CounterSample[];
  sysctl: Record<string, string>;
  stateTotals: Partial<Record<TcpState, number>> | null;
  processes: Record<number, ProcessInfo>;
  kernel: string | null;
  hostname: string | null;
  issues: ParseIssue[];
}

/** Reads a transcript into a Snapshot. Never throws: unreadable lines are counted per source. */
export function parseTranscript(text: string, opts: TranscriptOptions = {}): Snapshot {
  const split = splitTranscript(text);
  const a: Assembly = {
    table: new Map(),
    coverages: [],
    ownersKnown: true,
    listenSamples: [],
    counterSamples: [],
    sysctl: {},
    stateTotals: null,
    processes: {},
    kernel: null,
    hostname: split.hostname,
    issues: [],
  };
  for (const block of split.blocks) {
    if (block.command === null) readUnlabelled(block, a);
    else readLabelled(block, readCommand(block.command), a);
  }

  const sockets = [...a.table.values()];
  for (const s of [...sockets, ...a.listenSamples.flatMap((l) => l.listeners)]) {
    for (const p of s.processes) a.processes[p.pid] ??= { pid: p.pid, name: p.name, cmdline: null };
  }
  const notes = [];
  if (a.counterSamples.length > 1) {
    notes.push({ source: 'transcript', message: 'the counter readings in the transcript carry no time: changes are shown, rates are unknown' });
  }
  return {
    meta: {
      node: opts.node ?? a.hostname ?? 'transcript',
      hostname: a.hostname,
      kernel: a.kernel,
      uptimeSec: null,
      collectedAt: null,
      intervalSec: null,
      uid: split.user === 'root' ? 0 : null,
      source: 'transcript',
    },
    // A transcript is small: every socket is kept, none only counted.
    sockets: { sockets, counts: countByState(sockets), countedOnly: [], coverage: combineCoverage(a.coverages), ownersKnown: a.coverages.length > 0 && a.ownersKnown },
    stateTotals: a.stateTotals,
    listenSamples: a.listenSamples,
    counterSamples: a.counterSamples,
    sysctl: a.sysctl,
    processes: a.processes,
    notes,
    parseIssues: mergeIssues(a.issues).filter((i) => i.skipped > 0),
  };
}

function readLabelled(block: TranscriptBlock, cmd: CommandInfo, a: Assembly): void {
  const body = block.lines.join('\n');
  switch (cmd.kind) {
    case 'ss': {
      const parsed = parseSs(body, 'transcript:ss', { defaultState: cmd.state ?? 'UNKNOWN' });
      a.issues.push(parsed.issue);
      if (cmd.listenOnly) {
        // A listener listing, whole or filtered (`awk '$2 > 0'`), is one more reading of the listen queues.
        a.listenSamples.push({ atSec: null, listeners: parsed.sockets.filter((s) => s.state === 'LISTEN') });
        return;
      }
      const coverage: Coverage = cmd.filtered ? { kind: 'partial' } : cmd.ports ? { kind: 'ports', ports: cmd.ports } : { kind: 'full' };
      addToTable(parsed.sockets, coverage, cmd.owners || parsed.ownersSeen, a);
      return;
    }
    case 'proc-net-tcp': {
      const parsed = parseProcNetTcp(body, 'transcript:proc-net-tcp');
      a.issues.push(parsed.issue);
      addToTable(parsed.sockets, cmd.filtered || cmd.ports ? { kind: 'partial' } : { kind: 'full' }, false, a);
      return;
    }
    case 'counters':
      return addCounters(body, a);
    case 'sysctl':
      return addSysctl(body, a);
    case 'state-tally': {
      const parsed = parseStateTally(body, 'transcript:state-tally');
      a.issues.push(parsed.issue);
      if (Object.keys(parsed.totals).length > 0) a.stateTotals = parsed.totals;
      return;
    }
    case 'ps': {
      const parsed = parsePs(body, cmd.psColumns, 'transcript:ps');
      a.issues.push(parsed.issue);
      for (const p of Object.values(parsed.processes)) a.processes[p.pid] ??= p;
      return;
    }
    case 'kernel':
      a.kernel = firstLine(block) ?? a.kernel;
      return;
    case 'hostname':
      a.hostname = firstLine(block) ?? a.hostname;
      return;
    case 'other':
      return;
  }
}

/** A block shown without its command: recognised by the parser that reads most of its lines. */
function readUnlabelled(block: TranscriptBlock, a: Assembly): void {
  const body = block.lines.join('\n');
  const lines = block.lines.filter((l) => l.trim() !== '' && !/^\s*\.+\s*$/.test(l)).length;
  const enough = (n: number) => n >= Math.max(1, lines * RECOGNISED_SHARE);

  const sysctl = parseSysctl(body, 'transcript:sysctl');
  if (enough(Object.keys(sysctl.values).length)) return addSysctl(body, a);
  const ss = parseSs(body, 'transcript:ss');
  if (enough(ss.sockets.length)) {
    a.issues.push(ss.issue);
    if (ss.sockets.every((s) => s.state === 'LISTEN')) a.listenSamples.push({ atSec: null, listeners: ss.sockets });
    else addToTable(ss.sockets, { kind: 'partial' }, ss.ownersSeen, a);
    return;
  }
  const tally = parseStateTally(body, 'transcript:state-tally');
  if (enough(Object.keys(tally.totals).length)) {
    a.stateTotals = tally.totals;
    return;
  }
  const counters = parseCounters(body, 'transcript:counters');
  if (enough(Object.keys(counters.values).length)) return addCounters(body, a);
}

function addCounters(body: string, a: Assembly): void {
  const parsed = parseCounters(body, 'transcript:counters');
  a.issues.push(parsed.issue);
  if (Object.keys(parsed.values).length > 0) a.counterSamples.push({ atSec: null, values: parsed.values });
}

function addSysctl(body: string, a: Assembly): void {
  const parsed = parseSysctl(body, 'transcript:sysctl');
  a.issues.push(parsed.issue);
  Object.assign(a.sysctl, parsed.values);
}

/** Adds sockets seen in one block; the same socket in several blocks (same state and endpoints) is kept once. */
function addToTable(sockets: Socket[], coverage: Coverage, owners: boolean, a: Assembly): void {
  a.coverages.push(coverage);
  a.ownersKnown &&= owners;
  for (const s of sockets) {
    const key = socketKey(s);
    const seen = a.table.get(key);
    if (!seen) a.table.set(key, s);
    else if (seen.processes.length === 0 && s.processes.length > 0) seen.processes = s.processes;
  }
}

/** Full if any block listed every socket; the union of ports if every block was a port grep; else partial. */
function combineCoverage(coverages: Coverage[]): Coverage {
  if (coverages.length === 0) return { kind: 'partial' };
  if (coverages.some((c) => c.kind === 'full')) return { kind: 'full' };
  if (coverages.every((c) => c.kind === 'ports')) {
    const ports = new Set(coverages.flatMap((c) => (c.kind === 'ports' ? c.ports : [])));
    return { kind: 'ports', ports: [...ports].sort((x, y) => x - y) };
  }
  return { kind: 'partial' };
}

function firstLine(block: TranscriptBlock): string | null {
  const line = block.lines.find((l) => l.trim() !== '')?.trim();
  return line && !/\s/.test(line) ? line : null;
}

function countByState(sockets: readonly Socket[]): Partial<Record<TcpState, number>> {
  const counts: Partial<Record<TcpState, number>> = {};
  for (const s of sockets) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return counts;
}
