import { describe, expect, it } from 'vitest';
import { compareFindings, compareSweep, nodeHistory, sweepExitCode } from '../../src/analyze/compare.js';
import { summarizeFailure } from '../../src/analyze/sweep-summary.js';
import type { SweepFigures, SweepFinding, SweepNodeSummary, SweepRecord } from '../../src/domain/sweep.js';

const figures = (closeWait: number, fullQueues = 0, synRecv = 0, listenOverflowsPerSec: number | null = 0): SweepFigures => ({ closeWait, listenOverflowsPerSec, fullQueues, synRecv });
const node = (name: string, findings: SweepFinding[], f: SweepFigures): SweepNodeSummary => {
  const verdict = findings.some((x) => x.severity === 'critical') ? 'critical' : findings.length ? 'warning' : 'healthy';
  return { node: name, verdict, exitCode: verdict === 'critical' ? 2 : verdict === 'warning' ? 1 : 0, headline: verdict, findings, error: null, figures: f };
};
const trap: SweepFinding = { rule: 'kube-proxy-nodeport-trap', severity: 'critical', ports: [31493] };
const leak: SweepFinding = { rule: 'close-wait-leak', severity: 'warning', ports: [31591] };
const sweep = (sweepId: string, startedAt: string, nodes: SweepNodeSummary[]): SweepRecord => ({ schemaVersion: 1, sweepId, startedAt, finishedAt: startedAt, nodes });
const down = (name: string) => summarizeFailure(name, { code: 'node_unreachable', message: `Could not reach ${name}` });

describe('compareFindings', () => {
  it('tells new, resolved and persisting findings apart by rule and ports', () => {
    const moved = { ...trap, ports: [30080] };
    expect(compareFindings([trap, leak], [trap, moved])).toEqual({
      new: [{ rule: trap.rule, ports: [30080] }],
      resolved: [{ rule: leak.rule, ports: leak.ports }],
      persisting: [{ rule: trap.rule, ports: trap.ports }],
    });
  });

  it('reports nothing changed for two empty lists', () => {
    expect(compareFindings([], [])).toEqual({ new: [], resolved: [], persisting: [] });
  });
});

describe('compareSweep', () => {
  const first = sweep('s1', '2026-11-24T07:00:00.000Z', [node('a', [], figures(0)), node('b', [leak], figures(40)), node('c', [], figures(1))]);
  const run = {
    sweepId: 's2', startedAt: '2026-11-25T07:00:00.000Z', finishedAt: '2026-11-25T07:01:00.000Z',
    nodes: [node('a', [trap], figures(129, 1, 12, 3.5)), node('b', [], figures(2)), down('c'), node('d', [], figures(0))],
  };
  const result = compareSweep(run, [first]);
  const row = (name: string) => result.nodes.find((n) => n.node === name)!;

  it('reports a pathology added on one node as new, with the figures that moved', () => {
    expect(row('a').changes).toEqual({ new: [{ rule: trap.rule, ports: [31493] }], resolved: [], persisting: [] });
    expect(row('a').figuresDelta).toEqual({ closeWait: 129, listenOverflowsPerSec: 3.5, fullQueues: 1, synRecv: 12 });
  });

  it('reports a pathology removed on another as resolved', () => {
    expect(row('b').changes?.resolved).toEqual([{ rule: leak.rule, ports: leak.ports }]);
    expect(row('b').figuresDelta?.closeWait).toBe(-38);
  });

  it('makes an unreachable node a row with its error and no claims', () => {
    expect(row('c')).toMatchObject({ verdict: 'unreachable', exitCode: 3, figures: null, figuresDelta: null, changes: null, error: { code: 'node_unreachable' } });
  });

  it('gives a node with no earlier sweep null changes and deltas', () => {
    expect(row('d')).toMatchObject({ changes: null, figuresDelta: null, comparedWith: null });
  });

  it('counts every node once and sorts worst first', () => {
    expect(result.totals).toEqual({ checked: 4, healthy: 2, warning: 0, critical: 1, unreachable: 1 });
    expect(result.nodes.map((n) => n.node)).toEqual(['c', 'a', 'b', 'd']);
    expect(result.previousStartedAt).toBe(first.startedAt);
    expect(result.exitCode).toBe(2);
  });

  it('compares with the last sweep that read the node, skipping one where it was unreachable', () => {
    const between = sweep('s1b', '2026-11-24T19:00:00.000Z', [down('b')]);
    expect(compareSweep(run, [between, first]).nodes.find((n) => n.node === 'b')?.comparedWith).toBe(first.startedAt);
  });

  it('ignores the sweep itself and later sweeps in the history', () => {
    const later = sweep('s3', '2026-11-26T07:00:00.000Z', [node('a', [], figures(0))]);
    const again = compareSweep(run, [first, sweep('s2', run.startedAt, run.nodes), later]);
    expect(again.nodes).toEqual(result.nodes);
    expect(again.previousStartedAt).toBe(first.startedAt);
  });
});

describe('sweepExitCode', () => {
  it.each([
    [{ checked: 2, healthy: 2, warning: 0, critical: 0, unreachable: 0 }, 0],
    [{ checked: 2, healthy: 1, warning: 0, critical: 0, unreachable: 1 }, 1],
    [{ checked: 2, healthy: 0, warning: 1, critical: 1, unreachable: 0 }, 2],
    [{ checked: 2, healthy: 0, warning: 0, critical: 0, unreachable: 2 }, 3],
    [{ checked: 0, healthy: 0, warning: 0, critical: 0, unreachable: 0 }, 3],
  ])('maps %j to %i', (totals, code) => {
    expect(sweepExitCode(totals)).toBe(code);
  });
});

describe('nodeHistory', () => {
  it('lists a node’s sweeps newest first, each compared with the one before', () => {
    const history = [
      sweep('s1', '2026-11-23T07:00:00.000Z', [node('a', [], figures(0))]),
      sweep('s2', '2026-11-24T07:00:00.000Z', [node('a', [trap], figures(129, 1))]),
      sweep('s3', '2026-11-25T07:00:00.000Z', [node('b', [], figures(0))]),
    ];
    const rows = nodeHistory('a', history, 10);
    expect(rows.map((r) => r.sweepId)).toEqual(['s2', 's1']);
    expect(rows[0]?.changes?.new).toEqual([{ rule: trap.rule, ports: trap.ports }]);
    expect(rows[1]?.changes).toBeNull();
  });
});
