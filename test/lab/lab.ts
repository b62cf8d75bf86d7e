/**
 * The lab: real test nodes on this machine. Each node is a Linux network namespace on a bridge,
 * with its own address in 198.18.0.0/15 (RFC 2544 benchmark space, never routed), a real `sshd`
 * with its own host key, the incident node's TCP sysctls, and (optionally) the incident's socket
 * pathologies from pathologies.ts. One extra "peer" namespace plays the load balancers.
 *
 * Labs run side by side (several test suites at once): each takes its own /24
 * (198.18.N.0/24, claimed by creating a state file exclusively) and its own name prefix
 * (`tcl-<id>-`). State files record the owner's pid, so a crashed run's namespaces and processes
 * are swept by the next lab (see {@link sweepStaleLabs}).
 *
 * Layout of lab N: root side 198.18.N.1 on bridge `tcl-<id>-br`; peer 198.18.N.2-4;
 * node i at 198.18.N.(100+i) for the first 150, then 198.18.N.(5+i-150) (the sweep benchmark's 200).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fingerprintOf, formatKnownHostsLine } from '../../src/collect/known-hosts.js';

const execFileP = promisify(execFile);

/** Where labs claim their subnet and record their owner. */
export const LAB_STATE_DIR = join(tmpdir(), 'tcpcheck-lab');
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PATHOLOGIES = join(REPO_ROOT, 'test/lab/pathologies.ts');
const SSHD = '/usr/sbin/sshd';

/** The incident node's settings (per network namespace; see the seed transcript). */
export const INCIDENT_SYSCTLS: Record<string, string> = {
  'net.core.somaxconn': '128',
  'net.ipv4.tcp_abort_on_overflow': '0',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_max_syn_backlog': '512',
};

/** Ports pathologies.ts opens on every node, and who owns them. */
export const LAB_PORTS = {
  /** kube-proxy NodePort that never accepts, hit by health checks: full queue, CLOSE-WAIT, SYN-RECV. */
  trap: 31493,
  /** kube-proxy NodePort with no traffic: never accepts, but its queue stays empty (healthy). */
  idleNodePort: 30080,
  /** kube-proxy metrics, loopback only, like the incident's 127.0.0.1:10249 (healthy). */
  metrics: 10249,
  /** An app that accepts and never reads or closes: CLOSE-WAIT with unread bytes. */
  leak: 31591,
  /** An app that accepts, reads and closes (healthy). */
  healthy: 8080,
} as const;

/** Process names (`/proc/PID/comm`) of the pathologies' owners. */
export const LAB_PROCESS_NAMES = { trap: 'kube-proxy', leak: 'leaky-app', healthy: 'healthy-web' } as const;

export interface LabOptions {
  /** Number of nodes (1..245). */
  nodes: number;
  /** Namespace name prefix; a random id is appended. @defaultValue 'tcl-' */
  prefix?: string;
  /** Start pathologies.ts on these node indexes. @defaultValue every node */
  pathologies?: boolean | number[];
  /** Keep the lab after this process exits (for `npm run lab:up`). @defaultValue false */
  persistent?: boolean;
}

export interface LabNode {
  index: number;
  /** Inventory name, e.g. `lab-node-0`. */
  name: string;
  netns: string;
  address: string;
  sshPort: number;
  hostKeyPath: string;
  /** `SHA256:...` of the node's host key. */
  hostKeyFingerprint: string;
  /** Host key blob, for known_hosts lines. */
  hostKey: Buffer;
  /** True when this node's known_hosts entry is hashed (`|1|...`). */
  hashedKnownHost: boolean;
  sshdPid: number | null;
  pathologyPid: number | null;
}

export interface Lab {
  id: string;
  /** Names of all namespaces start with this, e.g. `tcl-3f2a-`. */
  prefix: string;
  /** The lab's /24, e.g. `198.18.7.0/24`. */
  subnet: string;
  /** This machine's address on the lab bridge. */
  gateway: string;
  /** An address in the lab subnet where nothing answers (for "node down"). */
  unusedAddress: string;
  dir: string;
  nodes: LabNode[];
  peer: { netns: string; addresses: string[] };
  /** Authorized on every node (as root). */
  clientKeyPath: string;
  /** A valid key that no node authorizes. */
  strangerKeyPath: string;
  /** Entries for every node; node 0's is hashed. */
  knownHostsPath: string;
  ports: typeof LAB_PORTS;
  processNames: typeof LAB_PROCESS_NAMES;
  /** Kills every sshd process in the node's namespace (listener and sessions), like a crash. */
  killSshd(index: number): Promise<void>;
  /** Starts the node's sshd again and waits until it accepts connections. */
  startSshd(index: number): Promise<void>;
  /** Starts pathologies.ts on a node that has none running (a node turning bad between two sweeps). */
  startPathologies(index: number): Promise<void>;
  /** Stops the node's pathologies (their sockets close with them) and waits until they are gone. */
  stopPathologies(index: number): Promise<void>;
  /** Runs argv inside the node's namespace (no shell). */
  exec(index: number, argv: string[]): Promise<{ stdout: string; stderr: string }>;
  /**
   * Starts a healthy listener on `port` in the node's namespace whose argv ends with `extraArgs`
   * (any bytes but NUL, newlines included), and waits until it listens. Stopped with the lab.
   */
  startHostileListener(index: number, port: number, extraArgs: string[]): Promise<void>;
  /** Kills everything the lab started and deletes its namespaces, links and files. */
  stop(): Promise<void>;
}

interface LabState {
  id: string;
  prefix: string;
  subnetIndex: number;
  ownerPid: number;
  persistent: boolean;
  dir: string;
  pids: number[];
}

async function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileP(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

const ip = (...args: string[]) => run('ip', args);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function listNetns(): Promise<string[]> {
  const { stdout } = await ip('netns', 'list');
  return stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

/** Kills every process in the namespace, then deletes it. */
async function destroyNetns(name: string): Promise<void> {
  const pids = await ip('netns', 'pids', name).then((r) => r.stdout.split(/\s+/).filter(Boolean).map(Number), () => []);
  for (const pid of pids) killQuietly(pid, 'SIGKILL');
  await ip('netns', 'del', name).catch(() => undefined);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function readState(file: string): LabState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    return null;
  }
}

async function teardown(state: LabState): Promise<void> {
  for (const pid of state.pids) killQuietly(pid, 'SIGTERM');
  const names = (await listNetns()).filter((n) => n.startsWith(state.prefix));
  await Promise.all(names.map(destroyNetns));
  // Deleting a namespace deletes its veth ends, and so their root-side peers; the bridge stays.
  await ip('link', 'del', `${state.prefix}br`).catch(() => undefined);
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(join(LAB_STATE_DIR, `subnet-${state.subnetIndex}.json`), { force: true });
}

/**
 * Removes labs whose owner died without stopping them (crashed test runs), and `tcl-*`
 * namespaces no lab claims. `lab:up` labs (persistent) are left alone unless `includePersistent`.
 * @returns the ids swept
 */
export async function sweepStaleLabs(opts: { basePrefix?: string; includePersistent?: boolean } = {}): Promise<string[]> {
  const basePrefix = opts.basePrefix ?? 'tcl-';
  mkdirSync(LAB_STATE_DIR, { recursive: true });
  const swept: string[] = [];
  const live: string[] = [];
  for (const f of readdirSync(LAB_STATE_DIR).filter((n) => /^subnet-\d+\.json$/.test(n))) {
    const state = readState(join(LAB_STATE_DIR, f));
    if (!state) continue;
    const stale = state.persistent ? opts.includePersistent === true : !isAlive(state.ownerPid);
    if (stale) {
      await teardown(state);
      swept.push(state.id);
    } else {
      live.push(state.prefix);
    }
  }
  const orphans = (await listNetns()).filter((n) => n.startsWith(basePrefix) && !live.some((p) => n.startsWith(p)));
  // A lab writes its state file before it creates anything, so an unclaimed namespace is an orphan.
  await Promise.all(orphans.map(destroyNetns));
  const { stdout } = await ip('-o', 'link', 'show', 'type', 'bridge');
  for (const m of stdout.matchAll(/^\d+: ([^:@]+)[:@]/gm)) {
    const br = m[1] ?? '';
    if (br.startsWith(basePrefix) && !live.some((p) => br.startsWith(p))) await ip('link', 'del', br).catch(() => undefined);
  }
  return swept;
}

/** Claims a free 198.18.N.0/24 by creating its state file exclusively. */
async function claimSubnet(state: Omit<LabState, 'subnetIndex'>): Promise<LabState> {
  const { stdout } = await ip('-4', '-o', 'addr', 'show');
  const used = new Set([...stdout.matchAll(/inet 198\.18\.(\d+)\./g)].map((m) => Number(m[1])));
  for (let n = 0; n < 256; n++) {
    if (used.has(n)) continue;
    const full: LabState = { ...state, subnetIndex: n };
    try {
      const fd = openSync(join(LAB_STATE_DIR, `subnet-${n}.json`), 'wx');
      writeFileSync(fd, JSON.stringify(full));
      closeSync(fd);
      return full;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error('No free /24 left in 198.18.0.0/16 for a lab; run `npm run lab:down`.');
}

async function sshKeygen(path: string, comment: string): Promise<Buffer> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  const pub = (await readFile(`${path}.pub`, 'utf8')).split(' ');
  return Buffer.from(pub[1] ?? '', 'base64');
}

/** Waits (bounded: 100 tries, 100 ms apart) until host:port accepts a TCP connection. */
async function waitForPort(host: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ host, port });
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Nothing listens on ${host}:${port} after 10 s`);
}

/** Nodes one lab holds: .100-.249 then .5-.99 of its /24 (.250 stays unused for "node down"). */
const MAX_NODES = 245;

/** Host part of node i's address. */
const nodeHost = (i: number) => (i < 150 ? 100 + i : 5 + i - 150);

/** Runs `limit` tasks at a time. */
async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(fn));
}

function sshdConfig(node: { address: string; dir: string; hostKeyPath: string }, authorizedKeys: string): string {
  return [
    `ListenAddress ${node.address}:22`,
    `HostKey ${node.hostKeyPath}`,
    `PidFile ${join(node.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'UsePAM no',
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
    // Many clients at once in the sweep benchmark.
    'MaxStartups 200',
    // sshd runs every command through root's login shell, and Debian's bash then reads ~/.bashrc
    // (SSH_SOURCE_BASHRC) unless SHLVL is set. The nodes share this machine's /root, whose .bashrc
    // is a developer's, not a node's: with pyenv's init in it, each session started some forty
    // processes and a rehash that waits on a lock shared by every session, which cost more than the
    // collection script and held sessions open for up to a minute in the sweep benchmark.
    'SetEnv SHLVL=1',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

/**
 * Starts a lab of `nodes` nodes. Sweeps stale labs first. Needs root, `ip` (iproute2) and
 * `/usr/sbin/sshd` (openssh-server).
 */
export async function startLab(opts: LabOptions): Promise<Lab> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) throw new Error(`nodes must be 1..${MAX_NODES}`);
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server`);
  await sweepStaleLabs({ basePrefix: opts.prefix ?? 'tcl-' });
  const id = Math.random().toString(16).slice(2, 6);
  const prefix = `${opts.prefix ?? 'tcl-'}${id}-`;
  if (prefix.length > 10) throw new Error('prefix too long: interface names are limited to 15 characters');
  const dir = await mkdtemp(join(tmpdir(), `tcpcheck-lab-${id}-`));
  const state = await claimSubnet({ id, prefix, ownerPid: process.pid, persistent: opts.persistent ?? false, dir, pids: [] });
  const saveState = () => writeFileSync(join(LAB_STATE_DIR, `subnet-${state.subnetIndex}.json`), JSON.stringify(state));
  const base = `198.18.${state.subnetIndex}`;
  try {
    // sshd insists on its privilege-separation directory.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const br = `${prefix}br`;
    await ip('link', 'add', br, 'type', 'bridge');
    await ip('addr', 'add', `${base}.1/24`, 'dev', br);
    await ip('link', 'set', br, 'up');

    const clientKeyPath = join(dir, 'id_ed25519');
    const strangerKeyPath = join(dir, 'stranger_ed25519');
    const [clientKey] = await Promise.all([sshKeygen(clientKeyPath, 'tcpcheck-lab-client'), sshKeygen(strangerKeyPath, 'tcpcheck-lab-stranger')]);
    const authorizedKeys = join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, `ssh-ed25519 ${clientKey.toString('base64')} tcpcheck-lab-client\n`);

    const binDir = join(dir, 'bin');
    mkdirSync(binDir);
    // /proc/PID/comm follows the executable's file name, so `ss -p` shows these names.
    for (const name of Object.values(LAB_PROCESS_NAMES)) await symlink(process.execPath, join(binDir, name));

    const attach = async (netns: string, veth: string, addresses: string[]) => {
      await ip('netns', 'add', netns);
      await ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}x`, 'netns', netns);
      await ip('link', 'set', veth, 'master', br, 'up');
      await ip('-n', netns, 'link', 'set', `${veth}x`, 'name', 'eth0');
      for (const a of addresses) await ip('-n', netns, 'addr', 'add', `${a}/24`, 'dev', 'eth0');
      await ip('-n', netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', netns, 'link', 'set', 'lo', 'up');
    };
    const peer = { netns: `${prefix}peer`, addresses: [2, 3, 4].map((h) => `${base}.${h}`) };
    await attach(peer.netns, `${prefix}vp`, peer.addresses);

    const nodes: LabNode[] = [];
    const pathologyOn = (i: number) => (Array.isArray(opts.pathologies) ? opts.pathologies.includes(i) : opts.pathologies !== false);
    const startSshd = async (node: LabNode) => {
      const nodeDir = join(dir, `node-${node.index}`);
      const log = openSync(join(nodeDir, 'sshd.log'), 'a');
      const child = spawn('ip', ['netns', 'exec', node.netns, SSHD, '-D', '-e', '-f', join(nodeDir, 'sshd_config')], { detached: true, stdio: ['ignore', log, log] });
      closeSync(log);
      child.unref();
      node.sshdPid = child.pid ?? null;
      if (child.pid) state.pids.push(child.pid);
      saveState();
      await waitForPort(node.address, 22);
    };

    await inBatches([...Array(opts.nodes).keys()], 8, async (i) => {
      const netns = `${prefix}n${i}`;
      const address = `${base}.${nodeHost(i)}`;
      const nodeDir = join(dir, `node-${i}`);
      mkdirSync(nodeDir);
      await attach(netns, `${prefix}v${i}`, [address]);
      await run('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', ...Object.entries(INCIDENT_SYSCTLS).map(([k, v]) => `${k}=${v}`)]);
      const hostKeyPath = join(nodeDir, 'ssh_host_ed25519_key');
      const hostKey = await sshKeygen(hostKeyPath, `lab-node-${i}`);
      await writeFile(join(nodeDir, 'sshd_config'), sshdConfig({ address, dir: nodeDir, hostKeyPath }, authorizedKeys));
      const node: LabNode = {
        index: i, name: `lab-node-${i}`, netns, address, sshPort: 22, hostKeyPath, hostKey,
        hostKeyFingerprint: fingerprintOf(hostKey), hashedKnownHost: i === 0, sshdPid: null, pathologyPid: null,
      };
      nodes[i] = node;
      await startSshd(node);
      if (pathologyOn(i)) node.pathologyPid = await startPathologies(node, peer, binDir, nodeDir, state, saveState);
    });

    const knownHostsPath = join(dir, 'known_hosts');
    await writeFile(knownHostsPath, nodes.map((n) => `${formatKnownHostsLine(n.address, 22, n.hostKey, { hash: n.hashedKnownHost })}\n`).join(''));

    const lab: Lab = {
      id, prefix, subnet: `${base}.0/24`, gateway: `${base}.1`, unusedAddress: `${base}.250`, dir, nodes, peer,
      clientKeyPath, strangerKeyPath, knownHostsPath, ports: LAB_PORTS, processNames: LAB_PROCESS_NAMES,
      async killSshd(index) {
        const node = nodes[index]!;
        const { stdout } = await ip('netns', 'pids', node.netns);
        for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
          const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
          if (comm.trim() === 'sshd') killQuietly(pid, 'SIGKILL');
        }
        node.sshdPid = null;
      },
      async startSshd(index) {
        await startSshd(nodes[index]!);
      },
      async startPathologies(index) {
        const node = nodes[index]!;
        if (node.pathologyPid !== null) throw new Error(`${node.name} already runs its pathologies`);
        node.pathologyPid = await startPathologies(node, peer, binDir, join(dir, `node-${index}`), state, saveState);
      },
      async stopPathologies(index) {
        const node = nodes[index]!;
        if (node.pathologyPid === null) return;
        // The supervisor SIGKILLs its children on SIGTERM, then exits (pathologies.ts `serve`).
        killQuietly(node.pathologyPid, 'SIGTERM');
        for (let i = 0; i < 100 && isAlive(node.pathologyPid); i++) await new Promise((r) => setTimeout(r, 100));
        if (isAlive(node.pathologyPid)) throw new Error(`pathologies on ${node.name} still run 10 s after SIGTERM`);
        node.pathologyPid = null;
      },
      exec: (index, argv) => run('ip', ['netns', 'exec', nodes[index]!.netns, ...argv]),
      async startHostileListener(index, port, extraArgs) {
        const argv = ['netns', 'exec', nodes[index]!.netns, process.execPath, '--import', 'tsx', PATHOLOGIES, 'role', 'hostile', '--port', String(port), ...extraArgs];
        const child = spawn('ip', argv, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
        if (child.pid) state.pids.push(child.pid);
        saveState();
        await new Promise<void>((res, rej) => {
          const timer = setTimeout(() => rej(new Error('hostile listener not listening after 30 s')), 30_000);
          child.once('exit', (code) => (clearTimeout(timer), rej(new Error(`hostile listener exited (${code})`))));
          child.stdout!.once('data', () => (clearTimeout(timer), child.stdout!.destroy(), res()));
        });
        child.removeAllListeners('exit');
        child.unref();
      },
      stop: () => teardown(state),
    };
    return lab;
  } catch (err) {
    await teardown(state);
    throw err;
  }
}

/** Starts pathologies.ts in the node's namespace and waits for its "ready" line (bounded: 60 s). */
async function startPathologies(
  node: LabNode, peer: { netns: string; addresses: string[] }, binDir: string, nodeDir: string, state: LabState, saveState: () => void,
): Promise<number> {
  const log = openSync(join(nodeDir, 'pathologies.log'), 'a');
  const child = spawn(
    'ip',
    ['netns', 'exec', node.netns, process.execPath, '--import', 'tsx', PATHOLOGIES, 'serve',
      '--address', node.address, '--peer-netns', peer.netns, '--peer-addresses', peer.addresses.join(','), '--bin-dir', binDir],
    { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', log] },
  );
  closeSync(log);
  if (child.pid) state.pids.push(child.pid);
  saveState();
  await new Promise<void>((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error(`pathologies on ${node.netns} not ready after 60 s; see ${nodeDir}/pathologies.log`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('"ready":true')) {
        clearTimeout(timer);
        child.stdout!.destroy();
        res();
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), rej(new Error(`pathologies on ${node.netns} exited (${code}); see ${nodeDir}/pathologies.log`))));
  });
  child.removeAllListeners('exit');
  child.unref();
  return child.pid!;
}
