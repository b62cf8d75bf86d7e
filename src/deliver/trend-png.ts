/**
 * The trend chart as PNG: Vega-Lite spec → Vega → SVG (vega's headless renderer, no canvas) →
 * PNG with resvg, using only the font file shipped in the repo (assets/fonts, DejaVu Sans), so the
 * same data gives the same image on every machine.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SweepRecord } from '../domain/sweep.js';
import { buildTrendPoints, buildTrendSpec } from '../render/trend-chart.js';

const FONT_FAMILY = 'DejaVu Sans';

/** assets/fonts/DejaVuSans.ttf from src/deliver (tsx) or dist/src/deliver (built). */
function fontFile(): string {
  for (const rel of ['../../assets/fonts/DejaVuSans.ttf', '../../../assets/fonts/DejaVuSans.ttf']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('assets/fonts/DejaVuSans.ttf is missing from the install');
}

/** The spec as SVG text. */
export async function renderTrendSvg(sweeps: readonly SweepRecord[], retentionDays: number): Promise<string | null> {
  const points = buildTrendPoints(sweeps);
  if (points.length === 0) return null;
  const spec = buildTrendSpec(points, { retentionDays, font: FONT_FAMILY }) as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The fleet's trend as PNG, or null when no node had findings in the window (nothing to draw).
 */
export async function renderTrendPng(sweeps: readonly SweepRecord[], retentionDays: number): Promise<Buffer | null> {
  const svg = await renderTrendSvg(sweeps, retentionDays);
  if (svg === null) return null;
  const png = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [fontFile()], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY }, background: 'white' }).render().asPng();
  return Buffer.from(png);
}
