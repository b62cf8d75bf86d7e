import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose, diagnoseBundle } from '../../jobs/diagnose.js';
import { analyzeInThread } from '../../src/app/analysis-thread.js';
import { analyze } from '../../src/analyze/index.js';
import type { ClusterView } from '../../src/domain/cluster.js';

describe('analyzeInThread', () => {
  it('gives the same snapshot and report as the analysis on the main thread', async () => {
    const { bundle } = await diagnose({ kind: 'text', text: readFileSync('test/fixtures/plan/local-debian12-nonce.txt', 'utf8'), node: 'fixture' });
    expect(bundle).not.toBeNull();
    const inline = diagnoseBundle(bundle!);
    const threaded = await analyzeInThread(bundle!);
    expect(threaded.report).toEqual(inline.report);
    expect(threaded.snapshot).toEqual(inline.snapshot);
    expect(threaded.report.listeners.length).toBeGreaterThan(0);
  });

  it('meets the cluster context read beside the plan, as on the main thread', async () => {
    const { bundle } = await diagnose({ kind: 'text', text: readFileSync('test/fixtures/plan/local-debian12-nonce.txt', 'utf8'), node: 'fixture' });
    const cluster: ClusterView = { status: 'unread', resources: ['services'], reason: 'timed out after 10000 ms' };
    const threaded = await analyzeInThread(bundle!, cluster);
    const inline = diagnoseBundle(bundle!).snapshot;
    expect(threaded.snapshot.cluster).toEqual(cluster);
    expect(threaded.report).toEqual(analyze({ ...inline, cluster }));
    expect(threaded.report.findings.some((f) => f.facts.source === 'cluster')).toBe(true);
  });
});
