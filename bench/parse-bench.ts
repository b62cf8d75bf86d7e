/**
 * `npm run bench`: parse + analyze synthetic `ss -tan` output of 10k, 100k and 1M sockets, next to
 * `awk '{++S[$1]}'` (the incident report's own method) on the same file.
 *
 * Each size runs in its own child process so peak RSS (`process.resourceUsage().maxRSS`) is that
 * run's alone, and awk runs right after it on the same file, so both see the same machine load.
 * Every size is measured `--runs N` times (default 3) and the medians are compared: on a shared,
 * loaded machine one run can be off by half. Exits non-zero when a target is missed: 1M sockets in
 * more than 2 s, more than 500 MB, more than 3x awk, or time per socket at 1M more than 1.5x that
 * at 100k (not linear).
 *
 * The pipeline measured is the product's: read the file, buildSnapshot (ss-owned with owners merged
 * into the full ss-all table, as a real collection has it; decoded as the transports decode), then analyze.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { RawBundle } from '../src/domain/raw.js';
import { buildSnapshot } from '../src/parse/bundle.js';
import { decodeOutput } from '../src/collect/decode.js';
import { analyze } from '../src/analyze/index.js';

const SIZES = [10_000, 100_000, 1_000_000];
const LIMIT_MS = 2000;
const LIMIT_MB = 500;
const LIMIT_AWK_RATIO = 3;
/** ns per socket at 1M over ns per socket at 100k; 10k is left out as it is mostly start-up (JIT warm-up). */
const LIMIT_LINEARITY = 1.5;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : 3;
const AWK_PROGRAM = '{++S[$1]} END {for (a in S) print a, S[a]}';
const here = fileURLToPath(import.meta.url);

interface ChildResult {
  sockets: number;
  readMs: number;
  snapshotMs: number;
  analyzeMs: number;
  totalMs: number;
  maxRssMb: number;
}

/** Deterministic PRNG (mulberry32) so every run measures the same file. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

/** Writes ss-all (`ss -tan`) and ss-owned (`ss -tanp` of LISTEN, CLOSE-WAIT, SYN-RECV) for n sockets. */
function generate(dir: string, n: number): { all: string; owned: string } {
  const rand = rng(n);
  const listeners = Math.min(300, Math.max(10, Math.floor(n / 1000)));
  const nodeIps = ['10.0.12.7', '172.1.52.100'];
  const all: string[] = ['State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port Process'];
  const owned: string[] = [];
  const ports: number[] = [];
  for (let i = 0; i < listeners; i++) {
    const port = 30000 + i * 7;
    ports.push(port);
    const v6 = i % 3 === 0;
    const local = v6 ? `[::]:${port}` : i % 3 === 1 ? `0.0.0.0:${port}` : `*:${port}`;
    const queue = i % 50 === 0 ? 129 : i % 7 === 0 ? Math.floor(rand() * 20) : 0;
    const line = `${pad('LISTEN', 11)}${pad(String(queue), 7)}${pad('128', 7)}${pad(local, 26)}${pad(v6 ? '[::]:*' : '0.0.0.0:*', 26)}`;
    all.push(line);
    owned.push(`${line}users:(("kube-proxy",pid=1515,fd=${10 + i}))`);
  }
  for (let i = listeners; i < n; i++) {
    const r = rand();
    const state = r < 0.8 ? 'ESTAB' : r < 0.92 ? 'TIME-WAIT' : r < 0.96 ? 'CLOSE-WAIT' : r < 0.97 ? 'SYN-RECV' : r < 0.985 ? 'FIN-WAIT-2' : 'LAST-ACK';
    const mapped = rand() < 0.4;
    const port = ports[Math.floor(rand() * ports.length)] as number;
    const peer = `172.1.${Math.floor(rand() * 64)}.${Math.floor(rand() * 254) + 1}`;
    const peerPort = 1024 + Math.floor(rand() * 64000);
    const ip = nodeIps[i & 1] as string;
    const local = mapped ? `[::ffff:${ip}]:${port}` : `${ip}:${port}`;
    const remote = mapped ? `[::ffff:${peer}]:${peerPort}` : `${peer}:${peerPort}`;
    const recvQ = state === 'CLOSE-WAIT' ? (rand() < 0.9 ? 1 : Math.floor(rand() * 10000)) : state === 'ESTAB' && rand() < 0.05 ? Math.floor(rand() * 5000) : 0;
    const sendQ = state === 'ESTAB' && rand() < 0.05 ? Math.floor(rand() * 5000) : 0;
    const line = `${pad(state, 11)}${pad(String(recvQ), 7)}${pad(String(sendQ), 7)}${pad(local, 26)}${pad(remote, 26)}`;
    all.push(line);
    if (state === 'CLOSE-WAIT' || state === 'SYN-RECV') owned.push(line);
  }
  const allPath = join(dir, `ss-all-${n}.txt`);
  const ownedPath = join(dir, `ss-owned-${n}.txt`);
  writeFileSync(allPath, `${all.join('\n')}\n`);
  writeFileSync(ownedPath, `${owned.join('\n')}\n`);
  return { all: allPath, owned: ownedPath };
}

/** Child: the measured run. */
async function runChild(allPath: string, ownedPath: string): Promise<void> {
  const t0 = performance.now();
  const bundle: RawBundle = {
    node: 'bench',
    transport: 'local',
    collectedAt: '2026-01-01T00:00:00.000Z',
    intervalSec: 5,
    sections: [
      { name: 'meta', stdout: 'hostname bench\nkernel 5.15.0\nuptime 100\nuid 0\n', stderr: '', exitCode: 0 },
      { name: 'ss-owned', stdout: decodeOutput(readFileSync(ownedPath)), stderr: '', exitCode: 0 },
      { name: 'ss-all', stdout: decodeOutput(readFileSync(allPath)), stderr: '', exitCode: 0 },
    ],
  };
  const t1 = performance.now();
  const snapshot = buildSnapshot(bundle);
  const t2 = performance.now();
  analyze(snapshot);
  const t3 = performance.now();
  const analyzeMs = t3 - t2;
  const result: ChildResult = {
    // The table's counts: ESTAB and TIME-WAIT are counted, not kept as objects.
    sockets: Object.values(snapshot.sockets.counts).reduce((a, b) => a + b, 0),
    readMs: t1 - t0,
    snapshotMs: t2 - t1,
    analyzeMs,
    totalMs: t3 - t0,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

function timeAwk(path: string): { ms: number; awk: string } {
  const version = spawnSync('awk', ['-W', 'version'], { encoding: 'utf8' });
  const awk = /GNU Awk/.test(version.stdout) ? 'gawk' : /mawk/i.test(`${version.stdout}${version.stderr}`) ? 'mawk' : 'awk';
  const t0 = performance.now();
  const run = spawnSync('awk', [AWK_PROGRAM, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`awk failed: ${run.stderr}`);
  return { ms, awk };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-bench-'));
  const misses: string[] = [];
  try {
    const rows: string[][] = [];
    let awkName = 'awk';
    const nsPerSocket = new Map<number, number>();
    for (const n of SIZES) {
      const files = generate(dir, n);
      const runs: ChildResult[] = [];
      const awkMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const child = spawnSync(process.execPath, [...process.execArgv, here, '--child', files.all, files.owned], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (child.status !== 0) throw new Error(`bench child failed for ${n}: ${child.stderr}`);
        runs.push(JSON.parse(child.stdout) as ChildResult);
        const awk = timeAwk(files.all);
        awkName = awk.awk;
        awkMs.push(awk.ms);
      }
      const r = runs[0] as ChildResult;
      const med = (pick: (c: ChildResult) => number) => median(runs.map(pick));
      const totalMs = med((c) => c.totalMs);
      const rssMb = Math.max(...runs.map((c) => c.maxRssMb));
      const awkMedian = median(awkMs);
      const ratio = totalMs / awkMedian;
      nsPerSocket.set(n, (totalMs * 1e6) / n);
      rows.push([
        n.toLocaleString('en-US'),
        r.sockets.toLocaleString('en-US'),
        med((c) => c.readMs).toFixed(0),
        med((c) => c.snapshotMs).toFixed(0),
        med((c) => c.analyzeMs).toFixed(0),
        totalMs.toFixed(0),
        `${Math.min(...runs.map((c) => c.totalMs)).toFixed(0)}-${Math.max(...runs.map((c) => c.totalMs)).toFixed(0)}`,
        ((totalMs * 1e6) / n).toFixed(0),
        rssMb.toFixed(0),
        awkMedian.toFixed(0),
        ratio.toFixed(2),
      ]);
      if (n === 1_000_000) {
        if (totalMs > LIMIT_MS) misses.push(`1M sockets took ${totalMs.toFixed(0)} ms (limit ${LIMIT_MS})`);
        if (rssMb > LIMIT_MB) misses.push(`1M sockets peaked at ${rssMb.toFixed(0)} MB (limit ${LIMIT_MB})`);
        if (ratio > LIMIT_AWK_RATIO) misses.push(`1M sockets took ${ratio.toFixed(2)}x ${awkName} (limit ${LIMIT_AWK_RATIO}x)`);
      }
    }
    const small = nsPerSocket.get(100_000);
    const large = nsPerSocket.get(1_000_000);
    const linearity = small && large ? large / small : null;
    if (linearity !== null && linearity > LIMIT_LINEARITY) misses.push(`time per socket grew ${linearity.toFixed(2)}x from 100k to 1M (limit ${LIMIT_LINEARITY}x)`);
    const head = ['sockets', 'parsed', 'read ms', 'snapshot ms', 'analyze ms', 'total ms', 'total range', 'ns/socket', 'peak RSS MB', `${awkName} ms`, `x ${awkName}`];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
    console.log(`parse + analyze vs ${awkName} '${AWK_PROGRAM}', median of ${RUNS} run${RUNS === 1 ? '' : 's'} per size`);
    console.log(fmt(head));
    for (const r of rows) console.log(fmt(r));
    console.log(
      `targets for 1M sockets: ${LIMIT_MS} ms, ${LIMIT_MB} MB, ${LIMIT_AWK_RATIO}x ${awkName}, ns/socket 1M/100k <= ${LIMIT_LINEARITY} (${linearity === null ? 'n/a' : linearity.toFixed(2)}): ${misses.length > 0 ? 'MISSED' : 'met'}`,
    );
    for (const m of misses) console.error(`missed: ${m}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (misses.length > 0) process.exit(1);
}

if (process.argv[2] === '--child') {
  await runChild(process.argv[3] as string, process.argv[4] as string);
} else {
  await main();
}
