import { describe, expect, it } from 'vitest';
import type { SweepNodeSummary, SweepRecord } from '../../src/domain/sweep.js';
import { renderTrendPng, renderTrendSvg } from '../../src/deliver/trend-png.js';
import { buildTrendPoints } from '../../src/render/trend-chart.js';

/** 30 daily sweeps of 15 nodes: node i leaks i*3 CLOSE-WAIT a day from day i; node 3 unreachable on day 20. */
function history(): SweepRecord[] {
  return Array.from({ length: 30 }, (_, day) => {
    const startedAt = new Date(Date.UTC(2026, 9, 27 + day, 7)).toISOString();
    const nodes = Array.from({ length: 15 }, (_, i): SweepNodeSummary => {
      const name = `ip-10-0-1-${i}`;
      if (i === 3 && day === 20) return { node: name, verdict: 'unreachable', exitCode: 3, headline: null, findings: [], error: { code: 'node_unreachable', message: 'x' }, figures: null };
      const closeWait = day >= i ? (day - i) * i * 3 : 0;
      const full = closeWait > 128 ? 1 : 0;
      return {
        node: name, verdict: closeWait ? 'critical' : 'healthy', exitCode: closeWait ? 2 : 0, headline: '',
        findings: closeWait ? [{ rule: 'close-wait-leak', severity: 'critical', ports: [31591] }] : [],
        error: null, figures: { closeWait, listenOverflowsPerSec: 0, fullQueues: full, synRecv: 0 },
      };
    });
    return { schemaVersion: 1, sweepId: `d${day}`, startedAt, finishedAt: startedAt, nodes };
  });
}

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('buildTrendPoints', () => {
  const points = buildTrendPoints(history());
  const series = new Set(points.map((p) => p.series));

  it('draws the ten nodes with the most CLOSE-WAIT by name and sums the others', () => {
    expect(series.size).toBe(11);
    expect(series).toContain('other 4 nodes (summed)');
    expect(series).toContain('ip-10-0-1-14');
    // Node 0 never had a finding: no series.
    expect(series).not.toContain('ip-10-0-1-0');
  });

  it('leaves a gap, not a zero, where a node was unreachable', () => {
    const day20 = new Date(Date.UTC(2026, 9, 47, 7)).toISOString();
    expect(points.filter((p) => p.time === day20).map((p) => p.series)).not.toContain('ip-10-0-1-3');
  });

  it('draws nothing for a fleet with no findings', () => {
    expect(buildTrendPoints([])).toEqual([]);
  });
});

describe('renderTrendPng', () => {
  it('renders a titled, labelled PNG of at least 800×400 with the shipped font', async () => {
    const svg = (await renderTrendSvg(history(), 30))!;
    expect(svg).toContain('tcpcheck fleet trend');
    expect(svg).toContain('CLOSE-WAIT sockets');
    expect(svg).toContain('full accept queues');
    expect(svg).toContain('sweep date (UTC)');
    const png = (await renderTrendPng(history(), 30))!;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const { width, height } = pngSize(png);
    expect(width).toBeGreaterThanOrEqual(800);
    expect(height).toBeGreaterThanOrEqual(400);
    if (process.env.TREND_PNG_OUT) (await import('node:fs')).writeFileSync(process.env.TREND_PNG_OUT, png);
  });

  it('gives the same bytes for the same data', async () => {
    expect((await renderTrendPng(history(), 30))!.equals((await renderTrendPng(history(), 30))!)).toBe(true);
  });
});
