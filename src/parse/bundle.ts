/**
 * Turns the collection plan's raw sections into a Snapshot (see src/collect/plan.ts for what each
 * section runs). Pure: time comes from the bundle, and nothing here reads the node.
 *
 * A section that failed, printed stderr, was cut short or is missing becomes a CollectionNote
 * ("could not read X: …"), and whatever stdout it has is still read.
 */
import { describeSection, FRAMING_SECTION, PLAN_SECTIONS, Sections, TRANSPORT_STDERR_SECTION } from '../domain/sections.js';
import type { RawBundle, RawSection } from '../domain/raw.js';
import { COUNTED_ONLY_STATES, type CollectionNote, type CounterSample, type ListenSample, type ParseIssue, type PodsView, type ProcessInfo, type Snapshot, type Socket, type SocketTable } from '../domain/snapshot.js';
import { parseCounters } from './counters.js';
import { DeepSections } from '../domain/deep-sections.js';
import { hasDeepSections, isDeepSection, parseDeepSections } from './deep.js';
import { parseMeta } from './meta.js';
import { parseOwners } from './owners.js';
import { pairPodCpu, parsePodCgroups, parsePodNetns } from './pod-sections.js';
import { parsePodLabels } from './pod-labels.js';
import { mergeIssues } from './parse-issue.js';
import { parseProcNetTcp } from './proc-net-tcp.js';
import { addCut, LISTING_COUNT_ONLY, type CutSpec, type ListingCut } from './listing-cut.js';
import { parseSs, type SsParseResult } from './ss.js';
import { parseSysctl } from './sysctl.js';

/** States the plan asks owners for; only these can take an owner from `ss-owned`. */
const OWNED_STATES = new Set(['LISTEN', 'CLOSE-WAIT', 'SYN-RECV']);

/**
 * Of the bundle's sections, those whose listing may come cut out of the section's text
 * (src/parse/listing-cut.ts), in the order to read them, and how each is read: `ss-all`, the big
 * one, with the counted-only states; `ss-owned` beside it for its listeners and owned sockets only,
 * as {@link buildSnapshot} reads it (alone it is read whole, every socket kept, and not cut).
 */
export function cutSections(sections: readonly string[]): Readonly<Record<string, CutSpec>> {
  if (!sections.includes(Sections.ssAll)) return {};
  const specs: Record<string, CutSpec> = { [Sections.ssAll]: { kind: 'ss' } };
  if (sections.includes(Sections.ssOwned)) specs[Sections.ssOwned] = { kind: 'ss', ownersOnly: true };
  return specs;
}

/**
 * Parses every section of a collected bundle into one Snapshot. Never throws on bad sections.
 * `cuts`: runs cut out of the sections {@link cutSections} names as they were read from disk,
 * added back where the section's listing is parsed.
 */
export function buildSnapshot(bundle: RawBundle, cuts: ReadonlyMap<string, ListingCut> = new Map()): Snapshot {
  const byName = new Map<string, RawSection>();
  for (const s of bundle.sections) byName.set(s.name, s);
  const notes: CollectionNote[] = [];
  const issues: ParseIssue[] = [];
  const interval = bundle.intervalSec;

  const deep = hasDeepSections(bundle.sections) ? parseDeepSections(bundle.sections) : null;
  for (const s of bundle.sections) {
    // The deep sections' own parser says what each probe could not do.
    if (deep && isDeepSection(s.name)) continue;
    if (s.name === FRAMING_SECTION) notes.push(...framingNotes(s));
    else {
      const note = noteFor(s);
      if (note) notes.push(note);
    }
  }

  const meta = parseMeta(byName.get(Sections.meta)?.stdout ?? '', Sections.meta);
  issues.push(meta.issue);
  const sysctl = parseSysctl(byName.get(Sections.sysctl)?.stdout ?? '', Sections.sysctl);
  issues.push(sysctl.issue);

  const counterSamples: CounterSample[] = [];
  for (const [name, atSec] of [
    [Sections.counters1, 0],
    [Sections.counters2, interval],
  ] as const) {
    const parsed = parseCounters(byName.get(name)?.stdout ?? '', name);
    issues.push(parsed.issue);
    if (Object.keys(parsed.values).length > 0) counterSamples.push({ atSec, values: parsed.values });
  }

  const owners = parseOwners(byName.get(Sections.owners)?.stdout ?? '', Sections.owners);
  issues.push(owners.issue);
  const processes: Record<number, ProcessInfo> = owners.processes;

  const uid = meta.meta.uid;
  const sockets = readSockets(byName, cuts, interval, Number(sysctl.values['net.core.somaxconn']) || 0, uid, notes, issues);
  // Owners named by ss but whose command line could not be read still deserve a name.
  for (const sample of sockets.listenSamples) {
    for (const s of sample.listeners) for (const p of s.processes) processes[p.pid] ??= { pid: p.pid, name: p.name, cmdline: null };
  }

  if (uid !== null && uid !== 0) {
    notes.push({ source: Sections.ssOwned, message: `collected as uid ${uid}, not root: process owners of other users' sockets are hidden` });
  }

  for (const spec of PLAN_SECTIONS) {
    if ('required' in spec && spec.required && !byName.has(spec.name)) notes.push({ source: spec.name, message: `could not read ${spec.reads}: no output (the collection stopped early)` });
  }

  const pods = readPods(byName, notes, issues);

  return {
    meta: {
      node: bundle.node,
      hostname: meta.meta.hostname,
      kernel: meta.meta.kernel,
      uptimeSec: meta.meta.uptimeSec,
      collectedAt: bundle.collectedAt,
      intervalSec: interval,
      uid,
      source: bundle.transport,
    },
    sockets: sockets.table,
    stateTotals: null,
    listenSamples: sockets.listenSamples,
    counterSamples,
    sysctl: sysctl.values,
    processes,
    notes: deep ? [...notes, ...deep.notes] : notes,
    parseIssues: mergeIssues(deep ? [...issues, ...deep.issues] : issues).filter((i) => i.skipped > 0),
    ...(pods ? { pods } : {}),
    ...(deep ? { deep: deep.deep } : {}),
  };
}

/** Pod sections, when the plan that made the bundle had them (older bundles do not). */
function readPods(byName: Map<string, RawSection>, notes: CollectionNote[], issues: ParseIssue[]): PodsView | undefined {
  const netnsSection = byName.get(Sections.podNetns);
  const first = byName.get(Sections.podCgroups1);
  if (!netnsSection && !first) return undefined;
  const labels = parsePodLabels(byName.get(Sections.podLabels)?.stdout ?? '', Sections.podLabels);
  issues.push(labels.issue);
  const netns = parsePodNetns(netnsSection?.stdout ?? '', Sections.podNetns);
  issues.push(...netns.issues);
  if (netns.capped) notes.push({ source: Sections.podNetns, message: 'not every pod network namespace was entered: the walk stopped at its namespace or time cap' });
  const c1 = parsePodCgroups(first?.stdout ?? '', Sections.podCgroups1);
  const c2 = parsePodCgroups(byName.get(Sections.podCgroups2)?.stdout ?? '', Sections.podCgroups2);
  issues.push(c1.issue, c2.issue);
  return { netns: netns.netns, netnsCapped: netns.capped, cpu: pairPodCpu(c1.cgroups, c2.cgroups), runtimeNames: labels.pods };
}

/** The splitter's framing problems (a bounded list) as tampering notes. */
function framingNotes(s: RawSection): CollectionNote[] {
  return s.stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((message) => ({ source: FRAMING_SECTION, message, tampered: true }));
}

function noteFor(s: RawSection): CollectionNote | null {
  const what = describeSection(s.name);
  const stderr = s.stderr.trim().split('\n').slice(0, 3).join('; ');
  if (s.name === TRANSPORT_STDERR_SECTION || s.name === DeepSections.transportStderr) return stderr ? { source: s.name, message: `the connection reported: ${stderr}` } : null;
  if (s.exitCode === null) return { source: s.name, message: `could not read ${what}: the output was cut short${stderr ? ` (${stderr})` : ''}` };
  if (s.exitCode !== 0) return { source: s.name, message: `could not read ${what}: ${stderr || `exit status ${s.exitCode}`}` };
  if (stderr) return { source: s.name, message: `could not read ${what}: ${stderr}` };
  return null;
}

interface SocketPart {
  table: SocketTable;
  listenSamples: ListenSample[];
}

function readSockets(
  byName: Map<string, RawSection>,
  cuts: ReadonlyMap<string, ListingCut>,
  interval: number,
  somaxconn: number,
  uid: number | null,
  notes: CollectionNote[],
  issues: ParseIssue[],
): SocketPart {
  const ownedSection = byName.get(Sections.ssOwned);
  const allSection = byName.get(Sections.ssAll);
  const procSection = byName.get(Sections.procNetTcp);

  if (!ownedSection && !allSection) {
    if (!procSection) {
      notes.push({ source: Sections.ssAll, message: 'could not read the socket table: neither ss nor /proc/net/tcp produced output' });
      return { table: { sockets: [], counts: {}, countedOnly: [], coverage: { kind: 'partial' }, ownersKnown: false }, listenSamples: [] };
    }
    const proc = parseProcNetTcp(procSection.stdout, Sections.procNetTcp, { listenBacklog: somaxconn, countOnly: LISTING_COUNT_ONLY });
    issues.push(proc.issue);
    notes.push({ source: Sections.procNetTcp, message: 'ss not found: read /proc/net/tcp; no process owners' });
    if (somaxconn > 0) {
      notes.push({ source: Sections.procNetTcp, message: `/proc/net/tcp does not show listen backlogs: net.core.somaxconn (${somaxconn}) is taken as each listener's backlog` });
    }
    const listeners = proc.sockets.filter((s) => s.state === 'LISTEN');
    return {
      table: { sockets: proc.sockets, counts: proc.counts, countedOnly: COUNTED_ONLY_STATES, coverage: { kind: procSection.exitCode === 0 ? 'full' : 'partial' }, ownersKnown: false },
      listenSamples: [{ atSec: 0, listeners }],
    };
  }

  // Beside the full table, the owners listing is read only for listeners and owned sockets (cutSections cuts it so too).
  const withCut = <R extends SsParseResult>(parsed: R | null, name: string): R | null => {
    const cut = cuts.get(name);
    return parsed && cut ? addCut(parsed, cut) : parsed;
  };
  const owned = withCut(ownedSection ? parseSs(ownedSection.stdout, Sections.ssOwned, { ownersOnly: allSection !== undefined }) : null, Sections.ssOwned);
  const all = withCut(allSection ? parseSs(allSection.stdout, Sections.ssAll, { countOnly: LISTING_COUNT_ONLY }) : null, Sections.ssAll);
  if (owned) issues.push(owned.issue);
  if (all) issues.push(all.issue);

  const ownedOk = ownedSection?.exitCode === 0 && owned !== null;
  const allOk = allSection?.exitCode === 0 && all !== null;
  let sockets: Socket[];
  let counts: SocketTable['counts'];
  let countedOnly: SocketTable['countedOnly'];
  if (all) {
    sockets = all.sockets;
    counts = all.counts;
    countedOnly = COUNTED_ONLY_STATES;
    // Owners are only asked for in states that are kept (OWNED_STATES), so none is lost here.
    if (owned) attachOwners(sockets, owned.sockets);
  } else {
    sockets = owned?.sockets ?? [];
    counts = owned?.counts ?? {};
    countedOnly = [];
  }

  const listenSamples: ListenSample[] = [];
  const first = (owned && owned.sockets.length > 0 ? owned.sockets : sockets).filter((s) => s.state === 'LISTEN');
  if (first.length > 0 || ownedOk) listenSamples.push({ atSec: 0, listeners: first });
  const secondSection = byName.get(Sections.ssListen2);
  if (secondSection) {
    const second = parseSs(secondSection.stdout, Sections.ssListen2, { defaultState: 'LISTEN' });
    issues.push(second.issue);
    if (second.sockets.length > 0 || secondSection.exitCode === 0) {
      listenSamples.push({ atSec: interval, listeners: second.sockets.filter((s) => s.state === 'LISTEN') });
    }
  }

  return {
    table: {
      sockets,
      counts,
      countedOnly,
      coverage: { kind: allOk ? 'full' : 'partial' },
      // Non-root sees only its own processes' owners: an empty owner list proves nothing then.
      ownersKnown: ownedOk && (uid === null || uid === 0),
    },
    listenSamples,
  };
}

/**
 * Gives the full table's sockets the owners `ss -p` printed for them. Only the states the plan
 * asked owners for are looked up, and by numbers first (local port, then peer port), so a
 * million-socket table builds no string key per socket: that cost more than the lookups.
 */
function attachOwners(table: Socket[], owned: Socket[]): void {
  const byPorts = new Map<number, Socket[]>();
  for (const s of owned) {
    if (s.processes.length === 0) continue;
    const k = portsKey(s);
    const list = byPorts.get(k);
    if (list) list.push(s);
    else byPorts.set(k, [s]);
  }
  if (byPorts.size === 0) return;
  for (const s of table) {
    if (!OWNED_STATES.has(s.state)) continue;
    const candidates = byPorts.get(portsKey(s));
    if (!candidates) continue;
    // From the end: when `ss -p` printed the same socket twice, the later line wins, as it always has.
    for (let i = candidates.length - 1; i >= 0; i--) {
      const o = candidates[i] as Socket;
      if (o.state === s.state && o.localAddress === s.localAddress && o.peerAddress === s.peerAddress && o.peerPort === s.peerPort) {
        s.processes = o.processes;
        break;
      }
    }
  }
}

/** Local and peer port packed in an int32 (a small integer for V8); candidates are then compared in full. */
function portsKey(s: Socket): number {
  return (s.localPort << 16) | (s.peerPort ?? 0);
}
