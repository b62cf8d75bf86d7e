import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, diagnose } from '../../jobs/diagnose.js';
import { openedNode } from '../helpers/opened.js';
import { formatKnownHostsLine, parseKnownHosts, checkHostKey } from '../../src/collect/known-hosts.js';
import { buildPlan, newNonce } from '../../src/collect/plan.js';
import { Sections } from '../../src/domain/sections.js';
import { SshTransport, type SshTransportOptions } from '../../src/collect/transports/ssh.js';
import { ErrorCode, TcpcheckError } from '../../src/errors.js';
import { startLab, type Lab } from '../lab/lab.js';

const execFileP = promisify(execFile);
const RUN = { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 * 1024 };

/** Resolves with the coded error a promise rejects with (fails the test if it resolves). */
async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string; hint: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TcpcheckError);
    const e = err as TcpcheckError;
    return { code: e.code, message: e.message, hint: e.hint };
  }
  throw new Error('expected a rejection');
}

/** Waits (bounded: 200 × 50 ms) until the plan's `sleep` runs in the node's namespace: the command is mid-run. */
async function waitForPlanSleep(lab: Lab, index: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { stdout } = await execFileP('ip', ['netns', 'pids', lab.nodes[index]!.netns]);
    for (const pid of stdout.split(/\s+/).filter(Boolean)) {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      if (comm.trim() === 'sleep') return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the plan never reached its sleep');
}

describe('SshTransport against lab nodes', () => {
  let lab: Lab;
  let ssh: (index: number, over?: Partial<SshTransportOptions>) => SshTransport;

  beforeAll(async () => {
    lab = await startLab({ nodes: 3, pathologies: [0] });
    ssh = (index, over = {}) =>
      new SshTransport({ host: lab.nodes[index]!.address, user: 'root', identityFile: lab.clientKeyPath, knownHostsFile: lab.knownHostsPath, agent: false, ...over });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  describe('when the key, the host key and the node are right', () => {
    it('collects every section of the plan, complete, with a hashed known_hosts entry', async () => {
      expect(lab.nodes[0]!.hashedKnownHost).toBe(true);
      const bundle = await collectBundle(openedNode('lab-node-0', ssh(0)), { intervalSec: 1 });
      const names = bundle.sections.map((s) => s.name);
      for (const s of [Sections.meta, Sections.sysctl, Sections.counters1, Sections.ssOwned, Sections.ssAll, Sections.owners, Sections.counters2, Sections.ssListen2, Sections.sockstat]) {
        expect(names).toContain(s);
      }
      expect(names).not.toContain('transport-stderr');
      for (const s of bundle.sections) expect(s.exitCode, s.name).toBe(0);
      const section = (n: string) => bundle.sections.find((s) => s.name === n)!.stdout;
      expect(bundle.transport).toBe('ssh');
      expect(section(Sections.meta)).toMatch(/^uid 0$/m);
      expect(section(Sections.sysctl)).toContain('net.core.somaxconn = 128');
      expect(section(Sections.ssOwned)).toMatch(/129\s+128\s+\S*:31493.*"kube-proxy"/);
      expect(section(Sections.owners)).toContain('--proxy-mode=iptables');
      expect(section(Sections.counters2)).toContain('ListenOverflows');
    });

    it('finds the pathologies and leaves the healthy ports alone', async () => {
      const { report } = await diagnose({ kind: 'node', node: openedNode('lab-node-0', ssh(0)) }, { intervalSec: 1 });
      const rules = report.findings.map((f) => f.rule);
      expect(rules).toEqual(expect.arrayContaining(['accept-queue-full', 'kube-proxy-nodeport-trap', 'close-wait-unread', 'syn-recv-stuck']));
      const flaggedPorts = new Set(report.findings.filter((f) => f.severity !== 'info').flatMap((f) => f.ports));
      expect(flaggedPorts.has(31493)).toBe(true);
      expect(flaggedPorts.has(31591)).toBe(true);
      for (const healthy of [8080, 30080, 10249, 22]) expect(flaggedPorts.has(healthy), `port ${healthy}`).toBe(false);
    });

    it('reaches a node through a jump host', async () => {
      const bundle = await collectBundle(openedNode('lab-node-2', ssh(2, { jump: { host: lab.nodes[1]!.address, user: 'root' } })), { intervalSec: 0 });
      expect(bundle.sections.find((s) => s.name === Sections.meta)?.exitCode).toBe(0);
    });

    it('reads an identity file whose passphrase is in the named environment variable', async () => {
      const key = join(lab.dir, 'encrypted_ed25519');
      await copyFile(lab.clientKeyPath, key);
      await execFileP('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse', '-f', key]);
      const env = { LAB_PASSPHRASE: 'correct horse' };
      const result = await ssh(1, { identityFile: key, passphraseEnv: 'LAB_PASSPHRASE', env }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN);
      expect(result.exitCode).toBe(0);
      const missing = await codeOf(ssh(1, { identityFile: key, passphraseEnv: 'LAB_PASSPHRASE', env: {} }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(missing.code).toBe(ErrorCode.AuthFailed);
      expect(missing.message).toContain('LAB_PASSPHRASE');
    });

    it('adds an unknown host key only under the accept-new policy, hashed', async () => {
      const file = join(lab.dir, 'known_hosts_new');
      await writeFile(file, '');
      const node = lab.nodes[1]!;
      const refused = await codeOf(ssh(1, { knownHostsFile: file }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(refused.code).toBe(ErrorCode.HostKeyUnknown);
      await ssh(1, { knownHostsFile: file, hostKeyPolicy: 'accept-new' }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN);
      const text = await readFile(file, 'utf8');
      expect(text).toMatch(/^\|1\|/);
      expect(checkHostKey(parseKnownHosts(text).entries, node.address, 22, node.hostKey).status).toBe('match');
      const again = await ssh(1, { knownHostsFile: file }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN);
      expect(again.exitCode).toBe(0);
    });
  });

  describe('when something is wrong, each failure has its own error', () => {
    it('node down: nothing answers at the address', async () => {
      const e = await codeOf(ssh(0, { host: lab.unusedAddress }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.NodeUnreachable);
    });

    it('connection refused: nothing listens on the port', async () => {
      const e = await codeOf(ssh(0, { port: 2222 }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.ConnectionRefused);
    });

    it('unknown host key: refused, saying "host key" and what to do', async () => {
      const file = join(lab.dir, 'known_hosts_empty');
      await writeFile(file, '');
      const e = await codeOf(ssh(0, { knownHostsFile: file }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.HostKeyUnknown);
      expect(e.message).toContain('host key');
      expect(e.message).toContain(lab.nodes[0]!.hostKeyFingerprint);
      expect(e.hint).toContain('ssh-keyscan');
    });

    it('changed host key: refused even under accept-new', async () => {
      const file = join(lab.dir, 'known_hosts_changed');
      await writeFile(file, `${formatKnownHostsLine(lab.nodes[0]!.address, 22, lab.nodes[1]!.hostKey)}\n`);
      const e = await codeOf(ssh(0, { knownHostsFile: file, hostKeyPolicy: 'accept-new' }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.HostKeyChanged);
      expect(e.message).toContain('host key');
      expect(e.hint).toContain('ssh-keygen -R');
    });

    it('wrong host key on the jump host: refused before the node is tried', async () => {
      const file = join(lab.dir, 'known_hosts_no_jump');
      const n2 = lab.nodes[2]!;
      await writeFile(file, `${formatKnownHostsLine(n2.address, 22, n2.hostKey)}\n`);
      const e = await codeOf(ssh(2, { knownHostsFile: file, jump: { host: lab.nodes[1]!.address, user: 'root' } }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.HostKeyUnknown);
      expect(e.message).toContain(lab.nodes[1]!.address);
    });

    it('auth refused: the node does not know the key', async () => {
      const e = await codeOf(ssh(0, { identityFile: lab.strangerKeyPath }).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), RUN));
      expect(e.code).toBe(ErrorCode.AuthFailed);
    });

    it('command timeout: the script runs longer than the whole-run timeout allows', async () => {
      const e = await codeOf(ssh(1).run(buildPlan({ intervalSec: 5, nonce: newNonce() }), { ...RUN, timeoutMs: 2000 }));
      expect(e.code).toBe(ErrorCode.CommandTimeout);
    });

    it('command timeout: the script overruns its expected duration by more than commandTimeoutMs', async () => {
      const slow = { script: 'sleep "${1#interval=}"', args: ['interval=5'], intervalSec: 5, nonce: newNonce(), expectedSec: 0 };
      const e = await codeOf(ssh(1, { commandTimeoutMs: 300 }).run(slow, RUN));
      expect(e.code).toBe(ErrorCode.CommandTimeout);
      expect(e.message).toContain('300 ms');
    });

    it('output over the cap', async () => {
      const e = await codeOf(ssh(0).run(buildPlan({ intervalSec: 0, nonce: newNonce() }), { ...RUN, maxOutputBytes: 2000 }));
      expect(e.code).toBe(ErrorCode.OutputTooLarge);
    });

    it('cancelled: the signal aborts a run in progress', async () => {
      const ac = new AbortController();
      const run = ssh(1).run(buildPlan({ intervalSec: 5, nonce: newNonce() }), { ...RUN, signal: ac.signal });
      await waitForPlanSleep(lab, 1);
      ac.abort();
      expect((await codeOf(run)).code).toBe(ErrorCode.Cancelled);
    });

    it('sshd killed mid-run: the connection is lost', async () => {
      // Observe the outcome at once: the run fails while the kill is still being awaited.
      const outcome = codeOf(ssh(2).run(buildPlan({ intervalSec: 5, nonce: newNonce() }), RUN));
      await waitForPlanSleep(lab, 2);
      await lab.killSshd(2);
      try {
        expect((await outcome).code).toBe(ErrorCode.ConnectionLost);
      } finally {
        await lab.startSshd(2);
      }
    });
  });
});
