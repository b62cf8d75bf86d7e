/**
 * Saves and loads raw bundles (`tcpcheck check --save DIR`, `tcpcheck analyze DIR`).
 *
 * Layout: `bundle.json` (node, transport, collectedAt, intervalSec, and per section its name and exit
 * status) beside `<section>.out` and `<section>.err`, so a human can read the raw outputs directly.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawBundle } from '../domain/raw.js';
import { ANALYZE_USAGE, inputInvalid } from '../errors.js';
import { decodeOutput } from './decode.js';
import { readCutFile } from './listing-file.js';
import type { CutSpec, ListingCut } from '../parse/listing-cut.js';

interface BundleManifest {
  format: 'tcpcheck-bundle/1';
  node: string;
  transport: string;
  collectedAt: string;
  intervalSec: number;
  sections: { name: string; exitCode: number | null }[];
}

/**
 * The manifest, checked field by field. Six fields are not worth loading the schema library for:
 * it took a tenth of `analyze` on a million-socket bundle. Unknown fields are dropped; the first
 * field that is wrong is named.
 */
function parseManifest(json: unknown): BundleManifest {
  const bad = (field: string, expected: string): never => {
    throw new Error(`${field}: expected ${expected}`);
  };
  const record = (value: unknown, field: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : bad(field, 'an object');
  const text = (m: Record<string, unknown>, field: string, label = field): string => (typeof m[field] === 'string' ? m[field] : bad(label, 'a string'));
  const m = record(json, 'the manifest');
  if (m.format !== 'tcpcheck-bundle/1') bad('format', '"tcpcheck-bundle/1"');
  if (typeof m.intervalSec !== 'number' || !Number.isFinite(m.intervalSec)) bad('intervalSec', 'a number');
  if (!Array.isArray(m.sections)) bad('sections', 'a list');
  const sections = (m.sections as unknown[]).map((value, i) => {
    const s = record(value, `sections[${i}]`);
    const name = text(s, 'name', `sections[${i}].name`);
    if (!/^[a-z0-9-]+$/.test(name)) bad(`sections[${i}].name`, 'lower-case letters, digits and dashes');
    const exitCode = s.exitCode === null || Number.isInteger(s.exitCode) ? (s.exitCode as number | null) : bad(`sections[${i}].exitCode`, 'an integer or null');
    return { name, exitCode };
  });
  return { format: 'tcpcheck-bundle/1', node: text(m, 'node'), transport: text(m, 'transport'), collectedAt: text(m, 'collectedAt'), intervalSec: m.intervalSec as number, sections };
}

export const BUNDLE_MANIFEST = 'bundle.json';

export async function saveBundle(dir: string, bundle: RawBundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest: BundleManifest = {
    format: 'tcpcheck-bundle/1',
    node: bundle.node,
    transport: bundle.transport,
    collectedAt: bundle.collectedAt,
    intervalSec: bundle.intervalSec,
    sections: bundle.sections.map((s) => ({ name: s.name, exitCode: s.exitCode })),
  };
  for (const s of bundle.sections) {
    await writeFile(join(dir, `${s.name}.out`), s.stdout);
    await writeFile(join(dir, `${s.name}.err`), s.stderr);
  }
  await writeFile(join(dir, BUNDLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Reads a bundle directory. The listings of the sections `cut` names, given the manifest's section
 * names (section → how it is cut; see src/parse/bundle.ts `cutSections`), are cut out as their
 * files are read (src/collect/listing-file.ts), for `buildSnapshot(bundle, cuts)`, which reads
 * them as if the whole text were there.
 */
export async function loadBundle(
  dir: string,
  cut: (sections: readonly string[]) => Readonly<Record<string, CutSpec>> = () => ({}),
): Promise<{ bundle: RawBundle; cuts: Map<string, ListingCut> }> {
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(join(dir, BUNDLE_MANIFEST), 'utf8')));
  } catch (err) {
    throw inputInvalid(`${dir} is not a tcpcheck bundle: ${BUNDLE_MANIFEST} is missing or malformed (${(err as Error).message.split('\n')[0]})`, ANALYZE_USAGE);
  }
  const specs = cut(manifest.sections.map((s) => s.name));
  const cuts = new Map<string, ListingCut>();
  const texts = new Map<string, string>();
  /**
   * A section file's text ('' when it is missing or cannot be read), read once: with its listing
   * cut out when `cut` names its section and it starts like one, else whole. Read synchronously, as
   * the cut is: an asynchronous read takes an event-loop turn per step, and the cut holds the loop
   * until it is done. Only files the manifest names are read (their names are checked above).
   */
  const read = (file: string): string => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = readSection(dir, file, specs, cuts)));
    return text;
  };
  // The cut listings first, in `cut`'s order (the big table, then the owners listing): the first
  // read pays for warming up the parser, and the big one is read first either way.
  for (const name of Object.keys(specs)) read(`${name}.out`);
  const sections = manifest.sections.map((s) => ({ name: s.name, exitCode: s.exitCode, stdout: read(`${s.name}.out`), stderr: read(`${s.name}.err`) }));
  return { bundle: { node: manifest.node, transport: manifest.transport, collectedAt: manifest.collectedAt, intervalSec: manifest.intervalSec, sections }, cuts };
}

/** One section file of `dir` as {@link loadBundle} reads it, its cut (if any) put in `cuts`. */
function readSection(dir: string, file: string, specs: Readonly<Record<string, CutSpec>>, cuts: Map<string, ListingCut>): string {
  const section = file.endsWith('.out') ? file.slice(0, -'.out'.length) : null;
  const spec = section === null ? undefined : specs[section];
  if (section !== null && spec !== undefined) {
    const cutFile = readCutFile(join(dir, file), { section: spec });
    if (cutFile) {
      cuts.set(section, cutFile.cut);
      return cutFile.text;
    }
  }
  try {
    return decodeOutput(readFileSync(join(dir, file)));
  } catch {
    return '';
  }
}
