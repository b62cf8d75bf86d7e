/**
 * The one diagnose entry: a node (through its transport), a saved path (a `--save` bundle
 * directory or a file of output) or text → Report. `tcpcheck check`, `tcpcheck analyze`, the Slack
 * worker and the sweeps all call {@link diagnose}, so a terminal and Slack can never disagree.
 *
 *     collect (node's script)  →  RawBundle  ─┐   (+ cluster context from the Kubernetes API, live nodes only)
 *     saved bundle / raw file  →  RawBundle  ─┼→ parse → Snapshot → analyze → Report
 *     transcript text          →  Snapshot  ──┘
 */
import { readFile, stat } from 'node:fs/promises';
import type { OpenedNode } from '../src/app/targets.js';
import { loadBundle } from '../src/collect/bundle-store.js';
import { decodeOutput } from '../src/collect/decode.js';
import { readCutFile } from '../src/collect/listing-file.js';
import { readStream, readWhole } from '../src/collect/read-whole.js';
import { buildPlan, newNonce } from '../src/collect/plan.js';
import type { RawBundle } from '../src/domain/raw.js';
import type { Report } from '../src/domain/report.js';
import type { Snapshot } from '../src/domain/snapshot.js';
import type { ListingCut } from '../src/parse/listing-cut.js';
import { ANALYZE_USAGE, inputInvalid } from '../src/errors.js';
import { buildSnapshot, cutSections } from '../src/parse/bundle.js';
import { TRANSPORT_STDERR_SECTION } from '../src/domain/sections.js';
import { bundleFromOutput } from '../src/parse/raw-output.js';
import { nonceOf } from '../src/parse/sections.js';
import { parseTranscript, parseTranscriptCut } from '../src/parse/transcript.js';
import { analyze } from '../src/analyze/index.js';
import { collectDeepSections, type DeepProbeOptions } from './deep-probe.js';

/** What to diagnose. */
export type DiagnoseInput =
  /** A live node: the plan runs through its transport, within its limits. */
  | { kind: 'node'; node: OpenedNode }
  /** A `--save` bundle directory, a file of raw collection output, or a transcript file; `-` ({@link STDIN_PATH}) reads standard input. */
  | { kind: 'path'; path: string; node?: string; pcap?: string }
  /** Raw collection output or a terminal transcript, already in memory; `capture`: a pcap taken beside a transcript. */
  | { kind: 'text'; text: string; node?: string; source?: string; capture?: Uint8Array };

export interface DiagnoseOptions {
  /** Seconds between the two samples (live nodes). @defaultValue the node's `limits.intervalSec` */
  intervalSec?: number;
  /** Cancels a live collection. */
  signal?: AbortSignal;
  /** Clock for the collection timestamp, injected so tests and replays are deterministic. @defaultValue () => new Date() */
  now?: () => Date;
  /** Parse and analyze a live node's output in a worker thread (long-running processes). @defaultValue false */
  offThread?: boolean;
  /** After the standard check, run the deep probe on the ports it flagged (live nodes). @defaultValue off */
  deep?: DeepProbeOptions;
}

export interface Diagnosis {
  /** The raw sections (null for a transcript, which has none). */
  bundle: RawBundle | null;
  snapshot: Snapshot;
  report: Report;
}

/** Runs the fixed plan on the node through its transport and returns the raw sections. */
export async function collectBundle(node: OpenedNode, opts: DiagnoseOptions = {}): Promise<RawBundle> {
  // The nonce is chosen here, after the node's processes have printed whatever they like: none can know it.
  const plan = buildPlan({ intervalSec: opts.intervalSec ?? node.limits.intervalSec, nonce: newNonce() });
  const collectedAt = (opts.now ?? (() => new Date()))().toISOString();
  const result = await node.transport.run(plan, {
    signal: opts.signal,
    timeoutMs: plan.expectedSec * 1000 + node.limits.commandTimeoutMs,
    maxOutputBytes: node.limits.maxOutputBytes,
  });
  const bundle = bundleFromOutput(result.stdout, { nonce: plan.nonce, node: node.name, transport: node.transport.kind, collectedAt, intervalSec: plan.intervalSec });
  if (result.stderr.trim()) bundle.sections.push({ name: TRANSPORT_STDERR_SECTION, stdout: '', stderr: result.stderr, exitCode: result.exitCode });
  return bundle;
}

/** Pure: parses a bundle and analyzes it; `cuts`: listings cut out of its sections as they were read (see {@link buildSnapshot}). */
export function diagnoseBundle(bundle: RawBundle, cuts?: ReadonlyMap<string, ListingCut>): Diagnosis {
  const snapshot = buildSnapshot(bundle, cuts);
  return { bundle, snapshot, report: analyze(snapshot) };
}

/**
 * A live node: its plan and, when configured, the cluster context, read at the same time. The two
 * meet in the Snapshot; the cluster never fails the diagnosis (what it could not read becomes a
 * finding).
 */
async function diagnoseNode(node: OpenedNode, opts: DiagnoseOptions): Promise<Diagnosis> {
  const [bundle, cluster] = await Promise.all([collectBundle(node, opts), node.cluster?.read(opts.signal)]);
  const analyzeBundle = async (b: RawBundle): Promise<Diagnosis> => {
    // Loaded when asked for: the thread's module finds its body relative to its own file.
    if (opts.offThread) return { bundle: b, ...(await (await import('../src/app/analysis-thread.js')).analyzeInThread(b, cluster)) };
    const snapshot = buildSnapshot(b);
    if (cluster) snapshot.cluster = cluster;
    return { bundle: b, snapshot, report: analyze(snapshot) };
  };
  const standard = await analyzeBundle(bundle);
  if (!opts.deep) return standard;
  // The deep probe watches the ports the standard check flagged, then the whole bundle is analyzed again.
  const deep = await collectDeepSections(node, standard.report, opts.deep, opts.signal);
  return deep.length > 0 ? analyzeBundle({ ...bundle, sections: [...bundle.sections, ...deep] }) : standard;
}

/** The path that names standard input. */
export const STDIN_PATH = '-';

/** The capture file given beside a transcript (`--pcap`), if any. */
async function readCapture(pcap: string | undefined): Promise<Uint8Array | undefined> {
  if (pcap === undefined) return undefined;
  return readFile(pcap).catch(() => {
    throw inputInvalid(`${pcap}: cannot read the capture file`, ANALYZE_USAGE);
  });
}

/** Text in either form: raw collection output (section markers) or a free-form transcript. */
function diagnoseText(text: string, node: string | undefined, source: string, capture?: Uint8Array): Diagnosis {
  const nonce = nonceOf(text);
  if (nonce !== undefined) {
    // A raw file has no bundle.json: its own meta section says where, when and how far apart it
    // sampled, and its first marker which marker set (with or without a nonce) frames it.
    const toIso = (sec: number) => new Date(sec * 1000).toISOString();
    return diagnoseBundle(bundleFromOutput(text, { nonce, node, nodeFallback: source, transport: 'file', collectedAt: toIso }));
  }
  const snapshot = parseTranscript(text, { node, capture });
  return { bundle: null, snapshot, report: analyze(snapshot) };
}

/**
 * A saved file that starts with a listing, read with the listing cut out as the file is read
 * (src/collect/listing-file.ts): the same diagnosis as {@link diagnoseText} of the whole file,
 * without holding it whole. Null when the file does not start with a listing, is raw collection
 * output, or its listing block is read some other way: the caller reads it whole.
 */
function diagnoseCutFile(path: string, node: string | undefined, capture?: Uint8Array): Diagnosis | null {
  const file = readCutFile(path);
  if (file === null || nonceOf(file.text) !== undefined) return null;
  const snapshot = parseTranscriptCut(file.text, file.cut, { node, capture });
  return snapshot === null ? null : { bundle: null, snapshot, report: analyze(snapshot) };
}

/** Diagnoses a node (with the deep probe when asked), a saved path or text. Throws coded errors (unreachable, timeout, input_invalid, …). */
export async function diagnose(input: DiagnoseInput, opts: DiagnoseOptions = {}): Promise<Diagnosis> {
  switch (input.kind) {
    case 'node':
      return diagnoseNode(input.node, opts);
    case 'text':
      return diagnoseText(input.text, input.node, input.source ?? 'text', input.capture);
    case 'path': {
      // `-`: standard input (`ss -tan | tcpcheck analyze -`), read whole as text.
      if (input.path === STDIN_PATH) return diagnoseText(decodeOutput(await readStream(process.stdin, 'standard input')), input.node, 'stdin', await readCapture(input.pcap));
      const info = await stat(input.path).catch(() => {
        throw inputInvalid(`${input.path}: no such file or directory`, ANALYZE_USAGE);
      });
      const capture = await readCapture(input.pcap);
      if (info.isDirectory()) {
        const { bundle, cuts } = await loadBundle(input.path, cutSections);
        return diagnoseBundle(input.node ? { ...bundle, node: input.node } : bundle, cuts);
      }
      const cut = info.isFile() ? diagnoseCutFile(input.path, input.node, capture) : null;
      return cut ?? diagnoseText(decodeOutput(await readWhole(input.path)), input.node, input.path, capture);
    }
  }
}
