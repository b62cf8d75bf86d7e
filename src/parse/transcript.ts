/**
 * Builds a Snapshot from a free-form terminal transcript: an incident report, a chat paste, a
 * runbook log, or a saved file with one or several outputs and no prompts. Each block of output is
 * read by the command that printed it (`ss -antp | grep 31493`), or, when shown without one, by
 * what its lines look like (see content-runs.ts): an `ss` or `netstat` listing, /proc/net/tcp,
 * sysctls, counters, a state tally.
 *
 * What a transcript cannot tell is left unknown rather than guessed: samples have no time
 * (`atSec: null`), and the socket table covers only the ports the investigator grepped for.
 * Every line not read is counted, per block (`transcript:ss at line 12`), with examples.
 */
import { COUNTED_ONLY_STATES, type CollectionNote, type Coverage, type CounterSample, type ListenSample, type ParseIssue, type ProcessInfo, type Snapshot, type Socket, type TcpState } from '../domain/snapshot.js';
import { leadingListingKind, splitByContent } from './content-runs.js';
import { addCut, LISTING_COUNT_ONLY, type ListingCut } from './listing-cut.js';
import { parseCounters } from './counters.js';
import { parseNetstat, type NetstatParseResult } from './netstat.js';
import { createIssue, mergeIssues, skipLine } from './parse-issue.js';
import { parseProcNetTcp } from './proc-net-tcp.js';
import { parsePs } from './ps.js';
import { socketKey } from './socket-key.js';
import { parseSs, type SsParseResult } from './ss.js';
import { parseStateTally } from './state-tally.js';
import { parseSysctl } from './sysctl.js';
import { readCommand, type CommandInfo } from './transcript-command.js';
import { splitTranscript, type TranscriptBlock } from './transcript-blocks.js';
import { TranscriptDeep } from './transcript-deep.js';

export interface TranscriptOptions {
  /** Node name for the report; defaults to the host name in the prompts. */
  node?: string;
  /** A pcap file taken beside the transcript (`analyze --pcap FILE`), read as the deep probe's capture. */
  capture?: Uint8Array;
}

/** One socket listing read from a block. */
interface TableBlock {
  sockets: Socket[];
  counts: Partial<Record<TcpState, number>>;
  coverage: Coverage;
}

interface Assembly {
  /** The whole transcript: the big listings are read in place, by their block's offsets. */
  text: string;
  tables: TableBlock[];
  ownersKnown: boolean;
  listenSamples: ListenSample[];
  /** netstat listeners, whose backlog netstat does not print: settled once the whole input is read. */
  backlogUnknown: Socket[];
  counterSamples: CounterSample[];
  sysctl: Record<string, string>;
  stateTotals: Partial<Record<TcpState, number>> | null;
  processes: Record<number, ProcessInfo>;
  kernel: string | null;
  hostname: string | null;
  issues: ParseIssue[];
  notes: CollectionNote[];
  serviceNames: Map<string, number>;
  deep: TranscriptDeep;
  /** A listing run cut out of `text` (src/parse/listing-cut.ts), until the parse of the block that held it takes it. */
  cut: ListingCut | null;
}

/** Reads a transcript into a Snapshot. Never throws: unreadable lines are counted per block. */
export function parseTranscript(text: string, opts: TranscriptOptions = {}): Snapshot {
  return assemble(text, null, opts) as Snapshot;
}

/**
 * Reads a transcript whose big listing run was cut out at `cut.at` (src/parse/listing-cut.ts) as
 * {@link parseTranscript} reads the whole text. Null when no listing parse took the cut (the run's
 * block was read some other way): the caller then reads the whole text.
 */
export function parseTranscriptCut(text: string, cut: ListingCut, opts: TranscriptOptions = {}): Snapshot | null {
  return assemble(text, cut, opts);
}

function assemble(text: string, cut: ListingCut | null, opts: TranscriptOptions): Snapshot | null {
  const split = splitTranscript(text, cut ? { at: cut.at, lines: cut.lines } : undefined);
  const a: Assembly = {
    text,
    tables: [],
    ownersKnown: true,
    listenSamples: [],
    backlogUnknown: [],
    counterSamples: [],
    sysctl: {},
    stateTotals: null,
    processes: {},
    kernel: null,
    hostname: split.hostname,
    issues: [],
    notes: [],
    serviceNames: new Map(),
    deep: new TranscriptDeep(),
    cut,
  };
  for (const block of split.blocks) {
    const cmd = block.command === null ? null : readCommand(block.command);
    if (cmd === null || cmd.kind === 'other') readByContent(block, cmd === null, a);
    else readLabelled(block, cmd, a);
  }
  if (a.cut !== null) return null;
  settleBacklogs(a);

  const table = combineTables(a.tables);
  const sampled = a.listenSamples.flatMap((l) => l.listeners);
  // Two lists walked in turn, not spread into one: the table can hold a hundred thousand sockets.
  for (const list of [table.sockets, sampled]) {
    for (const s of list) {
      if (s.processes.length === 0) continue;
      for (const p of s.processes) a.processes[p.pid] ??= { pid: p.pid, name: p.name, cmdline: null };
    }
  }
  const deep = a.deep.build([...table.sockets.filter((s) => s.state === 'LISTEN'), ...sampled], opts.capture);
  if (a.counterSamples.length > 1) {
    a.notes.push({ source: 'transcript', message: 'the counter readings in the transcript carry no time: changes are shown, rates are unknown' });
  }
  if (a.serviceNames.size > 0) {
    const names = [...a.serviceNames].sort((x, y) => x[1] - y[1]).map(([name, port]) => `${name} = ${port}`);
    a.notes.push({ source: 'transcript', message: `ports were printed as service names (no -n) and read with the standard table: ${names.join(', ')}` });
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
    sockets: { ...table, countedOnly: COUNTED_ONLY_STATES, ownersKnown: a.tables.length > 0 && a.ownersKnown },
    stateTotals: a.stateTotals,
    listenSamples: a.listenSamples,
    counterSamples: a.counterSamples,
    sysctl: a.sysctl,
    processes: a.processes,
    notes: a.notes,
    parseIssues: mergeIssues([...a.issues, ...a.deep.issues]).filter((i) => i.skipped > 0),
    ...(deep ? { deep } : {}),
  };
}

const sourceName = (kind: string, line: number) => `transcript:${kind} at line ${line}`;

function readLabelled(block: TranscriptBlock, cmd: CommandInfo, a: Assembly): void {
  const body = block.body;
  const source = sourceName(cmd.kind, block.line);
  switch (cmd.kind) {
    case 'ss': {
      const plain = cmd.state === null && !cmd.listenOnly;
      const parsed = takeCut('ss', parseSs(a.text, source, { defaultState: cmd.state ?? 'UNKNOWN', countOnly: cmd.listenOnly ? undefined : LISTING_COUNT_ONLY, from: block.from, to: block.to }), block, plain, a);
      a.issues.push(parsed.issue);
      for (const [name, port] of parsed.serviceNames) a.serviceNames.set(name, port);
      if (cmd.listenOnly) {
        // A listener listing, whole or filtered (`awk '$2 > 0'`), is one more reading of the listen queues.
        a.listenSamples.push({ atSec: null, listeners: parsed.sockets.filter((s) => s.state === 'LISTEN') });
        return;
      }
      addTable(parsed, labelledCoverage(cmd), cmd.owners || parsed.ownersSeen, a);
      return;
    }
    case 'netstat':
      return addNetstat(takeCut('netstat', parseNetstat(a.text, source, { countOnly: LISTING_COUNT_ONLY, from: block.from, to: block.to }), block, true, a), labelledCoverage(cmd), cmd.listenOnly, cmd.owners, a);
    case 'proc-net-tcp': {
      const parsed = parseProcNetTcp(body, source, { countOnly: LISTING_COUNT_ONLY });
      a.issues.push(parsed.issue);
      addProcListeners(parsed.sockets, a);
      addTable(parsed, cmd.filtered || cmd.ports ? { kind: 'partial' } : { kind: 'full' }, false, a);
      return;
    }
    case 'counters':
      return addCounters(body, source, cmd.increments, a);
    case 'sysctl':
      return addSysctl(body, source, a);
    case 'state-tally':
      return addTally(body, source, a);
    case 'ps': {
      const parsed = parsePs(body, cmd.psColumns, source);
      a.issues.push(parsed.issue);
      for (const p of Object.values(parsed.processes)) a.processes[p.pid] ??= p;
      return;
    }
    case 'kernel':
      a.kernel = firstWord(body) ?? a.kernel;
      return;
    case 'hostname':
      a.hostname = firstWord(body) ?? a.hostname;
      return;
    case 'strace':
      return a.deep.addStrace(cmd.pid!, block.command!, body);
    case 'stacks':
      return a.deep.addStacks(cmd.pid!, block.command!, body);
    case 'other':
      return;
  }
}

function labelledCoverage(cmd: CommandInfo): Coverage {
  return cmd.filtered ? { kind: 'partial' } : cmd.ports ? { kind: 'ports', ports: cmd.ports } : { kind: 'full' };
}

/**
 * A block shown without its command (or after one we do not know, like `cat saved.txt`): cut into
 * runs by content, each read by its parser. Lines of no known kind count as skipped when the block
 * had no command; after a command we do not read they are that command's own output. A listing saved with its header counts as the whole
 * table; without one it may be a grep's excerpt, so it is partial.
 */
function readByContent(block: TranscriptBlock, unlabelled: boolean, a: Assembly): void {
  if (readAsOneListing(block, a)) return;
  for (const run of splitByContent(block.body)) {
    const line = block.line + run.line - 1;
    const source = sourceName(run.kind ?? 'unrecognised', line);
    const coverage: Coverage = run.header ? { kind: 'full' } : { kind: 'partial' };
    switch (run.kind) {
      case null: {
        // After a command we do not read (tcpdump, a stack dump), other output is expected: only
        // output shown without any command was offered as something to read.
        if (!unlabelled) break;
        const issue = createIssue(source);
        for (const l of run.text.split('\n')) if (l.trim() !== '') skipLine(issue, l);
        a.issues.push(issue);
        break;
      }
      case 'ss':
        addSsRun(parseSs(run.text, source, { countOnly: LISTING_COUNT_ONLY }), coverage, a);
        break;
      case 'netstat':
        addNetstatRun(parseNetstat(run.text, source, { countOnly: LISTING_COUNT_ONLY }), run.text, coverage, a);
        break;
      case 'proc-net-tcp': {
        const parsed = parseProcNetTcp(run.text, source, { countOnly: LISTING_COUNT_ONLY });
        a.issues.push(parsed.issue);
        addProcListeners(parsed.sockets, a);
        addTable(parsed, coverage, false, a);
        break;
      }
      case 'sysctl':
        addSysctl(run.text, source, a);
        break;
      case 'counters':
        // nstat's `#kernel` output without its command: whether -a was given cannot be told.
        addCounters(run.text, source, /^#kernel/m.test(run.text) ? null : false, a);
        break;
      case 'state-tally':
        addTally(run.text, source, a);
        break;
    }
  }
}

/**
 * A block that starts with an `ss` or `netstat` header, most often one saved listing (and then
 * the big one): parsed whole, without first cutting it into runs line by line. Kept only when the
 * parser read every line and met no header after its first socket (listings saved back to back);
 * otherwise the block is cut by content like any other, and this parse is dropped.
 */
function readAsOneListing(block: TranscriptBlock, a: Assembly): boolean {
  const kind = leadingListingKind(block.body);
  if (kind === null) return false;
  const source = sourceName(kind, block.line);
  const range = { countOnly: LISTING_COUNT_ONLY, from: block.from, to: block.to };
  const read = kind === 'ss' ? parseSs(a.text, source, range) : parseNetstat(a.text, source, range);
  const cut = cutIn(kind, block, true, a);
  const parsed = cut ? addCut(read, cut) : read;
  if (parsed.issue.skipped > 0 || parsed.headerAfterData) return false;
  // The cut is taken only with the parse it completes, when that parse is kept.
  if (cut) a.cut = null;
  if (kind === 'ss') addSsRun(parsed, { kind: 'full' }, a);
  else addNetstatRun(parsed as NetstatParseResult, block.body, { kind: 'full' }, a);
  return true;
}

/**
 * The cut-out run when it lay in this block and was read by the same tool's parser with the same
 * options (`same`: no single-state filter, COUNTED_ONLY_STATES counted only); else null.
 */
function cutIn(kind: 'ss' | 'netstat', block: TranscriptBlock, same: boolean, a: Assembly): ListingCut | null {
  const cut = a.cut;
  // The block's body ends before the newline of its last line: a run cut from its end sits just after that.
  return cut !== null && cut.kind === kind && same && cut.at >= block.from && cut.at <= block.to + 1 ? cut : null;
}

/** The in-place parse of a labelled block's listing, which is always kept: with the cut-out run added and taken when it lay in this block. */
function takeCut<R extends SsParseResult>(kind: 'ss' | 'netstat', parsed: R, block: TranscriptBlock, same: boolean, a: Assembly): R {
  const cut = cutIn(kind, block, same, a);
  if (cut === null) return parsed;
  a.cut = null;
  return addCut(parsed, cut);
}

/** An `ss` listing read from a run of a block: a table, or a second sample of the listeners. */
function addSsRun(parsed: SsParseResult, coverage: Coverage, a: Assembly): void {
  a.issues.push(parsed.issue);
  for (const [name, port] of parsed.serviceNames) a.serviceNames.set(name, port);
  const listenOnly = parsed.sockets.length > 0 && Object.keys(parsed.counts).every((s) => s === 'LISTEN');
  if (listenOnly && a.tables.length > 0) a.listenSamples.push({ atSec: null, listeners: parsed.sockets });
  else addTable(parsed, coverage, parsed.ownersSeen, a);
}

/** A `netstat` listing read from a run of a block; its title line says what it left out: `(w/o servers)`, `(only servers)`. */
function addNetstatRun(parsed: NetstatParseResult, text: string, coverage: Coverage, a: Assembly): void {
  // The title is the run's first line (it starts a run): never searched for through the listing.
  const end = text.indexOf('\n');
  const title = /^Active Internet connections \(([^)]*)\)/.exec(text.slice(0, end === -1 ? text.length : end))?.[1];
  addNetstat(parsed, title === 'w/o servers' ? { kind: 'partial' } : coverage, title === 'only servers', false, a);
}

function addNetstat(parsed: NetstatParseResult, coverage: Coverage, listenOnly: boolean, owners: boolean, a: Assembly): void {
  a.issues.push(parsed.issue);
  for (const [name, port] of parsed.serviceNames) a.serviceNames.set(name, port);
  for (const s of parsed.sockets) if (s.state === 'LISTEN') a.backlogUnknown.push(s);
  if (listenOnly) {
    a.listenSamples.push({ atSec: null, listeners: parsed.sockets.filter((s) => s.state === 'LISTEN') });
    return;
  }
  addTable(parsed, coverage, owners || parsed.ownersSeen, a);
}

/** /proc/net/tcp prints no backlog either (see proc-net-tcp.ts): settled like netstat's. */
function addProcListeners(sockets: Socket[], a: Assembly): void {
  for (const s of sockets) if (s.state === 'LISTEN') a.backlogUnknown.push(s);
}

/**
 * Gives listeners from netstat or /proc/net/tcp a backlog where one is known for sure: the same
 * listener in an `ss` listing of this input (its Send-Q is the backlog), else
 * net.core.somaxconn from this input (the largest backlog any listener can have, so only a surely
 * full queue reads full). Otherwise the backlog is unknown and said so; the queue length is then
 * shown as its own backlog, so no queue is called full on a guess.
 */
function settleBacklogs(a: Assembly): void {
  if (a.backlogUnknown.length === 0) return;
  const fromSs = new Map<string, number>();
  const unknownSet = new Set(a.backlogUnknown);
  for (const s of [...a.tables.flatMap((t) => t.sockets), ...a.listenSamples.flatMap((l) => l.listeners)]) {
    if (s.state === 'LISTEN' && !unknownSet.has(s)) fromSs.set(`${s.localAddress} ${s.localPort}`, s.sendQ);
  }
  const somaxconn = Number(a.sysctl['net.core.somaxconn']);
  let guessed = 0;
  let capped = 0;
  for (const s of a.backlogUnknown) {
    const known = fromSs.get(`${s.localAddress} ${s.localPort}`);
    if (known !== undefined) s.sendQ = known;
    else if (somaxconn > 0) {
      s.sendQ = somaxconn;
      capped++;
    } else {
      s.sendQ = s.recvQ;
      s.backlogUnknown = true;
      guessed++;
    }
  }
  if (capped > 0) {
    a.notes.push({ source: 'transcript', message: `netstat and /proc/net/tcp print no listen backlog: net.core.somaxconn (${somaxconn}) is taken as the backlog of ${capped === 1 ? '1 listener' : `${capped} listeners`}, so only a queue longer than that reads full` });
  }
  if (guessed > 0) {
    a.notes.push({ source: 'transcript', message: `netstat and /proc/net/tcp print no listen backlog, and the input has neither an ss listing of the same listeners nor net.core.somaxconn: the backlog of ${guessed === 1 ? '1 listener' : `${guessed} listeners`} is unknown, so whether their accept queues are full is not judged (run \`ss -ltn\` to see it)` });
  }
}

/** `increments`: true for nstat without -a, null when it cannot be told (nstat output without its command). */
function addCounters(body: string, source: string, increments: boolean | null, a: Assembly): void {
  const parsed = parseCounters(body, source);
  a.issues.push(parsed.issue);
  if (Object.keys(parsed.values).length === 0) return;
  a.counterSamples.push({ atSec: null, values: parsed.values });
  if (increments === true) {
    a.notes.push({ source, message: 'nstat without -a prints increments since its previous run, not totals since boot: these counters are changes over an unknown time' });
  } else if (increments === null) {
    a.notes.push({ source, message: 'nstat output without its command: unless it was run with -a, its counters are increments since its previous run, not totals since boot' });
  }
}

function addSysctl(body: string, source: string, a: Assembly): void {
  const parsed = parseSysctl(body, source);
  a.issues.push(parsed.issue);
  Object.assign(a.sysctl, parsed.values);
}

function addTally(body: string, source: string, a: Assembly): void {
  const parsed = parseStateTally(body, source);
  a.issues.push(parsed.issue);
  if (Object.keys(parsed.totals).length > 0) a.stateTotals = parsed.totals;
}

function addTable(parsed: { sockets: Socket[]; counts: Partial<Record<TcpState, number>>; issue: ParseIssue }, coverage: Coverage, owners: boolean, a: Assembly): void {
  if (Object.keys(parsed.counts).length === 0 && parsed.issue.skipped === 0) return;
  a.tables.push({ sockets: parsed.sockets, counts: parsed.counts, coverage });
  a.ownersKnown &&= owners;
}

/**
 * One table from every listing in the input. Kept sockets seen in several listings (same state
 * and endpoints) count once, the owner from whichever listing named one. Counted-only states
 * (ESTAB, TIME-WAIT) have no addresses to match: listings of the same scope (the whole table
 * twice, the same grep twice) are the same sockets, so the largest count is taken; listings of
 * different ports add up.
 */
function combineTables(tables: TableBlock[]): { sockets: Socket[]; counts: Partial<Record<TcpState, number>>; coverage: Coverage } {
  if (tables.length === 1) {
    const only = tables[0] as TableBlock;
    return { sockets: only.sockets, counts: only.counts, coverage: only.coverage };
  }
  const byKey = new Map<string, Socket>();
  for (const t of tables) {
    for (const s of t.sockets) {
      const key = socketKey(s);
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, s);
      else if (seen.processes.length === 0 && s.processes.length > 0) seen.processes = s.processes;
    }
  }
  const sockets = [...byKey.values()];
  const counts: Partial<Record<TcpState, number>> = {};
  for (const s of sockets) counts[s.state] = (counts[s.state] ?? 0) + 1;
  const coverage = combineCoverage(tables.map((t) => t.coverage));
  for (const state of COUNTED_ONLY_STATES) {
    const byScope = new Map<string, number>();
    for (const t of tables) {
      const scope = t.coverage.kind === 'ports' ? t.coverage.ports.join(',') : t.coverage.kind;
      byScope.set(scope, Math.max(byScope.get(scope) ?? 0, t.counts[state] ?? 0));
    }
    const n = coverage.kind === 'full' ? (byScope.get('full') ?? 0) : [...byScope.values()].reduce((x, y) => x + y, 0);
    if (n > 0) counts[state] = n;
  }
  return { sockets, counts, coverage };
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

function firstWord(body: string): string | null {
  const line = body.split('\n').find((l) => l.trim() !== '')?.trim();
  return line && !/\s/.test(line) ? line : null;
}

