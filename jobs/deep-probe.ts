/**
 * The deep probe, after a standard check: watch the ports it flagged and their owners for a
 * bounded window (src/collect/plans/deep.ts) and bring back the deep sections, which
 * {@link diagnose} adds to the bundle. Only read-only tools run; nothing is written on the node.
 */
import type { OpenedNode } from '../src/app/targets.js';
import { newNonce } from '../src/collect/plan.js';
import { buildDeepPlan, heartbeatOf } from '../src/collect/plans/deep.js';
import { DEEP_LIMITS, DeepSections, deepSectionOrder } from '../src/domain/deep-sections.js';
import type { RawSection } from '../src/domain/raw.js';
import type { Report } from '../src/domain/report.js';
import { splitSections } from '../src/parse/sections.js';

export interface DeepProbeOptions {
  /** Seconds to watch, 1..60. @defaultValue 10 */
  seconds?: number;
}

/** Runs the deep plan on the ports the standard report flagged; no sections when it flagged none. */
export async function collectDeepSections(node: OpenedNode, standard: Report, opts: DeepProbeOptions, signal?: AbortSignal): Promise<RawSection[]> {
  const ports = standard.flaggedPorts;
  if (ports.length === 0) return [];
  const pids = [...new Set(standard.listeners.filter((l) => ports.includes(l.port) && l.process).map((l) => l.process!.pid))];
  // A fresh nonce, chosen after the standard run: nothing on the node can know it in advance.
  const plan = buildDeepPlan({ seconds: opts.seconds ?? DEEP_LIMITS.defaultSeconds, ports, pids, nonce: newNonce() });
  const result = await node.transport.run(plan, {
    signal,
    timeoutMs: plan.expectedSec * 1000 + node.limits.commandTimeoutMs,
    maxOutputBytes: node.limits.maxOutputBytes,
  });
  const probed = plan.args.filter((a) => a.startsWith('pid=')).map((a) => Number(a.slice(4)));
  const sections = splitSections(result.stdout.split(heartbeatOf(plan.nonce)).join(''), { nonce: plan.nonce, order: deepSectionOrder(probed) });
  if (result.stderr.trim()) sections.push({ name: DeepSections.transportStderr, stdout: '', stderr: result.stderr, exitCode: result.exitCode });
  return sections;
}
