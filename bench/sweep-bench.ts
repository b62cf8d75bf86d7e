/**
 * `npm run bench:sweep`: one sweep of 200 lab nodes (real sshd in network namespaces), four ways,
 * in one run, on the same nodes:
 * - the bot's sweep: two `tcpcheck worker` processes (BullMQ flow, one child job per node, on the
 *   real Redis), timed from the start job to the digest posted in the Slack API double, with the
 *   two workers' process trees' memory sampled (the workers are started and warm, as in service);
 * - `tcpcheck sweep` (the CLI, one process, Node start-up included);
 * - `parallel-ssh` (Debian pssh) and an `ansible` ad-hoc `raw` command, each timed
 *   as a whole process tree from start to exit.
 * The same collection script runs on every node, interval 1 s. A node counts only when its
 * output is complete (our row: diagnosed, not unreachable; theirs: the last section's END marker).
 * Needs root, openssh-server, iproute2, pssh, ansible, Redis (scripts/bench-deps.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildPlan, newNonce } from '../src/collect/plan.js';
import { Sections } from '../src/domain/sections.js';
import type { SweepResult } from '../src/domain/sweep.js';
import { digestJobId, SWEEP_NODE_QUEUE, SWEEP_QUEUE, SweepJobName, type SweepDigestData, type SweepStartData } from '../src/queue/sweep-jobs.js';
import { SlackApiDouble } from '../test/doubles/slack/server.js';
import { startLab } from '../test/lab/lab.js';
import { writeLabConfig } from '../test/sweep/lab-config.js';

const NODES = Number(process.env.SWEEP_NODES ?? 200);
/**
 * Nodes in flight at once, the same for every tool (pssh -p, ansible -f, our concurrency across
 * both workers). 200 SSH handshakes at once on a 2-core machine that also runs the 200 sshd time
 * out for every tool; 50 completes for all of them.
 */
const CONCURRENCY = Number(process.env.SWEEP_CONCURRENCY ?? 50);
const INTERVAL_SEC = 1;
const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '../..');

interface Job {
  hosts: string[];
  key: string;
  knownHosts: string;
}

/** Resident memory (KiB) of a process and all its descendants, from /proc. */
function treeRssKiB(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      // Field 24 of stat (index 21 after comm and state) is RSS in pages.
      rss.set(Number(entry), Number(fields[21]) * 4);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a command, timing it and sampling its process tree's memory. */
function measure(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ ms: number; peakMiB: number; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...opts.env }, cwd: ROOT });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid!))), 50);
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(sampler);
      resolve({ ms: performance.now() - started, peakMiB: peak / 1024, stdout: Buffer.concat(out).toString(), code });
    });
    child.stdin.end(opts.input ?? '');
  });
}

const complete = (text: string) => text.includes(`END ${Sections.sockstat} rc=`);

const CLI = [join(ROOT, 'node_modules/.bin/tsx'), join(ROOT, 'src/cli/main.ts')];
const TOKEN = 'xoxb-bench-sweep';
const WORKERS = 2;

/** Starts a `tcpcheck worker` and waits (bounded: 60 s) for its "tcpcheck started" log line. */
function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(CLI[0]!, [CLI[1]!, 'worker'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker not started after 60 s')), 60_000);
    let buf = '';
    let started = false;
    // Keeps reading after start, so the worker never blocks on a full pipe.
    child.stdout!.on('data', (d: Buffer) => {
      if (started) return;
      buf += d.toString();
      if (buf.includes('tcpcheck started')) {
        started = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

/** How many rows failed, per error code (`connect_timeout: 3`). */
function errorCounts(result: SweepResult): string {
  const counts = new Map<string, number>();
  for (const n of result.nodes) if (n.error) counts.set(n.error.code, (counts.get(n.error.code) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${code}: ${n}`).join(', ') || 'none';
}

/** The bot's sweep on two warm workers: start job → digest delivered. */
async function botSweep(config: string): Promise<{ ms: number; peakMiB: number; ok: number; errors: string; phases: string }> {
  const double = new SlackApiDouble({ token: TOKEN });
  const apiUrl = await double.start();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue(SWEEP_QUEUE, { connection: redis, prefix });
  const nodeQueue = new Queue(SWEEP_NODE_QUEUE, { connection: redis, prefix });
  // What the bot role sets at start-up: node checks across both workers bounded together.
  await nodeQueue.setGlobalConcurrency(CONCURRENCY);
  const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: apiUrl, REDIS_URL: 'redis://127.0.0.1:6379', TCPCHECK_CONFIG: config, TCPCHECK_QUEUE_PREFIX: prefix, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' };
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(env));
    const request: SweepStartData = { origin: 'bench', channel: 'C0BENCH', nodes: 'all', nodeTimeoutSec: 60, intervalSec: INTERVAL_SEC };
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, workers.reduce((n, w) => n + treeRssKiB(w.pid!), 0))), 50);
    const started = performance.now();
    await queue.add(SweepJobName.start, request, { jobId: 'bench' });
    let data: SweepDigestData | null = null;
    for (let i = 0; i < 6000 && !data; i++) {
      const job = await queue.getJob(digestJobId('bench'));
      if ((await job?.getState()) === 'completed') data = job!.data as SweepDigestData;
      else await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - started;
    const startedAt = Date.now() - ms;
    clearInterval(sampler);
    if (!data) throw new Error('the bot sweep did not finish within 2 minutes');
    const result = data.result as SweepResult;
    if (double.violations.length) throw new Error(`Slack double: ${double.violations.join('; ')}`);
    // Where the bot's time went: the node checks, then the digest (Slack allows about a message per second).
    const nodeJobs = await nodeQueue.getJobs(['completed']);
    const lastNode = Math.max(...nodeJobs.map((j) => j.finishedOn ?? 0));
    const digestJob = await queue.getJob(digestJobId('bench'));
    const at = (t: number | undefined) => `${(((t ?? 0) - startedAt) / 1000).toFixed(1)} s`;
    const phases = `last node check done at ${at(lastNode)}, digest started at ${at(digestJob?.processedOn)}, delivered at ${at(digestJob?.finishedOn)}`;
    return { ms, peakMiB: peak / 1024, ok: result.nodes.filter((n) => n.verdict !== 'unreachable').length, errors: errorCounts(result), phases };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    for (const q of [queue, nodeQueue]) await q.obliterate({ force: true }).catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await Promise.all([queue.close(), nodeQueue.close()]);
    redis.disconnect();
    await double.stop();
  }
}

async function main(): Promise<void> {
  console.log(`starting a lab of ${NODES} nodes…`);
  const lab = await startLab({ nodes: NODES, pathologies: false });
  try {
    const job: Job = { hosts: lab.nodes.map((n) => n.address), key: lab.clientKeyPath, knownHosts: lab.knownHostsPath };
    // One schedule-sized concurrency for the whole fleet: every node at once, like the tools below.
    const config = await writeLabConfig(lab, { limits: { connectTimeoutMs: 10_000 }, sweeps: [{ name: 'bench', cron: '0 0 1 1 *', channel: 'C0BENCH', concurrency: CONCURRENCY, intervalSec: INTERVAL_SEC }] });
    const script = buildPlan({ intervalSec: INTERVAL_SEC, nonce: newNonce() }).script;
    const sshOpts = ['-i', lab.clientKeyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];

    const bot = await botSweep(config);
    const history = mkdtempSync(join(tmpdir(), 'tcpcheck-bench-history-'));
    const a = await measure(CLI[0]!, [CLI[1]!, 'sweep', '--config', config, '--history', history, '--interval', String(INTERVAL_SEC), '--concurrency', String(CONCURRENCY), '--format', 'json']);
    const cliResult = JSON.parse(a.stdout) as SweepResult;
    const cliOk = cliResult.nodes.filter((n) => n.verdict !== 'unreachable').length;

    const hostsFile = join(lab.dir, 'pssh-hosts');
    writeFileSync(hostsFile, `${job.hosts.map((h) => `root@${h}`).join('\n')}\n`);
    const psshOut = join(lab.dir, 'pssh-out');
    const b = await measure('parallel-ssh', ['-h', hostsFile, '-p', String(CONCURRENCY), '-t', '60', '-o', psshOut, '-x', sshOpts.join(' '), '-I', 'sh', '-s', '--', `interval=${INTERVAL_SEC}`], { input: script });
    const psshOk = readdirSync(psshOut).filter((f) => complete(readFileSync(join(psshOut, f), 'utf8'))).length;

    const inventory = join(lab.dir, 'ansible-hosts');
    writeFileSync(inventory, `${lab.nodes.map((n) => `${n.name} ansible_host=${n.address}`).join('\n')}\n`);
    const ansibleTmp = join(lab.dir, 'ansible');
    mkdirSync(ansibleTmp);
    const remote = `echo ${Buffer.from(script).toString('base64')} | base64 -d | sh -s -- interval=${INTERVAL_SEC}`;
    const c = await measure('ansible', ['all', '-i', inventory, '-u', 'root', '--private-key', lab.clientKeyPath, '-f', String(CONCURRENCY), '-m', 'raw', '-a', remote], {
      env: {
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${lab.knownHostsPath} -o GlobalKnownHostsFile=/dev/null -o ControlMaster=no`,
        ANSIBLE_LOCAL_TEMP: ansibleTmp,
        ANSIBLE_HOME: ansibleTmp,
        ANSIBLE_NOCOLOR: '1',
      },
    });
    const ansibleOk = c.stdout.split(`END ${Sections.sockstat} rc=`).length - 1;

    const rows = [
      [`tcpcheck bot sweep (${WORKERS} workers)`, bot, bot.ok],
      ['tcpcheck sweep (CLI)', a, cliOk],
      ['parallel-ssh', b, psshOk],
      ['ansible -m raw', c, ansibleOk],
    ] as const;
    const rate = (r: { ms: number }, ok: number) => ok / (r.ms / 1000);
    console.log(`\n${NODES} nodes, ${CONCURRENCY} at once, interval ${INTERVAL_SEC} s (bot: start job to digest delivered, workers warm; others: whole process from start to exit):`);
    console.log('tool                           complete   wall s   nodes/s   peak RSS MiB (process trees)');
    for (const [name, r, ok] of rows) {
      console.log(`${name.padEnd(30)} ${`${ok}/${NODES}`.padStart(8)} ${(r.ms / 1000).toFixed(2).padStart(8)} ${rate(r, ok).toFixed(1).padStart(9)} ${r.peakMiB.toFixed(0).padStart(14)}`);
    }
    console.log(`failed rows: bot ${bot.errors}; CLI ${errorCounts(cliResult)}`);
    console.log(`bot: ${bot.phases}`);
    const fastest = Math.max(rate(b, psshOk), rate(c, ansibleOk));
    const ratio = rate(bot, bot.ok) / fastest;
    console.log(`nodes/s against the faster of parallel-ssh and ansible: bot ${ratio.toFixed(2)}x, CLI ${(rate(a, cliOk) / fastest).toFixed(2)}x (target 2x)`);
    console.log(`memory: parallel-ssh ${(b.peakMiB / bot.peakMiB).toFixed(2)}x, ansible ${(c.peakMiB / bot.peakMiB).toFixed(2)}x the bot's ${WORKERS} workers`);
    if (ratio < 2) process.exitCode = 1;
  } finally {
    await lab.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
