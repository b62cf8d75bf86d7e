/**
 * The built CLI runs from two one-file bundles (scripts/bundle.mjs): the command line, and the
 * analyze pipeline. Built as `npm run build` builds them (tsc, then the bundles), into a directory
 * of its own, the CLI must print what the modules print under tsx: the same reports, exit codes and
 * usage errors, and the coded errors of modules loaded beside a bundle (each carries its own copy
 * of the error classes).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without type declarations.
import { bundleAll } from '../../scripts/bundle.mjs';
import { runCli, type CliResult } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
let out: string;

beforeAll(async () => {
  // Inside the project, so the built modules find node_modules as dist does.
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  out = await mkdtemp(join(ROOT, '.cache', 'build-'));
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT });
  await (bundleAll as (dir: string) => Promise<void>)(out);
  await writeFile(join(out, 'prose.txt'), 'the service got slow after lunch\n');
}, 120_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** The built CLI, as `node dist/src/cli/main.js` runs it. */
function runBuilt(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [join(out, 'src/cli/main.js'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 99) : 0, stdout, stderr });
    });
  });
}

describe('the built CLI', () => {
  it('has both bundles', () => {
    expect(existsSync(join(out, 'src/cli/program.bundle.js'))).toBe(true);
    expect(existsSync(join(out, 'jobs/analyze.bundle.js'))).toBe(true);
  });

  it.each([
    ['the version', ['--version']],
    ['the incident report as text', ['analyze', 'test/fixtures/transcript/incident-report.txt']],
    ['the incident report as json', ['analyze', 'test/fixtures/transcript/incident-report.txt', '--format', 'json']],
    ['a saved netstat listing as markdown', ['analyze', 'test/fixtures/netstat/tanp.txt', '--format', 'markdown']],
    ['a saved ss listing', ['analyze', 'test/fixtures/ss/real-tan.txt']],
    ['prose', ['analyze', 'PROSE']],
    ['a missing file', ['analyze', 'no/such/file.txt']],
    ['an unknown format', ['analyze', 'test/fixtures/ss/real-tan.txt', '--format', 'yaml']],
    ['a config file that is not there (a coded error from a module beside the bundle)', ['check', '--config', 'no/such/config.yaml']],
  ])('prints what the modules print for %s', async (_what, given) => {
    const args = given.map((a) => (a === 'PROSE' ? join(out, 'prose.txt') : a));
    const [built, modules] = await Promise.all([runBuilt(args), runCli(args)]);
    expect(built).toEqual(modules);
    expect(built.stdout + built.stderr).not.toBe('');
  });

  it('reports a coded error as such, not as an internal error', async () => {
    const r = await runBuilt(['check', '--config', 'no/such/config.yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read the config file/);
    expect(r.stderr).toMatch(/next: Fix the configuration file/);
  });
});
