/**
 * The plan's framed output → a RawBundle: one function for a live run (the caller knows the nonce)
 * and for a saved raw file (its own first marker says which marker set it uses). The bundle's
 * interval, and for files its node name and time, come from the output's meta section: what the
 * script actually did, not what was asked of it.
 *
 *     @@TCPCHECK:0123456789abcdef0123456789abcdef BEGIN meta
 *     hostname-hex 766d0a
 *     interval 5
 */
import type { RawBundle, RawSection } from '../domain/raw.js';
import { Sections } from '../domain/sections.js';
import { parseMeta } from './meta.js';
import { ownersAsText } from './owners.js';
import { splitSections } from './sections.js';

export interface OutputContext {
  /** The run's nonce; null for output from before the nonce. */
  nonce: string | null;
  /** The node as the user named it. @defaultValue the hostname in the meta section, else `nodeFallback` */
  node?: string;
  /** Name when neither `node` nor the meta section gives one, e.g. the file's path. @defaultValue `unknown` */
  nodeFallback?: string;
  /** How it was collected: `local`, `ssh`, `kube`, `file`. */
  transport: string;
  /**
   * ISO 8601 start of collection from the caller's clock, or, for a saved file, a formatter for the
   * node's epoch in the meta section (this module reads no clock). @defaultValue `''`
   */
  collectedAt?: string | ((epochSec: number) => string);
  /** Interval used when the meta section does not say (output from before the interval line). @defaultValue 5 */
  intervalSec?: number;
}

/** Splits, redacts and dates framed output. Pure; never throws on hostile text. */
export function bundleFromOutput(text: string, ctx: OutputContext): RawBundle {
  const sections = splitSections(text, { nonce: ctx.nonce }).map(redactSection);
  const meta = parseMeta(sections.find((s) => s.name === Sections.meta)?.stdout ?? '').meta;
  return {
    node: ctx.node ?? meta.hostname ?? ctx.nodeFallback ?? 'unknown',
    transport: ctx.transport,
    collectedAt: typeof ctx.collectedAt === 'function' ? (meta.epochSec !== null ? ctx.collectedAt(meta.epochSec) : '') : (ctx.collectedAt ?? ''),
    intervalSec: meta.intervalSec ?? ctx.intervalSec ?? 5,
    sections,
  };
}

/**
 * Rewrites what may hold secrets as readable, redacted text, so a saved bundle, a raw file in a
 * thread and a report all carry the same redacted command lines.
 */
export function redactSection(section: RawSection): RawSection {
  return section.name === Sections.owners ? { ...section, stdout: ownersAsText(section.stdout) } : section;
}
