import { describe, expect, it } from 'vitest';
import { compareSweep } from '../../src/analyze/compare.js';
import { summarizeFailure } from '../../src/analyze/sweep-summary.js';
import type { SweepNodeSummary } from '../../src/domain/sweep.js';
import { renderSweepDigest } from '../../src/render/slack-digest.js';
import { checkBlocks } from '../doubles/slack/server.js';

const critical = (i: number): SweepNodeSummary => ({
  node: `ip-10-0-${Math.floor(i / 250)}-${i % 250}.eu-central-1.compute.internal`,
  verdict: 'critical', exitCode: 2, headline: '3 accept queues full (kube-proxy NodePorts), 577 CLOSE-WAIT',
  findings: [{ rule: 'kube-proxy-nodeport-trap', severity: 'critical', ports: [30140, 30381, 30605, 30613, 30899, 30966, 31095, 31460] }, { rule: 'accept-queue-full', severity: 'critical', ports: [31493] }],
  error: null, figures: { closeWait: 577, listenOverflowsPerSec: 170, fullQueues: 3, synRecv: 12 },
});
const run = (nodes: SweepNodeSummary[]) => compareSweep({ sweepId: 'big', startedAt: '2026-11-25T07:00:00.000Z', finishedAt: '2026-11-25T07:09:00.000Z', nodes }, []);

describe('renderSweepDigest', () => {
  it('keeps 500 troubled nodes within Block Kit limits, split over thread parts that say so', () => {
    const nodes = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? summarizeFailure(`node-${i}`, { code: 'node_unreachable', message: 'x'.repeat(5000) }) : critical(i)));
    const digest = renderSweepDigest(run(nodes), 'daily');
    for (const m of [digest.parent, ...digest.parts]) expect(checkBlocks(m.blocks)).toEqual([]);
    expect(digest.parts.length).toBeGreaterThan(1);
    expect(JSON.stringify(digest.parts[1]!.blocks)).toMatch(new RegExp(`part 2 of ${digest.parts.length} \\(split to stay within Slack`));
    const listed = digest.parts.map((p) => JSON.stringify(p.blocks)).join('');
    // Every node is in the thread once.
    expect(nodes.every((n) => listed.includes(`*${n.node}*`))).toBe(true);
    expect(JSON.stringify(digest.parent.blocks)).toMatch(/and 490 more in the thread/);
  });

  it('names healthy unchanged nodes together instead of one line each', () => {
    const healthy = Array.from({ length: 500 }, (_, i): SweepNodeSummary => ({ node: `n${i}`, verdict: 'healthy', exitCode: 0, headline: 'healthy', findings: [], error: null, figures: { closeWait: 0, listenOverflowsPerSec: 0, fullQueues: 0, synRecv: 0 } }));
    const digest = renderSweepDigest(run(healthy), 'daily');
    expect(digest.parts).toHaveLength(1);
    expect(checkBlocks(digest.parts[0]!.blocks)).toEqual([]);
    expect(JSON.stringify(digest.parts[0]!.blocks)).toMatch(/500 healthy, unchanged: n0, n1/);
    expect(JSON.stringify(digest.parent.blocks)).toMatch(/Every node is healthy and nothing changed/);
  });

  it('lists every healthy node even when their names fill several sections', () => {
    const name = (i: number) => `ip-10-0-${Math.floor(i / 250)}-${i % 250}.eu-central-1.compute.internal`;
    const healthy = Array.from({ length: 500 }, (_, i): SweepNodeSummary => ({ node: name(i), verdict: 'healthy', exitCode: 0, headline: 'healthy', findings: [], error: null, figures: { closeWait: 0, listenOverflowsPerSec: 0, fullQueues: 0, synRecv: 0 } }));
    const digest = renderSweepDigest(run(healthy), 'daily');
    const listed = digest.parts.map((p) => JSON.stringify(p.blocks)).join('');
    for (const m of digest.parts) expect(checkBlocks(m.blocks)).toEqual([]);
    expect(healthy.every((n) => listed.includes(n.node))).toBe(true);
  });

  it('escapes what a node could have put in a message', () => {
    const digest = renderSweepDigest(run([summarizeFailure('n1', { code: 'collection_failed', message: '<!channel> \u001b[2J' })]), 'daily');
    const body = JSON.stringify(digest.parent.blocks);
    expect(body).toContain('&lt;!channel&gt; ?[2J');
    expect(body).not.toContain('<!channel>');
  });
});
