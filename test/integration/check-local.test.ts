/**
 * `tcpcheck check` on a real kernel: a lab node (network namespace) whose sockets are in the
 * incident's bad states; the CLI runs inside that namespace exactly as a runbook step would.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/report.js';
import { startLab, type Lab } from '../lab/lab.js';
import { runCli, type CliResult } from '../helpers/cli.js';

let lab: Lab;
let saveDir: string;
let result: CliResult;
let report: Report;

const finding = (rule: string) => report.findings.find((f) => f.rule === rule);

describe('tcpcheck check on a lab node', () => {
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcc-' });
    saveDir = await mkdtemp(join(tmpdir(), 'tcpcheck-bundle-'));
    result = await runCli(['check', '--format', 'json', '--interval', '1', '--save', saveDir], { netns: lab.nodes[0]!.netns });
    report = JSON.parse(result.stdout) as Report;
  });
  afterAll(async () => {
    await lab?.stop();
    if (saveDir) await rm(saveDir, { recursive: true, force: true });
  });

  it('exits 2 (critical)', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    expect(report.exitCode).toBe(2);
    expect(report.skipped).toEqual({});
  });

  it('reports the listener that never accepts as accept-queue-full, owned by kube-proxy', () => {
    expect(finding('accept-queue-full')?.ports).toEqual([lab.ports.trap]);
    const trap = report.listeners.find((l) => l.port === lab.ports.trap);
    expect(trap?.process?.name).toBe('kube-proxy');
    expect(trap?.acceptQueue).toBe(129);
    expect(trap?.backlog).toBe(128);
  });

  it('names the kube-proxy NodePort trap as the cause', () => {
    expect(finding('kube-proxy-nodeport-trap')?.ports).toContain(lab.ports.trap);
    expect(report.verdict.cause).toMatch(/kube-proxy/);
  });

  it('reports the server that never closes as close-wait-leak with unread bytes', () => {
    expect(finding('close-wait-leak')?.ports).toContain(lab.ports.leak);
    expect(finding('close-wait-unread')?.ports).toContain(lab.ports.leak);
    const leakPeers = report.peers.filter((p) => p.localPort === lab.ports.leak && p.state === 'CLOSE-WAIT');
    expect(leakPeers.reduce((n, p) => n + p.unreadBytes, 0)).toBeGreaterThan(0);
  });

  it('reads the listen overflows from the kernel counters', () => {
    expect(report.counters.TcpExtListenOverflows?.value).toBeGreaterThan(0);
    expect(finding('listen-overflow')).toBeDefined();
  });

  it('does not flag the healthy listeners', () => {
    const flagged = new Set(report.findings.flatMap((f) => f.ports));
    expect(flagged.has(lab.ports.healthy)).toBe(false);
    expect(flagged.has(lab.ports.idleNodePort)).toBe(false);
    expect(flagged.has(lab.ports.metrics)).toBe(false);
  });

  it('saves the raw outputs as a bundle that analyze reads back to the same findings', async () => {
    expect((await readdir(saveDir)).sort()).toEqual(expect.arrayContaining(['bundle.json', 'ss-all.out', 'counters-1.out', 'counters-2.out']));
    const again = await runCli(['analyze', saveDir, '--format', 'json']);
    const replay = JSON.parse(again.stdout) as Report;
    expect(again.code).toBe(2);
    expect(replay.findings.map((f) => [f.rule, f.ports])).toEqual(report.findings.map((f) => [f.rule, f.ports]));
  });
});

describe('tcpcheck check on a healthy lab node', () => {
  let healthy: Lab;
  let out: CliResult;
  let rep: Report;
  beforeAll(async () => {
    healthy = await startLab({ nodes: 1, prefix: 'tch-', pathologies: false });
    // The real plan, run by the real CLI on a real kernel: every line each section prints must be read.
    out = await runCli(['check', '--format', 'json', '--interval', '1'], { netns: healthy.nodes[0]!.netns });
    rep = JSON.parse(out.stdout) as Report;
  });
  afterAll(async () => {
    await healthy?.stop();
  });

  it('exits 0 with no collection gap and no skipped line in any section', () => {
    expect(out.stderr).toBe('');
    expect(rep.skipped).toEqual({});
    expect(rep.findings.filter((f) => f.rule === 'collection-gap')).toEqual([]);
    expect(rep.exitCode).toBe(0);
    expect(out.code).toBe(0);
    expect(rep.intervalSec).toBe(1);
  });
});
