/**
 * Imports point down: wiring (app, cli, jobs) → slack, deliver, queue, history → collect, cluster,
 * inventory, config → the pure core (parse, analyze, render) → domain. A module may import its own
 * layer or a lower one, never a higher one, and never across the same-layer pairs listed below.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layer of each top-level folder (or file) under src/, and of jobs/. */
const LAYERS: Record<string, number> = {
  'src/domain': 0,
  'src/errors.ts': 0,
  'src/parse': 1,
  'src/analyze': 1,
  'src/render': 1,
  'src/config': 2,
  'src/inventory': 2,
  'src/collect': 2,
  'src/cluster': 2,
  'src/log.ts': 2,
  'src/metrics.ts': 2,
  'src/history': 3,
  'src/deliver': 3,
  'src/queue': 3,
  'src/slack': 3,
  'src/app': 4,
  'src/cli': 4,
  jobs: 4,
};

/** Same-layer imports that are forbidden, as [from, to]: the inventory names targets and knows no transport; sinks know no Bolt handler. */
const FORBIDDEN: [string, string][] = [
  ['src/inventory', 'src/collect'],
  ['src/collect', 'src/inventory'],
  ['src/deliver', 'src/slack'],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function areaOf(file: string): string | null {
  const rel = relative(ROOT, file);
  return Object.keys(LAYERS).find((area) => rel === area || rel.startsWith(`${area}/`)) ?? null;
}

/** Relative imports of a file (static and dynamic), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('imports', () => {
  const files = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'jobs'))];

  it('every module belongs to a layer', () => {
    expect(files.filter((f) => areaOf(f) === null).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('point down or sideways, never up, and never across a forbidden pair', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = areaOf(file)!;
      for (const target of importsOf(file)) {
        const to = areaOf(target);
        if (to === null || to === from) continue;
        const forbidden = FORBIDDEN.some(([a, b]) => a === from && b === to);
        if (LAYERS[to]! > LAYERS[from]! || forbidden) wrong.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
