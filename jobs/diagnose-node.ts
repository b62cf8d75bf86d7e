/**
 * The one place the stages are wired together: collect → parse → analyze. The CLI, the Slack
 * worker and the sweeps all call these, so a terminal and Slack can never disagree.
 */
import { buildPlan } from '../src/collect/plan.js';
import type { Transport } from '../src/collect/transport.js';
import type { RawBundle } from '../src/domain/raw.js';
import type { Report } from '../src/domain/report.js';
import type { Snapshot } from '../src/domain/snapshot.js';
import { splitSections } from '../src/parse/sections.js';
import { buildSnapshot } from '../src/parse/bundle.js';
import { analyze } from '../src/analyze/index.js';

export interface CollectOptions {
  /** Seconds between the two samples. @defaultValue 5 */
  intervalSec: number;
  /** Whole-run timeout on top of the interval. @defaultValue 30000 */
  timeoutMs?: number;
  /** @defaultValue 64 MiB */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Clock, injected so tests and replays are deterministic. @defaultValue () => new Date() */
  now?: () => Date;
}

export interface Diagnosis {
  bundle: RawBundle;
  snapshot: Snapshot;
  report: Report;
}

/** Runs the fixed plan on the node through the transport and returns the raw sections. */
export async function collectBundle(transport: Transport, node: string, opts: CollectOptions): Promise<RawBundle> {
  const plan = buildPlan({ intervalSec: opts.intervalSec });
  const collectedAt = (opts.now ?? (() => new Date()))().toISOString();
  const result = await transport.run(plan, {
    signal: opts.signal,
    timeoutMs: plan.expectedSec * 1000 + (opts.timeoutMs ?? 30_000),
    maxOutputBytes: opts.maxOutputBytes ?? 64 * 1024 * 1024,
  });
  const sections = splitSections(result.stdout);
  if (result.stderr.trim()) sections.push({ name: 'transport-stderr', stdout: '', stderr: result.stderr, exitCode: result.exitCode });
  return { node, transport: transport.kind, collectedAt, intervalSec: Number(plan.args[0]), sections };
}

/** Pure: parses a bundle and analyzes it. */
export function diagnoseBundle(bundle: RawBundle): Diagnosis {
  const snapshot = buildSnapshot(bundle);
  return { bundle, snapshot, report: analyze(snapshot) };
}

/** Collects from the node and diagnoses it. */
export async function diagnoseNode(transport: Transport, node: string, opts: CollectOptions): Promise<Diagnosis> {
  return diagnoseBundle(await collectBundle(transport, node, opts));
}
