/**
 * The deep probe on a lab node over SSH, with the real tcpdump and strace: a listener that never
 * accepts, fed by clients that connect and close at once, and a healthy listener beside it.
 * Also: a probe interrupted mid-way leaves no tcpdump or strace on the node.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/report.js';
import { runCli } from '../helpers/cli.js';
import { startLab, type Lab } from './lab.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NEVER_ACCEPTS = 31600;
const HEALTHY = 31601;
const DEEP_RULES = ['owner-never-accepts', 'capture-immediate-close', 'capture-handshake-retransmits', 'capture-fin-unanswered', 'owner-syscall-profile'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listener that never accepts (backlog 16), or one that accepts and closes, in perl from Debian's base. */
const LISTENER = {
  never: 'my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Listen => 16, ReuseAddr => 1) or die; $| = 1; print "up\\n"; sleep 300',
  healthy: 'my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Listen => 16, ReuseAddr => 1) or die; print "up\\n"; $| = 1; while (my $c = $s->accept) { close $c }',
};

/**
 * Clients that connect and close at once, one every 350 ms per port, at most 200 times (70 s). At
 * that pace the never-accepting queue (16 + 1) fills about 6 s after they start: during the deep
 * window, which starts 3-4 s in (SSH, the 1 s standard sample) and lasts 10 s, so the capture
 * sees handshakes that close at once, then SYNs retransmitted against the full queue.
 */
const CLIENTS = `const net = require('node:net');
const [host, ports, sources] = process.argv.slice(1);
const list = ports.split(',').map(Number); const src = sources.split(',');
let i = 0;
const t = setInterval(() => {
  if (i >= 200) return clearInterval(t);
  for (const port of list) {
    const s = net.connect({ host, port, localAddress: src[i % src.length] });
    s.on('connect', () => s.destroy()); s.on('error', () => undefined); setTimeout(() => s.destroy(), 3000);
  }
  i++;
}, 350);`;

function start(argv: string[]): Promise<ChildProcess> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    child.once('error', rej);
    child.stdout!.once('data', () => res(child));
  });
}

/** tcpdump and strace processes in the node's network namespace. */
async function probesOnNode(lab: Lab): Promise<string[]> {
  const stdout = execFileSync('ip', ['netns', 'pids', lab.nodes[0]!.netns], { encoding: 'utf8' });
  const names = await Promise.all(stdout.split(/\s+/).filter(Boolean).map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').then((c) => c.trim(), () => '')));
  return names.filter((n) => n === 'tcpdump' || n === 'strace');
}

describe('check --deep on a lab node over SSH', () => {
  let lab: Lab;
  const children: ChildProcess[] = [];
  let neverPid = 0;
  const sshArgs = () => ['--host', lab.nodes[0]!.address, '--user', 'root', '--identity', lab.clientKeyPath, '--known-hosts', lab.knownHostsPath];

  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tcd-', pathologies: false });
    const node = lab.nodes[0]!;
    const never = await start(['ip', 'netns', 'exec', node.netns, 'perl', '-MIO::Socket::INET', '-e', LISTENER.never, node.address, String(NEVER_ACCEPTS)]);
    children.push(never);
    neverPid = Number((await readFile(`/proc/${never.pid}/task/${never.pid}/children`, 'utf8').catch(() => '')).trim()) || never.pid!;
    children.push(await start(['ip', 'netns', 'exec', node.netns, 'perl', '-MIO::Socket::INET', '-e', LISTENER.healthy, node.address, String(HEALTHY)]));
    const clients = spawn('ip', ['netns', 'exec', lab.peer.netns, process.execPath, '-e', CLIENTS, node.address, `${NEVER_ACCEPTS},${HEALTHY}`, lab.peer.addresses.join(',')], { stdio: 'ignore' });
    children.push(clients);
    await sleep(1000);
  }, 60_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await lab?.stop();
  });

  describe('when a listener never accepts and health checks connect and close', () => {
    let report: Report;
    beforeAll(async () => {
      const r = await runCli(['check', ...sshArgs(), '--interval', '1', '--deep', '--deep-seconds', '10', '--format', 'json'], { timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      report = JSON.parse(r.stdout) as Report;
    }, 70_000);

    it('finds that the owner never accepts, from its own syscalls', () => {
      const f = report.findings.find((x) => x.rule === 'owner-never-accepts');
      expect(f?.ports).toEqual([NEVER_ACCEPTS]);
      expect(f?.facts.owners?.[0]?.name).toBe('perl');
      expect(f?.facts.counts?.acceptCalls).toBe(0);
      expect(f?.facts.confirmed).toBe(true);
      expect(f?.explains).toContain('capture-handshake-retransmits');
    });

    it('names the health-check peers that close at once', () => {
      const f = report.findings.find((x) => x.rule === 'capture-immediate-close' && x.ports.includes(NEVER_ACCEPTS));
      expect(f?.severity).toBe('warning');
      const peers = (f?.facts.peers ?? []).map((p) => p.ip);
      expect(peers.length).toBeGreaterThan(0);
      expect(peers.every((ip) => lab.peer.addresses.includes(ip))).toBe(true);
    });

    it('sees SYNs retransmitted once the queue is full', () => {
      const f = report.findings.find((x) => x.rule === 'capture-handshake-retransmits');
      expect(f?.ports).toEqual([NEVER_ACCEPTS]);
      expect(Number(f?.facts.counts?.synRetransmits)).toBeGreaterThan(0);
      expect(f?.explainedBy).toContain('owner-never-accepts');
    });

    it('leaves the healthy listener out of every deep finding and probe', () => {
      expect(report.findings.filter((x) => DEEP_RULES.includes(x.rule)).every((x) => !x.ports.includes(HEALTHY))).toBe(true);
      expect(report.probes.every((p) => !p.ports.includes(HEALTHY))).toBe(true);
    });

    it('reports what each probe ran and cost', () => {
      const names = report.probes.map((p) => p.name).sort();
      expect(names).toEqual(['capture', 'stacks', 'strace']);
      const capture = report.probes.find((p) => p.name === 'capture')!;
      expect(capture).toMatchObject({ ok: true, ports: [NEVER_ACCEPTS], droppedByKernel: 0, error: null });
      expect(capture.packets).toBeGreaterThan(0);
      expect(capture.durationMs).toBeGreaterThanOrEqual(9000);
      expect(capture.durationMs).toBeLessThan(13_000);
      expect(report.probes.find((p) => p.name === 'strace')?.pid).toBe(neverPid);
    });
  });

  describe.each([
    ['the client is killed', async (cli: ChildProcess) => void cli.kill('SIGKILL')],
    ['the command is cancelled (Ctrl-C)', async (cli: ChildProcess) => void cli.kill('SIGINT')],
    ['the SSH connection drops', async () => lab.killSshd(0)],
  ])('when %s mid-probe', (_what, interrupt) => {
    it('leaves no tcpdump or strace on the node 5 s later', async () => {
      // One process (no tsx wrapper), so killing it is killing the client.
      const cli = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/main.ts'), 'check', ...sshArgs(), '--interval', '1', '--deep', '--deep-seconds', '40'], { cwd: ROOT, stdio: 'ignore' });
      children.push(cli);
      let running: string[] = [];
      for (let i = 0; i < 100 && !(running.includes('tcpdump') && running.includes('strace')); i++) {
        await sleep(200);
        running = await probesOnNode(lab);
      }
      expect([...new Set(running)].sort()).toEqual(['strace', 'tcpdump']);
      await interrupt(cli);
      await sleep(5000);
      expect(await probesOnNode(lab)).toEqual([]);
      cli.kill('SIGKILL');
      if (_what.includes('SSH')) await lab.startSshd(0);
    }, 60_000);
  });

  describe('when only the healthy listener is busy', () => {
    it('probes nothing and finds none of the deep rules', async () => {
      // The never-accepting listener is gone: nothing is flagged, so nothing is watched.
      children[0]!.kill('SIGKILL');
      await sleep(500);
      const r = await runCli(['check', ...sshArgs(), '--interval', '1', '--deep', '--deep-seconds', '3', '--format', 'json'], { timeoutMs: 60_000 });
      const report = JSON.parse(r.stdout) as Report;
      expect(report.findings.filter((x) => DEEP_RULES.includes(x.rule))).toEqual([]);
      expect(report.probes).toEqual([]);
      expect(await probesOnNode(lab)).toEqual([]);
    }, 60_000);
  });
});
