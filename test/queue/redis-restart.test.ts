/**
 * Redis restarted in the middle of a diagnosis. The test runs its OWN redis-server on a free
 * loopback port with an append-only file (fsync on every write), so the job survives the restart
 * the way it does on an install with persistence; the shared Redis on 6379 is never touched.
 *
 * Expected: a command sent while Redis is down is still acknowledged, saying so, and starts
 * nothing; the job that was running completes exactly once, with one parent and no duplicated
 * thread replies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { startLab, type Lab } from '../lab/lab.js';
import { jobCount, SIGNING_SECRET, startHarness, type Harness } from '../slack/harness.js';
import { labTransport } from '../slack/lab-node.js';

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server in `dir`, with AOF persistence unless told otherwise; resolves once it accepts connections. */
function startRedis(port: number, dir: string, persistent = true): Promise<ChildProcess> {
  const aof = persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...aof, '--save', '', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s: ${out}`)), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Its own redis-server (with or without persistence), a lab node and a serve harness on them, for one describe. */
function useRedisEnv(persistent: boolean, prefix: string) {
  const env = {} as { lab: Lab; h: Harness; redis: ChildProcess; dir: string; port: number; restart(): Promise<void>; crash(): Promise<void> };
  beforeAll(async () => {
    env.dir = await mkdtemp(join(tmpdir(), 'tcpcheck-redis-restart-'));
    env.port = await freePort();
    env.redis = await startRedis(env.port, env.dir, persistent);
    env.lab = await startLab({ nodes: 1, prefix });
    env.h = await startHarness({
      role: 'serve',
      redisUrl: `redis://127.0.0.1:${env.port}`,
      slack: { attempts: 3, retryDelaySec: 1, dedupeWindowSec: 0 },
      createTransport: async () => labTransport(env.lab, 0),
      lockDuration: 2000,
      stalledInterval: 1000,
    });
  }, 60_000);
  afterAll(async () => {
    await env.h?.stop();
    if (env.redis) await kill(env.redis, 'SIGKILL');
    await env.lab?.stop();
    if (env.dir) await rm(env.dir, { recursive: true, force: true });
  }, 60_000);
  /** A crash, not a clean shutdown. */
  env.crash = () => kill(env.redis, 'SIGKILL');
  env.restart = async () => {
    env.redis = await startRedis(env.port, env.dir, persistent);
  };
  return env;
}

describe('Redis restarted mid-run', () => {
  const env = useRedisEnv(true, 'tcr-');

  it('acknowledges a command while Redis is down, and finishes the running job exactly once', async () => {
    // A 5 s sampling window: the job is surely mid-collection when Redis dies.
    const first = await postSigned(env.h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 5', response_url: env.h.double.responseUrl('first') }), SIGNING_SECRET);
    expect((JSON.parse(first.body) as { text: string }).text).toMatch(/Started a check of lab-node-0/);
    const [job] = await env.h.queue.getJobs(['waiting', 'active']);
    expect(job).toBeDefined();
    await expect.poll(() => env.h.double.parents('C0INCIDENT').length, { timeout: 30_000, interval: 100 }).toBe(1);
    await expect.poll(async () => (await env.h.queue.getJob(job!.id!))?.data.parentTs, { timeout: 10_000, interval: 100 }).toBeTruthy();
    expect(await job!.isCompleted()).toBe(false);

    // A crash, not a clean shutdown: every write already reached the append-only file.
    await env.crash();
    await expect.poll(async () => (await fetch(`${env.h.opsUrl}/healthz`)).status, { timeout: 10_000, interval: 100 }).toBe(503);
    const down = await postSigned(env.h.eventsUrl, slashCommandBody({ text: 'lab-node-0', response_url: env.h.double.responseUrl('down') }), SIGNING_SECRET);
    expect(down.status).toBe(200);
    const downBody = JSON.parse(down.body) as { response_type: string; text: string };
    expect(downBody.response_type).toBe('ephemeral');
    expect(downBody.text).toMatch(/Redis\) is not reachable/);

    await env.restart();
    await expect.poll(async () => (await fetch(`${env.h.opsUrl}/healthz`)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    await expect.poll(async () => (await env.h.queue.getJob(job!.id!))?.getState(), { timeout: 90_000, interval: 250 }).toBe('completed');

    // Nothing was started by the command that met Redis down.
    expect(await jobCount(env.h.queue)).toBe(1);
    const parents = env.h.double.parents('C0INCIDENT');
    expect(parents).toHaveLength(1);
    expect(parents[0]!.history[0]!.text).toMatch(/checking lab-node-0/);
    expect(parents[0]!.text).toMatch(/^CRITICAL on lab-node-0/);
    expect((await env.h.queue.getJob(job!.id!))!.returnvalue.parentTs).toBe(parents[0]!.ts);
    const replies = env.h.double.replies('C0INCIDENT', parents[0]!.ts);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expect(new Set(replies.map((r) => `${r.text}${JSON.stringify(r.blocks)}`)).size).toBe(replies.length);
    expect([...env.h.double.files.values()].filter((f) => f.completed)).toHaveLength(1);
    expect(env.h.double.violations).toEqual([]);
  }, 180_000);
});

describe('Redis without persistence restarted mid-run', () => {
  const env = useRedisEnv(false, 'tcv-');

  it('still posts the finished diagnosis, and never calls the lost job a bug', async () => {
    const ack = await postSigned(env.h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 5', response_url: env.h.double.responseUrl('volatile') }), SIGNING_SECRET);
    expect((JSON.parse(ack.body) as { text: string }).text).toMatch(/Started a check of lab-node-0/);
    await expect.poll(() => env.h.double.parents('C0INCIDENT').length, { timeout: 30_000, interval: 100 }).toBe(1);
    // The job and all its progress vanish: this Redis keeps nothing.
    await env.crash();
    await env.restart();
    const parent = () => env.h.double.parents('C0INCIDENT')[0]!;
    await expect.poll(() => parent().text, { timeout: 60_000, interval: 250 }).toMatch(/^CRITICAL on lab-node-0/);
    const everything = [...env.h.double.parents('C0INCIDENT'), ...env.h.double.replies('C0INCIDENT', parent().ts)].map((m) => `${m.text}${JSON.stringify(m.blocks)}`).join('\n');
    expect(everything).not.toMatch(/bug in tcpcheck|Missing key/);
    expect(env.h.double.parents('C0INCIDENT')).toHaveLength(1);
    expect(env.h.double.violations).toEqual([]);
  }, 120_000);
});
