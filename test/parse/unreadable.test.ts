/**
 * A listing tcpcheck cannot read must never come out as "healthy" (exit 0): nothing read is exit 3
 * with one line saying what was expected; a listing read in part is at least a warning.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { parseTranscript } from '../../src/parse/transcript.js';
import { runCli } from '../helpers/cli.js';
import { GARBAGE } from './garbage.js';

/** macOS / BSD netstat: `tcp4`, ports after a dot, `(state)` header. */
const MACOS_NETSTAT = [
  'Active Internet connections (including servers)',
  'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)',
  'tcp4       0      0  192.168.1.5.54321      17.57.144.10.5223      ESTABLISHED',
  'tcp46      0      0  *.22                   *.*                    LISTEN',
  'udp4       0      0  *.5353                 *.*',
].join('\n');
const PROSE = 'The node was slow yesterday.\nWe restarted kube-proxy and it got better,\nbut the queue on 31493 is still full.\n';

const UNREADABLE: [string, string][] = [...GARBAGE, ['a macOS netstat', MACOS_NETSTAT], ['prose', PROSE]];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcpcheck-unreadable-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an unreadable listing', () => {
  it.each(UNREADABLE)('never yields exit 0 from %s', (_what, text) => {
    expect(analyze(parseTranscript(text)).exitCode).not.toBe(0);
  });

  it.each([
    ['a macOS netstat', MACOS_NETSTAT],
    ['prose', PROSE],
    ['binary junk', GARBAGE[2]![1]],
  ])('makes `tcpcheck analyze` exit 3 with one line saying what was expected, for %s', async (what, text) => {
    const file = join(dir, `${what.replace(/\W+/g, '-')}.txt`);
    await writeFile(file, text);
    const r = await runCli(['analyze', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('expected Linux ss, netstat or /proc/net/tcp output');
  });

  it.each([
    ['a path that does not exist', async () => join(dir, 'missing.txt'), 'no such file or directory'],
    [
      'a file over 1 GiB (sparse, nothing read)',
      async () => {
        const file = join(dir, 'huge.txt');
        await writeFile(file, '');
        await truncate(file, 2 ** 30 + 1);
        return file;
      },
      'tcpcheck reads files up to 1 GiB',
    ],
  ])('makes `tcpcheck analyze` exit 3 with a clear error and its own usage for %s', async (_what, make, message) => {
    const r = await runCli(['analyze', await make()]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage: tcpcheck analyze PATH');
  });

  it('warns, never healthy, when some lines of a listing could not be read', () => {
    const text = 'State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 0.0.0.0:80 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:unknown-name 0.0.0.0:*\n';
    const report = analyze(parseTranscript(text));
    expect(report.exitCode).toBe(1);
    expect(report.findings.find((f) => f.rule === 'collection-gap' && f.severity === 'warning')?.title).toMatch(/1 line could not be read in transcript:ss at line 1/);
  });
});
