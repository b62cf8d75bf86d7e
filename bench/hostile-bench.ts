/**
 * `npm run bench:hostile`: the whole `tcpcheck analyze FILE` command on output a hostile node can
 * print, at two sizes each, next to `wc -l` and `awk` reading the same file in the same run:
 *
 * - **markers**: a raw file whose owners section holds N duplicated `BEGIN` markers (300k and 600k
 *   marker lines), as a crafted argv printed by the old script did. Before the framing checks each
 *   became a section cut short, a note and a finding, linked to every other finding pairwise; now
 *   each is one counted framing problem.
 * - **argv**: a raw file whose owners section holds one listener's argv of 1.1 MB and 2.2 MB
 *   (markers, long options and newlines in it).
 *
 * The command is the installed one (`node dist/src/cli/main.js`, built by the npm script first).
 *
 * Each command runs `--runs N` times (default 5), interleaved with its baselines; the fastest run
 * of each is compared, since on a shared machine load only ever adds time. The CLI's start-up (tsx,
 * about 1.5 s) is measured on the small plan fixture and subtracted, so the per-size figures are the
 * work on the input. Exits non-zero when a target is missed: the larger size costing more than 2.5x
 * the smaller (2x input: linear, with slack for a loaded machine; judged when the smaller costs
 * 100 ms or more, else the whole command must stay within 3x its start-up), the work on the input
 * more than 10x awk's whole run on the same file (when awk needs 20 ms or more to read it), more
 * than MAX_FINDINGS findings, or no output-tampered finding.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Report } from '../src/domain/report.js';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const FIXTURE = join(ROOT, 'test/fixtures/plan/local-debian12.txt');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : 5;
const LIMIT_LINEARITY = 2.5;
/** Below this much work on the input, start-up noise decides the ratio. */
const MEANINGFUL_WORK_MS = 100;
const LIMIT_AWK_RATIO = 10;
/** Below this, awk's run is its own start-up and a ratio says nothing. */
const AWK_MEANINGFUL_MS = 20;
const MAX_FINDINGS = 200;
const AWK_PROGRAM = '/^@@TCPCHECK/ {++m} {++n} END {print m, n}';

/** The plan fixture with `inject` placed inside the owners section, after its first command line. */
function withOwnersText(inject: string): string {
  const fixture = readFileSync(FIXTURE, 'utf8');
  return fixture.replace(/^(pid \d+ cmdline .*)$/m, (line) => `${line}${inject}`);
}

function markersFile(markerLines: number): string {
  return withOwnersText('\n@@TCPCHECK BEGIN ss-all'.repeat(markerLines));
}

function argvFile(bytes: number): string {
  const chunk = ' --opt=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n@@TCPCHECK END owners rc=0\nLISTEN 0 128 0.0.0.0:9 0.0.0.0:*\n@@TCPCHECK BEGIN owners';
  return withOwnersText(chunk.repeat(Math.ceil(bytes / chunk.length)).slice(0, bytes));
}

function time(cmd: string, args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - started;
  if (r.error) throw r.error;
  return { ms, stdout: r.stdout };
}

const fastest = (xs: number[]) => Math.min(...xs);

function measure(file: string): { tcpcheckMs: number; wcMs: number; awkMs: number; report: Report } {
  const t: number[] = [];
  const w: number[] = [];
  const a: number[] = [];
  let report: Report | null = null;
  for (let i = 0; i < RUNS; i++) {
    const run = time(process.execPath, [MAIN, 'analyze', file, '--format', 'json']);
    t.push(run.ms);
    report = JSON.parse(run.stdout) as Report;
    w.push(time('wc', ['-l', file]).ms);
    a.push(time('awk', [AWK_PROGRAM, file]).ms);
  }
  return { tcpcheckMs: fastest(t), wcMs: fastest(w), awkMs: fastest(a), report: report! };
}

const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-hostile-bench-'));
const failures: string[] = [];
try {
  const startup = measure(FIXTURE);
  console.log(`tcpcheck analyze on the plan fixture (start-up, subtracted below): ${startup.tcpcheckMs.toFixed(0)} ms\n`);
  console.log('case                 input                    tcpcheck   wc -l     awk  findings  tampered  tcpcheck work vs awk');
  for (const [name, make, sizes, unit] of [
    ['markers', markersFile, [300_000, 600_000], 'marker lines'],
    ['argv', argvFile, [1_100_000, 2_200_000], 'argv bytes'],
  ] as const) {
    const net: number[] = [];
    for (const size of sizes) {
      const file = join(dir, `${name}-${size}.txt`);
      writeFileSync(file, make(size));
      const m = measure(file);
      const work = Math.max(1, m.tcpcheckMs - startup.tcpcheckMs);
      net.push(work);
      const tampered = m.report.findings.find((f) => f.rule === 'output-tampered');
      const ratio = work / m.awkMs;
      console.log(
        `${name.padEnd(20)} ${`${size} ${unit}`.padEnd(24)} ${`${work.toFixed(0)} ms`.padStart(8)}   ${`${m.wcMs.toFixed(0)} ms`.padStart(6)}  ${`${m.awkMs.toFixed(0)} ms`.padStart(6)}  ${String(m.report.findings.length).padStart(8)}  ${String(Boolean(tampered)).padStart(8)}  ${m.awkMs >= AWK_MEANINGFUL_MS ? `${ratio.toFixed(1)}x` : 'both start-up bound'}`,
      );
      if (m.report.findings.length > MAX_FINDINGS) failures.push(`${name} ${size}: ${m.report.findings.length} findings`);
      if (!tampered) failures.push(`${name} ${size}: no output-tampered finding`);
      if (m.awkMs >= AWK_MEANINGFUL_MS && ratio > LIMIT_AWK_RATIO) failures.push(`${name} ${size}: ${ratio.toFixed(1)}x awk (limit ${LIMIT_AWK_RATIO}x)`);
    }
    const [small = 0, large = 0] = net;
    if (small >= MEANINGFUL_WORK_MS) {
      const growth = large / small;
      console.log(`${name}: 2x the input cost ${growth.toFixed(2)}x the time (limit ${LIMIT_LINEARITY}x)\n`);
      if (growth > LIMIT_LINEARITY) failures.push(`${name}: ${growth.toFixed(2)}x for 2x input, not linear`);
    } else {
      const whole = (large + startup.tcpcheckMs) / startup.tcpcheckMs;
      console.log(`${name}: start-up bound; the larger input's whole command is ${whole.toFixed(2)}x the start-up (limit 3x)\n`);
      if (whole > 3) failures.push(`${name}: ${whole.toFixed(2)}x the start-up`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`targets missed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('all targets met');
