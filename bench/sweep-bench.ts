/**
 * `npm run bench:sweep`: collect the plan from 50 lab nodes at once over SSH, three ways, in one run:
 * our SSH transport, `parallel-ssh` (Debian pssh) and an `ansible` ad-hoc `raw` command (forks 50).
 * Each runs as its own process tree, timed from start to exit, with the tree's resident memory
 * sampled every 50 ms. Every node's output must be complete (last section's END marker) to count.
 * Needs root, openssh-server, iproute2, pssh, ansible.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectBundle } from '../jobs/diagnose.js';
import { openedNode } from '../test/helpers/opened.js';
import { buildPlan, newNonce } from '../src/collect/plan.js';
import { Sections } from '../src/domain/sections.js';
import { SshTransport } from '../src/collect/transports/ssh.js';
import { startLab } from '../test/lab/lab.js';

const NODES = Number(process.env.SWEEP_NODES ?? 50);
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

/** Child mode: our transport, every node at once. Prints how many came back complete. */
async function ours(job: Job): Promise<void> {
  const started = performance.now();
  const results = await Promise.allSettled(
    job.hosts.map((host) =>
      collectBundle(openedNode(host, new SshTransport({ host, user: 'root', identityFile: job.key, knownHostsFile: job.knownHosts, agent: false })), { intervalSec: INTERVAL_SEC }),
    ),
  );
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.sections.some((s) => s.name === Sections.sockstat && s.exitCode === 0)).length;
  process.stdout.write(JSON.stringify({ ok, collectMs: performance.now() - started }));
}

async function main(): Promise<void> {
  console.log(`starting a lab of ${NODES} nodes…`);
  const lab = await startLab({ nodes: NODES, pathologies: false });
  try {
    const job: Job = { hosts: lab.nodes.map((n) => n.address), key: lab.clientKeyPath, knownHosts: lab.knownHostsPath };
    const script = buildPlan({ intervalSec: INTERVAL_SEC, nonce: newNonce() }).script;
    const sshOpts = ['-i', lab.clientKeyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];

    const a = await measure(process.execPath, ['--import', 'tsx', SELF, 'ours', JSON.stringify(job)]);
    const oursResult = JSON.parse(a.stdout) as { ok: number; collectMs: number };

    const hostsFile = join(lab.dir, 'pssh-hosts');
    writeFileSync(hostsFile, `${job.hosts.map((h) => `root@${h}`).join('\n')}\n`);
    const psshOut = join(lab.dir, 'pssh-out');
    const b = await measure('parallel-ssh', ['-h', hostsFile, '-p', String(NODES), '-t', '60', '-o', psshOut, '-x', sshOpts.join(' '), '-I', 'sh', '-s', '--', `interval=${INTERVAL_SEC}`], { input: script });
    const psshOk = readdirSync(psshOut).filter((f) => complete(readFileSync(join(psshOut, f), 'utf8'))).length;

    const inventory = join(lab.dir, 'ansible-hosts');
    writeFileSync(inventory, `${lab.nodes.map((n) => `${n.name} ansible_host=${n.address}`).join('\n')}\n`);
    const ansibleTmp = join(lab.dir, 'ansible');
    mkdirSync(ansibleTmp);
    const remote = `echo ${Buffer.from(script).toString('base64')} | base64 -d | sh -s -- interval=${INTERVAL_SEC}`;
    const c = await measure('ansible', ['all', '-i', inventory, '-u', 'root', '--private-key', lab.clientKeyPath, '-f', String(NODES), '-m', 'raw', '-a', remote], {
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
      ['tcpcheck (ssh2)', a, oursResult.ok],
      ['parallel-ssh', b, psshOk],
      ['ansible -m raw', c, ansibleOk],
    ] as const;
    console.log(`\n${NODES} nodes, interval ${INTERVAL_SEC} s, whole process from start to exit:`);
    console.log('tool               complete   wall s   nodes/s   peak RSS MiB (process tree)');
    for (const [name, r, ok] of rows) {
      console.log(`${name.padEnd(18)} ${`${ok}/${NODES}`.padStart(8)} ${(r.ms / 1000).toFixed(2).padStart(8)} ${(ok / (r.ms / 1000)).toFixed(1).padStart(9)} ${r.peakMiB.toFixed(0).padStart(14)}`);
    }
    console.log(`tcpcheck collection alone (after Node start-up): ${(oursResult.collectMs / 1000).toFixed(2)} s`);
    console.log(`speed-up: ${(b.ms / a.ms).toFixed(2)}x parallel-ssh, ${(c.ms / a.ms).toFixed(2)}x ansible; memory: ${(b.peakMiB / a.peakMiB).toFixed(2)}x, ${(c.peakMiB / a.peakMiB).toFixed(2)}x`);
  } finally {
    await lab.stop();
  }
}

const [mode, arg] = process.argv.slice(2);
(mode === 'ours' ? ours(JSON.parse(arg ?? '{}') as Job) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
