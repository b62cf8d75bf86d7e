/**
 * The built CLI runs `analyze` from a one-file bundle (scripts/bundle-analyze.mjs). Bundled from the
 * sources with the build's own options, it must print what the modules print: the same report, the
 * same exit code, and the same coded errors (the bundle's copy of the error classes meets its own
 * reporter).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without type declarations.
import { bundleAnalyze } from '../../scripts/bundle-analyze.mjs';
import { runCli, type CliResult } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcpcheck-bundle-'));
  bundle = join(dir, 'jobs', 'analyze.bundle.js');
  await (bundleAnalyze as (entry: string, outfile: string) => Promise<void>)(join(ROOT, 'src/cli/commands/analyze-run.ts'), bundle);
  await writeFile(join(dir, 'prose.txt'), 'the service got slow after lunch\n');
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `runAnalyze` from the bundle, in a process of its own, as the built CLI calls it. */
function runBundle(path: string, format: string): Promise<CliResult> {
  const script = `const { runAnalyze } = await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.exitCode = await runAnalyze(${JSON.stringify(path)}, { format: ${JSON.stringify(format)} });`;
  return new Promise((done) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 99) : 0, stdout, stderr });
    });
  });
}

describe('the bundled analyze', () => {
  it.each([
    ['the incident report', 'test/fixtures/transcript/incident-report.txt', 'text'],
    ['the incident report', 'test/fixtures/transcript/incident-report.txt', 'json'],
    ['a saved netstat listing', 'test/fixtures/netstat/tanp.txt', 'markdown'],
    ['a saved ss listing', 'test/fixtures/ss/real-tan.txt', 'json'],
    ['prose', 'PROSE', 'text'],
    ['a missing file', 'no/such/file.txt', 'text'],
  ])('prints what the modules print for %s (%s, %s)', async (_what, given, format) => {
    const path = given === 'PROSE' ? join(dir, 'prose.txt') : given;
    const [fromBundle, fromModules] = await Promise.all([runBundle(path, format), runCli(['analyze', path, '--format', format])]);
    expect(fromBundle).toEqual(fromModules);
    expect(fromBundle.stdout + fromBundle.stderr).not.toBe('');
  });

  it('keeps the coded error of a missing file, not an internal error', async () => {
    const r = await runBundle('no/such/file.txt', 'text');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no such file or directory/);
    expect(r.stderr).toMatch(/Usage: tcpcheck analyze/);
  });
});
