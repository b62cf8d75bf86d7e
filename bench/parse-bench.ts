/**
 * `npm run bench`: times the whole command a user runs, `node dist/src/cli/main.js analyze FILE`
 * (the built CLI, no tsx), from process start to exit, next to gawk and mawk tallying the same
 * sockets (`awk '{++S[$1]}'`, the incident report's own method) in the same run, for four forms
 * of the same sockets at 10k, 100k and 1M:
 *
 * - `ss -tan` saved to a file;
 * - the same pasted after a prompt (`root@node:~# ss -tan`), a transcript;
 * - a `check --save` bundle directory (ss-owned with owners, ss-all, meta);
 * - `netstat -tan` of the same sockets (awk tallies `$6`, netstat's State column).
 *
 * Every tool runs in the input's directory and is given its bare name (see {@link timeAwk}).
 * Each form and size runs `--runs N` times (default 3), the CLI then gawk then mawk each time, so
 * all see the same machine load; medians are compared. Before timing, the inputs are written out
 * (`sync`: the kernel's write-back of 300 MB of fresh files otherwise ran during the first runs and
 * slowed whichever tool it met) and each tool reads each input once untimed, so every timed run
 * reads from the page cache. Peak RSS of the CLI process is read at its
 * exit by a one-line `--import` hook (bench/max-rss-hook.mjs). Exits non-zero when a target is
 * missed at 1M sockets: more than 3x gawk, 500 MB or more, or time per socket more than 1.5x that
 * at 100k (not linear).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { saveBundle } from '../src/collect/bundle-store.js';
import { rng } from '../test/helpers/rng.js';

const sizesArg = process.argv.indexOf('--sizes');
/** `--sizes 1000000` (comma-separated) measures only those sizes; the linearity check needs 100k and 1M. */
const SIZES = sizesArg > 0 ? String(process.argv[sizesArg + 1]).split(',').map(Number).filter((n) => n > 0) : [10_000, 100_000, 1_000_000];
const keepArg = process.argv.indexOf('--keep');
/** `--keep DIR` writes the generated inputs into DIR and leaves them there (for profiling). */
const KEEP = keepArg > 0 ? resolve(String(process.argv[keepArg + 1])) : null;
const LIMIT_MB = 500;
const LIMIT_GAWK_RATIO = 3;
/** ns per socket at 1M over ns per socket at 100k; 10k is left out as it is mostly process start. */
const LIMIT_LINEARITY = 1.5;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : 3;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const RSS_HOOK = join(ROOT, 'bench/max-rss-hook.mjs');

type Form = 'ss -tan file' | 'after a prompt' | '--save bundle' | 'netstat -tan';
const FORMS: Form[] = ['ss -tan file', 'after a prompt', '--save bundle', 'netstat -tan'];

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

const NETSTAT_STATES: Record<string, string> = { ESTAB: 'ESTABLISHED', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-2': 'FIN_WAIT2', 'LAST-ACK': 'LAST_ACK', LISTEN: 'LISTEN' };

interface Inputs {
  /** The path given to `analyze`, and the file awk tallies with the awk field of the state. */
  target: Record<Form, { path: string; awkFile: string; field: number }>;
}

/** Writes the n sockets in every form. */
async function generate(dir: string, n: number): Promise<Inputs> {
  const rand = rng(n);
  const listeners = Math.min(300, Math.max(10, Math.floor(n / 1000)));
  const nodeIps = ['10.0.12.7', '172.1.52.100'];
  const ss: string[] = ['State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port Process'];
  const netstat: string[] = ['Active Internet connections (servers and established)', 'Proto Recv-Q Send-Q Local Address           Foreign Address         State      '];
  const owned: string[] = [];
  const ports: number[] = [];
  const netstatLine = (v6: boolean, recvQ: number, sendQ: number, local: string, peer: string, state: string) =>
    `${pad(v6 ? 'tcp6' : 'tcp', 5)}${String(recvQ).padStart(6)} ${String(sendQ).padStart(6)} ${pad(local, 23)} ${pad(peer, 23)} ${pad(NETSTAT_STATES[state] as string, 11)}`;
  for (let i = 0; i < listeners; i++) {
    const port = 30000 + i * 7;
    ports.push(port);
    const v6 = i % 3 === 0;
    const local = v6 ? `[::]:${port}` : i % 3 === 1 ? `0.0.0.0:${port}` : `*:${port}`;
    const queue = i % 50 === 0 ? 129 : i % 7 === 0 ? Math.floor(rand() * 20) : 0;
    const line = `${pad('LISTEN', 11)}${pad(String(queue), 7)}${pad('128', 7)}${pad(local, 26)}${pad(v6 ? '[::]:*' : '0.0.0.0:*', 26)}`;
    ss.push(line);
    owned.push(`${line}users:(("kube-proxy",pid=1515,fd=${10 + i}))`);
    netstat.push(netstatLine(v6, queue, 0, v6 ? `:::${port}` : `0.0.0.0:${port}`, v6 ? ':::*' : '0.0.0.0:*', 'LISTEN'));
  }
  for (let i = listeners; i < n; i++) {
    const r = rand();
    const state = r < 0.8 ? 'ESTAB' : r < 0.92 ? 'TIME-WAIT' : r < 0.96 ? 'CLOSE-WAIT' : r < 0.97 ? 'SYN-RECV' : r < 0.985 ? 'FIN-WAIT-2' : 'LAST-ACK';
    const mapped = rand() < 0.4;
    const port = ports[Math.floor(rand() * ports.length)] as number;
    const peer = `172.1.${Math.floor(rand() * 64)}.${Math.floor(rand() * 254) + 1}`;
    const peerPort = 1024 + Math.floor(rand() * 64000);
    const ip = nodeIps[i & 1] as string;
    const recvQ = state === 'CLOSE-WAIT' ? (rand() < 0.9 ? 1 : Math.floor(rand() * 10000)) : state === 'ESTAB' && rand() < 0.05 ? Math.floor(rand() * 5000) : 0;
    const sendQ = state === 'ESTAB' && rand() < 0.05 ? Math.floor(rand() * 5000) : 0;
    const line = `${pad(state, 11)}${pad(String(recvQ), 7)}${pad(String(sendQ), 7)}${pad(mapped ? `[::ffff:${ip}]:${port}` : `${ip}:${port}`, 26)}${pad(mapped ? `[::ffff:${peer}]:${peerPort}` : `${peer}:${peerPort}`, 26)}`;
    ss.push(line);
    if (state === 'CLOSE-WAIT' || state === 'SYN-RECV') owned.push(line);
    netstat.push(netstatLine(mapped, recvQ, sendQ, mapped ? `::ffff:${ip}:${port}` : `${ip}:${port}`, mapped ? `::ffff:${peer}:${peerPort}` : `${peer}:${peerPort}`, state));
  }
  const ssText = `${ss.join('\n')}\n`;
  const ssPath = join(dir, `ss-tan-${n}.txt`);
  writeFileSync(ssPath, ssText);
  const promptPath = join(dir, `prompted-${n}.txt`);
  writeFileSync(promptPath, `root@bench-node:~# ss -tan\n${ssText}root@bench-node:~# \n`);
  const netstatPath = join(dir, `netstat-tan-${n}.txt`);
  writeFileSync(netstatPath, `${netstat.join('\n')}\n`);
  const bundleDir = join(dir, `bundle-${n}`);
  mkdirSync(bundleDir);
  await saveBundle(bundleDir, {
    node: 'bench-node',
    transport: 'local',
    collectedAt: '2026-01-01T00:00:00.000Z',
    intervalSec: 5,
    sections: [
      { name: 'meta', stdout: 'hostname bench-node\nkernel 5.15.0\nuptime 100\nuid 0\n', stderr: '', exitCode: 0 },
      { name: 'ss-owned', stdout: `${owned.join('\n')}\n`, stderr: '', exitCode: 0 },
      { name: 'ss-all', stdout: ssText, stderr: '', exitCode: 0 },
    ],
  });
  return {
    target: {
      'ss -tan file': { path: ssPath, awkFile: ssPath, field: 1 },
      'after a prompt': { path: promptPath, awkFile: promptPath, field: 1 },
      '--save bundle': { path: bundleDir, awkFile: join(bundleDir, 'ss-all.out'), field: 1 },
      'netstat -tan': { path: netstatPath, awkFile: netstatPath, field: 6 },
    },
  };
}

/** The CLI as a user runs it; exit codes 0-2 are diagnoses, anything else a failure of the bench. */
function timeCli(path: string): { ms: number; rssMb: number } {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', RSS_HOOK, CLI, 'analyze', basename(path)], { cwd: dirname(path), stdio: ['ignore', 'ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  if (run.status === null || run.status > 2) throw new Error(`tcpcheck analyze ${path} exited ${run.status}: ${String(run.stderr)}`);
  const rssKb = Number(String(run.output[3] ?? ''));
  if (!(rssKb > 0)) throw new Error('the RSS hook reported nothing');
  return { ms, rssMb: rssKb / 1024 };
}

function timeAwk(awk: string, file: string, field: number): number {
  const t0 = performance.now();
  // From the file's directory, by its bare name: gawk's time grows with the length of the path it
  // is given (about 1 ms per character on a million lines here), so a long temporary path made the
  // baseline up to a quarter slower than `gawk '…' ss-tan-1000000.txt` typed in a shell.
  const run = spawnSync(awk, [`{++S[$${field}]} END {for (a in S) print a, S[a]}`, basename(file)], { cwd: dirname(file), stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`${awk} failed: ${String(run.stderr)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const dir = KEEP ?? mkdtempSync(join(tmpdir(), 'tcpcheck-bench-'));
  if (KEEP) mkdirSync(KEEP, { recursive: true });
  const misses: string[] = [];
  const rows: string[][] = [];
  try {
    const nsPerSocket = new Map<string, number>();
    for (const n of SIZES) {
      const inputs = await generate(dir, n);
      spawnSync('sync');
      for (const form of FORMS) {
        const { path, awkFile, field } = inputs.target[form];
        timeCli(path);
        timeAwk('gawk', awkFile, field);
        timeAwk('mawk', awkFile, field);
        const cli: { ms: number; rssMb: number }[] = [];
        const gawk: number[] = [];
        const mawk: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          cli.push(timeCli(path));
          gawk.push(timeAwk('gawk', awkFile, field));
          mawk.push(timeAwk('mawk', awkFile, field));
        }
        process.stderr.write(`${form} ${n}: done\n`);
        const ms = median(cli.map((c) => c.ms));
        const rss = Math.max(...cli.map((c) => c.rssMb));
        const gawkMs = median(gawk);
        const ratio = ms / gawkMs;
        nsPerSocket.set(`${form} ${n}`, (ms * 1e6) / n);
        rows.push([
          form,
          n.toLocaleString('en-US'),
          ms.toFixed(0),
          `${Math.min(...cli.map((c) => c.ms)).toFixed(0)}-${Math.max(...cli.map((c) => c.ms)).toFixed(0)}`,
          ((ms * 1e6) / n).toFixed(0),
          rss.toFixed(0),
          gawkMs.toFixed(0),
          median(mawk).toFixed(0),
          ratio.toFixed(2),
        ]);
        if (n === 1_000_000) {
          if (rss >= LIMIT_MB) misses.push(`${form}: 1M sockets peaked at ${rss.toFixed(0)} MB (limit ${LIMIT_MB})`);
          if (ratio > LIMIT_GAWK_RATIO) misses.push(`${form}: 1M sockets took ${ratio.toFixed(2)}x gawk (limit ${LIMIT_GAWK_RATIO}x)`);
          const small = nsPerSocket.get(`${form} 100000`);
          const linearity = small ? (ms * 1e6) / n / small : null;
          if (linearity !== null && linearity > LIMIT_LINEARITY) misses.push(`${form}: time per socket grew ${linearity.toFixed(2)}x from 100k to 1M (limit ${LIMIT_LINEARITY}x)`);
        }
      }
    }
  } finally {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
  const head = ['form', 'sockets', 'tcpcheck ms', 'range', 'ns/socket', 'peak RSS MB', 'gawk ms', 'mawk ms', 'x gawk'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(`whole process: \`node dist/src/cli/main.js analyze PATH\` vs gawk/mawk '{++S[$1]}' on the same sockets, median of ${RUNS} run${RUNS === 1 ? '' : 's'}`);
  console.log(fmt(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  console.log(`targets at 1M sockets, every form: <= ${LIMIT_GAWK_RATIO}x gawk, < ${LIMIT_MB} MB, ns/socket 1M/100k <= ${LIMIT_LINEARITY}: ${!SIZES.includes(1_000_000) ? 'not checked (no 1M-socket run)' : misses.length > 0 ? 'MISSED' : 'met'}`);
  for (const m of misses) console.error(`missed: ${m}`);
  if (misses.length > 0) process.exit(1);
}

await main();
