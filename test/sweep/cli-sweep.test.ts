/**
 * `tcpcheck sweep` on lab nodes whose state changes between two sweeps: the trap started on one,
 * stopped on another, sshd killed on a third. Real sshd, real kernel sockets, a real history
 * directory; the CLI runs as a user would run it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/domain/sweep.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startLab, type Lab } from '../lab/lab.js';
import { writeLabConfig } from './lab-config.js';

let lab: Lab;
let historyDir: string;
let config: string;
let first: { run: CliResult; json: SweepResult };
let second: { run: CliResult; json: SweepResult };

const sweep = async (...extra: string[]) => {
  const run = await runCli(['sweep', '--config', config, '--history', historyDir, '--interval', '1', '--format', 'json', ...extra], { timeoutMs: 120_000 });
  return { run, json: JSON.parse(run.stdout) as SweepResult };
};
const row = (r: SweepResult, i: number) => r.nodes.find((n) => n.node === `lab-node-${i}`)!;
const rules = (keys: Array<{ rule: string }>) => keys.map((k) => k.rule);

describe('tcpcheck sweep on a changing lab', () => {
  beforeAll(async () => {
    // Node 0 starts clean and turns bad; node 1 starts bad and turns clean; node 2 goes down.
    lab = await startLab({ nodes: 3, prefix: 'tsw-', pathologies: [1] });
    historyDir = await mkdtemp(join(tmpdir(), 'tcpcheck-sweep-history-'));
    config = await writeLabConfig(lab);
    first = await sweep();
    await Promise.all([lab.startPathologies(0), lab.stopPathologies(1), lab.killSshd(2)]);
    second = await sweep();
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
    if (historyDir) await rm(historyDir, { recursive: true, force: true });
  });

  it('reports every node of the first sweep with no comparison, and exits with the worst verdict', () => {
    expect(first.run.stderr).toBe('');
    expect(first.json.previousStartedAt).toBeNull();
    expect(first.json.totals).toMatchObject({ checked: 3, critical: 1, unreachable: 0 });
    expect(row(first.json, 1).verdict).toBe('critical');
    expect(first.json.nodes.every((n) => n.changes === null && n.figuresDelta === null)).toBe(true);
    expect(first.run.code).toBe(2);
  });

  it('reports the trap added on node 0 as new, with the CLOSE-WAIT and full queues it brought', () => {
    const n0 = row(second.json, 0);
    expect(n0.verdict).toBe('critical');
    expect(n0.changes?.new).toContainEqual({ rule: 'kube-proxy-nodeport-trap', ports: expect.arrayContaining([lab.ports.trap]) as number[] });
    expect(n0.changes?.new).toContainEqual({ rule: 'accept-queue-full', ports: [lab.ports.trap] });
    expect(n0.figuresDelta?.fullQueues).toBeGreaterThanOrEqual(1);
    expect(n0.figuresDelta?.closeWait).toBeGreaterThan(100);
    // Exactly the difference: what it had before persists, nothing is resolved.
    expect(rules(n0.changes!.persisting).sort()).toEqual(rules(row(first.json, 0).findings).sort());
    expect(n0.changes?.resolved).toEqual([]);
  });

  it('reports everything node 1 had as resolved once its pathologies stopped', () => {
    const n1 = row(second.json, 1);
    const before = row(first.json, 1).findings;
    const gone = before.filter((f) => !n1.findings.some((g) => g.rule === f.rule && g.ports.join() === f.ports.join()));
    expect(rules(gone)).toContain('kube-proxy-nodeport-trap');
    expect(n1.changes?.resolved).toEqual(gone.map((f) => ({ rule: f.rule, ports: f.ports })));
    expect(n1.changes?.new).toEqual([]);
    expect(n1.figuresDelta?.fullQueues).toBeLessThanOrEqual(-1);
  });

  it('makes the node whose sshd died a row with its error, claiming nothing', () => {
    expect(row(second.json, 2)).toMatchObject({ verdict: 'unreachable', exitCode: 3, figures: null, figuresDelta: null, changes: null, findings: [], error: { code: 'connection_refused' } });
    expect(second.json.totals).toEqual({ checked: 3, ...pickVerdicts(second.json) });
    expect(second.json.totals).toMatchObject({ critical: 1, unreachable: 1 });
  });

  it('compares with the first sweep and keeps both in the history directory', async () => {
    expect(second.json.previousStartedAt).toBe(first.json.startedAt);
    expect((await readdir(historyDir)).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    expect(second.run.code).toBe(2);
  });

  it('prints a text table with one row per node and the changes', async () => {
    const text = await runCli(['sweep', '--config', config, '--history', historyDir, '--interval', '0', '--nodes', 'lab-node-2'], { timeoutMs: 60_000 });
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/1 nodes: 0 critical, 0 warning, 0 healthy, 1 unreachable/);
    expect(text.stdout).toMatch(/lab-node-2\s+unreachable .*connection_refused/);
  });
});

/** The verdict counts as the rows give them, so the totals are checked against the rows. */
function pickVerdicts(r: SweepResult) {
  const count = (v: string) => r.nodes.filter((n) => n.verdict === v).length;
  return { healthy: count('healthy'), warning: count('warning'), critical: count('critical'), unreachable: count('unreachable') };
}
