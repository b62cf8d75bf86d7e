/**
 * What each capability of the DaemonSet agent buys, measured on the real kernel: the collection
 * plan runs as root with exactly the capability set deploy/daemonset.yaml grants (and with each
 * one taken away), inside a network namespace holding one listener owned by root and one owned by
 * an unprivileged user (uid 65534), as on a node where kube-proxy runs as root and an application
 * container does not. `setpriv --bounding-set` gives root the same capabilities a container with
 * `drop: [ALL]` and `add: [...]` has.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../jobs/diagnose.js';
import { createNetns, listenIn, type TestNetns } from '../doubles/kube/netns.js';
import { netnsTransport } from '../helpers/netns-transport.js';
import { openedNode } from '../helpers/opened.js';

type Container = { securityContext: { capabilities: { add: string[] } } };
const [daemonset] = parseAllDocuments(readFileSync(new URL('../../deploy/daemonset.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as { spec: { template: { spec: { containers: Container[] } } } });
const AGENT_CAPS = daemonset!.spec.template.spec.containers[0]!.securityContext.capabilities.add;

/** Runs the plan as root holding only `caps` (kernel names without CAP_), inside `netns`. */
const cappedTransport = (netns: string, caps: string[]) =>
  netnsTransport(netns, ['setpriv', `--bounding-set=${['-all', ...caps.map((c) => `+${c.toLowerCase()}`)].join(',')}`, '--inh-caps=-all', '--']);

describe('the agent capabilities (deploy/daemonset.yaml)', () => {
  let ns: TestNetns;
  let rootListener: ChildProcess;
  let userListener: ChildProcess;
  beforeAll(async () => {
    ns = createNetns('caps');
    rootListener = await listenIn(ns.name, 7001);
    userListener = await listenIn(ns.name, 7002, { uid: 65534 });
  });
  afterAll(() => {
    rootListener?.kill('SIGKILL');
    userListener?.kill('SIGKILL');
    ns?.remove();
  });

  const collect = async (caps: string[]) => {
    const { snapshot } = await diagnose({ kind: 'node', node: openedNode('caps', cappedTransport(ns.name, caps)) }, { intervalSec: 0 });
    const owners = (port: number) => snapshot.sockets.sockets.filter((s) => s.state === 'LISTEN' && s.localPort === port).flatMap((s) => s.processes.map((p) => p.pid));
    return { snapshot, root: owners(7001), user: owners(7002) };
  };

  it('grants exactly SYS_PTRACE and DAC_READ_SEARCH', () => {
    expect([...AGENT_CAPS].sort()).toEqual(['DAC_READ_SEARCH', 'SYS_PTRACE']);
  });

  it.each([
    ['the manifest set', AGENT_CAPS, { root: true, user: true }],
    // /proc/PID/fd of another uid is a 0500 directory: listing it needs DAC_READ_SEARCH.
    ['no DAC_READ_SEARCH', AGENT_CAPS.filter((c) => c !== 'DAC_READ_SEARCH'), { root: true, user: false }],
    // Reading the fd links of a process with more capabilities than the reader needs SYS_PTRACE (ptrace_may_access).
    ['no SYS_PTRACE', AGENT_CAPS.filter((c) => c !== 'SYS_PTRACE'), { root: false, user: false }],
    ['no capability', [], { root: false, user: false }],
  ])('with %s, names the owners it can: %j', async (_label, caps, seen) => {
    const { snapshot, root, user } = await collect(caps);
    // Sockets, counters and sysctls need no capability at all.
    expect(snapshot.sockets.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.localPort).sort()).toEqual([7001, 7002]);
    expect(snapshot.counterSamples.length).toBe(2);
    expect(snapshot.sysctl['net.core.somaxconn']).toMatch(/^\d+$/);
    expect(root).toEqual(seen.root ? [rootListener.pid] : []);
    expect(user).toEqual(seen.user ? [userListener.pid] : []);
    // /proc/PID/comm and /proc/PID/cmdline are world-readable (0444): a listener whose pid is known gets its command line.
    for (const pid of [...root, ...user]) expect(snapshot.processes[pid]?.cmdline).toMatch(/createServer/);
  }, 30_000);

  it('reads and writes root-owned files through /proc/PID/root with SYS_PTRACE alone: exec into the agent is root on the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-caps-'));
    const file = join(dir, 'host-file');
    writeFileSync(file, 'host\n', { mode: 0o600 });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const viaPid = `/proc/${sleeper.pid}/root${file}`;
      const run = (caps: string) =>
        new Promise<number | null>((resolve) => {
          const child = spawn('setpriv', [`--bounding-set=${caps}`, '--inh-caps=-all', '--', 'sh', '-c', 'echo written >> "$1"', 'sh', viaPid], { stdio: 'ignore' });
          child.on('close', resolve);
        });
      expect(await run('-all')).not.toBe(0);
      expect(await run('-all,+sys_ptrace')).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('host\nwritten\n');
    } finally {
      sleeper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
