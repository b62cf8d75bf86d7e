/** The command line as a script or cron job sees it: output formats, exit codes, clear errors. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/report.js';
import { MAIN, runCli, TSX } from '../helpers/cli.js';

const INCIDENT = 'test/fixtures/transcript/incident-report.txt';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcpcheck-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tcpcheck analyze', () => {
  it('reads the incident report and exits 2 with the full queues in the text output', async () => {
    const r = await runCli(['analyze', INCIDENT]);
    expect(r.code).toBe(2);
    for (const port of ['31493', '32430', '30899']) expect(r.stdout).toContain(port);
    expect(r.stdout).toMatch(/kube-proxy/);
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colour when stdout is not a terminal
  });

  it('prints the same findings as JSON and markdown', async () => {
    const json = JSON.parse((await runCli(['analyze', INCIDENT, '--format', 'json'])).stdout) as Report;
    const md = (await runCli(['analyze', INCIDENT, '--format', 'markdown'])).stdout;
    expect(json.node).toBe('ip-172-1-52-100');
    for (const f of json.findings) expect(md).toContain(f.title);
  });

  it('reads standard input for `-` (`ss -tan | tcpcheck analyze -`) as it reads the same file', async () => {
    const fromFile = await runCli(['analyze', INCIDENT]);
    const child = spawn(TSX, [MAIN, 'analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin.end(await readFile(INCIDENT));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(fromFile.code);
    expect(stdout).toBe(fromFile.stdout);
  });

  it('exits 3 with a clear message for a missing file', async () => {
    const r = await runCli(['analyze', join(dir, 'nope.txt')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no such file/);
  });

  it('exits 3 when the input holds no socket data at all', async () => {
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, Buffer.from([0, 1, 2, 255, 254, 10, 60, 104, 116, 109, 108, 62, 10]));
    const r = await runCli(['analyze', junk, '--format', 'json']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Report).exitCode).toBe(3);
    expect(r.stderr).toContain('no socket listing read');
  });

  it('refuses an unknown format as a usage error (exit 3)', async () => {
    const r = await runCli(['analyze', INCIDENT, '--format', 'yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/text, markdown, json/);
  });

  it('ends quietly with the verdict exit code when the reader closes the pipe (`| head`)', async () => {
    // A real pipe whose read end is closed before the CLI writes: its write fails with EPIPE.
    const child = spawn(TSX, [MAIN, 'analyze', INCIDENT], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('refuses an interval outside 0..60 before touching the node', async () => {
    const r = await runCli(['check', '--interval', '5;reboot']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/whole seconds/);
  });
});
