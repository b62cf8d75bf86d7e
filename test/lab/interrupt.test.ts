/**
 * The standard plan never outlives its client: when the client is killed or the SSH connection
 * drops mid-sampling, the script's watchdog kills its whole process group on the node.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from './lab.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** An interval no other test uses, so the plan's sampling `sleep` is recognisable on the node. */
const INTERVAL = '37';

/** The plan's processes on the lab node: its sampling sleep and the shell running it. */
async function planOnNode(lab: Lab): Promise<string[]> {
  const pids = execFileSync('ip', ['netns', 'pids', lab.nodes[0]!.netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  const argvs = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').then((c) => c.split('\0').filter(Boolean).join(' '), () => '')));
  return argvs.filter((a) => a === `sleep ${INTERVAL}` || a.includes(`interval=${INTERVAL}`));
}

describe('a standard check interrupted mid-sampling', () => {
  let lab: Lab;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tci-', pathologies: false });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await lab?.stop();
  });

  it.each([
    ['the client is killed', async (cli: ChildProcess) => void cli.kill('SIGKILL')],
    ['the SSH connection drops', async () => lab.killSshd(0)],
  ])('leaves nothing of the plan on the node 5 s after %s', async (what, interrupt) => {
    const node = lab.nodes[0]!;
    const cli = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/main.ts'), 'check', '--host', node.address, '--user', 'root', '--identity', lab.clientKeyPath, '--known-hosts', lab.knownHostsPath, '--interval', INTERVAL], { cwd: ROOT, stdio: 'ignore' });
    children.push(cli);
    let running: string[] = [];
    for (let i = 0; i < 100 && !running.includes(`sleep ${INTERVAL}`); i++) {
      await sleep(200);
      running = await planOnNode(lab);
    }
    expect(running).toContain(`sleep ${INTERVAL}`);
    await interrupt(cli);
    await sleep(5000);
    expect(await planOnNode(lab)).toEqual([]);
    cli.kill('SIGKILL');
    if (what.includes('SSH')) await lab.startSshd(0);
  }, 60_000);
});
