import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, sweepStaleLabs, type Lab } from './lab.js';

const execFileP = promisify(execFile);

/** `ss` rows as column arrays (header dropped). */
const rows = (out: string) => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
const portOf = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));

describe('the lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ nodes: 2, pathologies: [0] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  describe('when pathologies.ts runs on a node', () => {
    it('fills the never-accepting NodePort queue to backlog+1 and leaves the healthy ports empty', async () => {
      const { stdout } = await lab.exec(0, ['ss', '-ltn']);
      const byPort = new Map(rows(stdout).map((r) => [portOf(r[3]!), { recvQ: Number(r[1]), sendQ: Number(r[2]) }]));
      expect(byPort.get(lab.ports.trap)).toEqual({ recvQ: 129, sendQ: 128 });
      expect(byPort.get(lab.ports.idleNodePort)).toEqual({ recvQ: 0, sendQ: 128 });
      expect(byPort.get(lab.ports.leak)?.recvQ).toBe(0);
      expect(byPort.get(lab.ports.healthy)?.recvQ).toBe(0);
    });

    it('has kube-proxy --proxy-mode=iptables own the NodePorts', async () => {
      const { stdout } = await lab.exec(0, ['ss', '-ltnp', `sport = :${lab.ports.trap}`]);
      const pid = /\("kube-proxy",pid=(\d+)/.exec(stdout)?.[1];
      expect(pid).toBeDefined();
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      expect(cmdline.split('\0')).toContain('--proxy-mode=iptables');
    });

    it('leaves the queued health checks in CLOSE-WAIT with no owner, and some handshakes in SYN-RECV', async () => {
      const closeWait = rows((await lab.exec(0, ['ss', '-tanp', 'state', 'close-wait', `sport = :${lab.ports.trap}`])).stdout);
      expect(closeWait.length).toBe(129);
      expect(closeWait.every((r) => !r.join(' ').includes('users:'))).toBe(true);
      const synRecv = rows((await lab.exec(0, ['ss', '-tan', 'state', 'syn-recv', `sport = :${lab.ports.trap}`])).stdout);
      expect(synRecv.length).toBeGreaterThan(0);
      // The listener is dual-stack, so IPv4 peers print as [::ffff:198.18.N.2]:port.
      const peers = new Set(synRecv.map((r) => r[3]!.slice(0, r[3]!.lastIndexOf(':')).replace(/^\[(::ffff:)?|\]$/g, '')));
      expect([...peers].every((p) => lab.peer.addresses.includes(p))).toBe(true);
    });

    it('leaves CLOSE-WAIT sockets with unread bytes owned by the leaky app', async () => {
      const { stdout } = await lab.exec(0, ['ss', '-tanp', 'state', 'close-wait', `sport = :${lab.ports.leak}`]);
      const leaked = rows(stdout);
      expect(leaked.length).toBe(12);
      expect(leaked.every((r) => Number(r[0]) > 1 && r.join(' ').includes('"leaky-app"'))).toBe(true);
    });

    it('counts listen overflows in the node namespace', async () => {
      const netstat = (await lab.exec(0, ['cat', '/proc/net/netstat'])).stdout.split('\n');
      const names = netstat[0]!.split(' ');
      const values = netstat[1]!.split(' ');
      expect(Number(values[names.indexOf('ListenOverflows')])).toBeGreaterThan(0);
    });
  });

  it('sets the incident sysctls per namespace and leaves other nodes clean', async () => {
    const read = async (i: number, key: string) => (await lab.exec(i, ['cat', `/proc/sys/${key.replace(/\./g, '/')}`])).stdout.trim();
    expect(await read(1, 'net.core.somaxconn')).toBe('128');
    expect(await read(1, 'net.ipv4.tcp_abort_on_overflow')).toBe('0');
    expect(await read(1, 'net.ipv4.tcp_synack_retries')).toBe('5');
    expect(await read(1, 'net.ipv4.tcp_max_syn_backlog')).toBe('512');
    const { stdout } = await lab.exec(1, ['ss', '-ltn']);
    expect(rows(stdout).map((r) => portOf(r[3]!))).toEqual([22]);
  });

  it('runs sshd that OpenSSH reaches with the lab key and known_hosts, hashed entry included', async () => {
    for (const node of lab.nodes) {
      const { stdout } = await execFileP('ssh', [
        '-i', lab.clientKeyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', `root@${node.address}`, 'cat /proc/sys/net/core/somaxconn',
      ]);
      expect(stdout.trim()).toBe('128');
    }
    const known = await readFile(lab.knownHostsPath, 'utf8');
    expect(known.split('\n')[0]).toMatch(/^\|1\|/);
    const { stdout } = await execFileP('ssh-keygen', ['-F', lab.nodes[0]!.address, '-f', lab.knownHostsPath]);
    expect(stdout).toContain('found: line 1');
  });
});

describe('sweepStaleLabs', () => {
  it('deletes a tcl- namespace that no live lab claims', async () => {
    const name = 'tcl-dead-n0';
    await execFileP('ip', ['netns', 'add', name]);
    await sweepStaleLabs();
    const { stdout } = await execFileP('ip', ['netns', 'list']);
    expect(stdout).not.toContain(name);
  });
});
