import { describe, expect, it } from 'vitest';
import { compareSweep } from '../../src/analyze/compare.js';
import { summarizeFailure } from '../../src/analyze/sweep-summary.js';
import type { SweepNodeSummary } from '../../src/domain/sweep.js';
import { renderSweepJson } from '../../src/render/sweep-json.js';
import { renderSweepMarkdown, renderSweepText } from '../../src/render/sweep-text.js';

const trap = { rule: 'kube-proxy-nodeport-trap', severity: 'critical' as const, ports: [31493] };
const bad: SweepNodeSummary = { node: 'node-a', verdict: 'critical', exitCode: 2, headline: '1 accept queue full', findings: [trap], error: null, figures: { closeWait: 129, listenOverflowsPerSec: 2.5, fullQueues: 1, synRecv: 12 } };
const good: SweepNodeSummary = { node: 'node-a', verdict: 'healthy', exitCode: 0, headline: 'healthy', findings: [], error: null, figures: { closeWait: 0, listenOverflowsPerSec: 0, fullQueues: 0, synRecv: 0 } };
const result = compareSweep(
  { sweepId: 's2', startedAt: '2026-11-25T07:00:00.000Z', finishedAt: '2026-11-25T07:00:09.000Z', nodes: [bad, summarizeFailure('node-b', { code: 'node_unreachable', message: 'no route\u001b[31m' })] },
  [{ schemaVersion: 1, sweepId: 's1', startedAt: '2026-11-24T07:00:00.000Z', finishedAt: '2026-11-24T07:00:09.000Z', nodes: [good] }],
);

describe('renderSweepText', () => {
  it('prints totals, one row per node worst first, figures with their change, and cleans node text', () => {
    expect(renderSweepText(result)).toMatchInlineSnapshot(`
      "tcpcheck sweep 2026-11-25T07:00:00.000Z · 2 nodes: 1 critical, 0 warning, 0 healthy, 1 unreachable · compared with the sweep of 2026-11-24T07:00:00.000Z

      NODE    VERDICT      CLOSE-WAIT  FULL QUEUES  SYN-RECV  OVERFLOWS/S  CHANGES
      node-b  unreachable  -           -            -         -            node_unreachable: no route?[31m
      node-a  critical     129 (+129)  1 (+1)       12 (+12)  2.5 (+2.5)   new kube-proxy-nodeport-trap :31493
      "
    `);
  });
});

describe('renderSweepMarkdown', () => {
  it('escapes pipes inside cells', () => {
    const piped = { ...result, nodes: result.nodes.map((n) => (n.error ? { ...n, error: { ...n.error, message: 'a|b' } } : n)) };
    expect(renderSweepMarkdown(piped)).toContain('node_unreachable: a\\|b |');
  });
});

describe('renderSweepJson', () => {
  it('keeps the documented key order', () => {
    const doc = JSON.parse(renderSweepJson(result)) as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'sweepId', 'startedAt', 'finishedAt', 'previousStartedAt', 'exitCode', 'totals', 'nodes']);
    expect(Object.keys(doc.nodes[0]!)).toEqual(['node', 'verdict', 'exitCode', 'headline', 'findings', 'error', 'figures', 'figuresDelta', 'comparedWith', 'changes']);
  });
});
