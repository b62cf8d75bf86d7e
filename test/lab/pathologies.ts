/**
 * Puts real kernel sockets of a lab node into the incident's bad states, then stays up until
 * killed. Run inside a node's namespace (lab.ts does it):
 *
 *     ip netns exec tcl-ab12-n0 node --import tsx test/lab/pathologies.ts serve \
 *       --address 198.18.7.100 --peer-netns tcl-ab12-peer --peer-addresses 198.18.7.2,198.18.7.3
 *
 * What a node then shows (`ss -ltnp`, `ss -tan`, /proc/net/netstat):
 * - `*:31493` owned by `kube-proxy --proxy-mode=iptables`, which never accepts (kube-proxy only
 *   reserves NodePorts, kubernetes/kubernetes#43212): health checks from the peer namespace connect
 *   and close at once, so the queue fills (Recv-Q 129 / Send-Q 128), the queued connections turn
 *   CLOSE-WAIT with no owner, ListenOverflows climbs, and handshakes whose final ACK came after
 *   the queue filled stay SYN-RECV (tcp_abort_on_overflow=0).
 * - `*:30080` and `127.0.0.1:10249`, also kube-proxy's, idle: healthy.
 * - `0.0.0.0:31591` owned by `leaky-app`, which accepts and never reads or closes: CLOSE-WAIT
 *   sockets holding the bytes their clients sent.
 * - `0.0.0.0:8080` owned by `healthy-web`, which accepts, reads and closes: healthy.
 *
 * - On demand (lab.startHostileListener), `role hostile`: a healthy listener whose argv carries a
 *   secret and forged section markers, as a process on a node may.
 *
 * Sub-commands (the script runs itself under other names, since `ss -p` shows /proc/PID/comm,
 * which follows the executable's file name): `serve`, `hold` (kube-proxy), `role leak|healthy|hostile`,
 * `clients` (in the peer namespace). Every client loop is bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const PORTS = { trap: 31493, idleNodePort: 30080, metrics: 10249, leak: 31591, healthy: 8080 };
const NAMES = { trap: 'kube-proxy', leak: 'leaky-app', healthy: 'healthy-web' };
/** Health checks in the first wave: enough to fill a 128 backlog with room to spare. */
const BURST_CONNECTIONS = 200;
const BURST_MAX_MS = 5000;
/** Health checks that complete before the queue is full (it holds 129). */
const FIRST_WAVE = 100;
/** After the wave, one health check a second (like a load balancer), for at most 10 minutes. */
const TRICKLE_MAX_WAVES = 600;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `tc` (iproute2) in this namespace; false when it fails (reported on stderr). */
function tc(args: string[]): Promise<boolean> {
  return new Promise((res) => {
    const child = spawn('tc', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', () => res(false));
    child.once('exit', (code) => res(code === 0));
  });
}

function listen(host: string, port: number, backlog: number, onConnection?: (s: Socket) => void): Promise<Server> {
  const server = createServer({ pauseOnConnect: true }, onConnection);
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen({ host, port, backlog }, () => res(server));
  });
}

/** Spawns this script under another executable name and waits for its first stdout line. */
function spawnRole(binDir: string, name: string, args: string[], extraFds: number[] = []): Promise<ChildProcess> {
  const child = spawn(join(binDir, name), ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit', ...extraFds] });
  return new Promise((res, rej) => {
    child.once('error', rej);
    child.once('exit', (code) => rej(new Error(`${name} exited with ${code}`)));
    child.stdout!.once('data', () => res(child));
  });
}

/** `serve`: the supervisor. Starts the owners, then the health checks from the peer namespace. */
async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { address: { type: 'string' }, 'peer-netns': { type: 'string' }, 'peer-addresses': { type: 'string' }, 'bin-dir': { type: 'string' } } });
  const address = values.address;
  if (!address || !values['peer-netns'] || !values['peer-addresses']) throw new Error('serve needs --address, --peer-netns and --peer-addresses');
  let binDir = values['bin-dir'];
  if (!binDir) {
    binDir = mkdtempSync(join(tmpdir(), 'tcpcheck-pathologies-'));
    for (const n of Object.values(NAMES)) symlinkSync(process.execPath, join(binDir, n));
  }
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stopAll);
  process.on('SIGINT', stopAll);

  // Node always accepts on a listening handle, so this process opens kube-proxy's sockets, hands
  // the descriptors to the `kube-proxy` child (which never touches them) and closes its own copies:
  // the kernel then queues connections that nobody will ever accept, as on the incident node.
  const held = [await listen('::', PORTS.trap, 128), await listen('::', PORTS.idleNodePort, 128), await listen('127.0.0.1', PORTS.metrics, 128)];
  const fds = held.map((s) => (s as unknown as { _handle: { fd: number } })._handle.fd);
  children.push(await spawnRole(binDir, NAMES.trap, ['hold', '--proxy-mode=iptables'], fds));
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  children.push(await spawnRole(binDir, NAMES.leak, ['role', 'leak', '--port', String(PORTS.leak)]));
  children.push(await spawnRole(binDir, NAMES.healthy, ['role', 'healthy', '--port', String(PORTS.healthy)]));

  const clients = spawn('ip', ['netns', 'exec', values['peer-netns'], process.execPath, '--import', 'tsx', SELF, 'clients', '--target', address, '--sources', values['peer-addresses']], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(clients);
  const summary = await new Promise<string>((res, rej) => {
    let buf = '';
    clients.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"phase":"burst-done"'));
      if (line) res(line);
    });
    clients.once('exit', (code) => rej(new Error(`health-check clients exited with ${code}`)));
  });
  process.stdout.write(`${JSON.stringify({ ready: true, address, ports: PORTS, names: NAMES, clients: JSON.parse(summary) })}\n`);
}

/** `hold`: kube-proxy. Keeps the inherited listening sockets (fds 3..) open and never accepts. */
function hold(): void {
  process.stdout.write('holding\n');
  setInterval(() => undefined, 1 << 30);
}

/** `role leak|healthy`: an app server. */
async function role(argv: string[]): Promise<void> {
  // strict: false, so `hostile` can carry any other arguments (a secret, forged markers).
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { port: { type: 'string' } } });
  const port = Number(values.port);
  const kept: Socket[] = [];
  if (positionals[0] === 'leak') {
    // Accepts, then never reads (pauseOnConnect) and never closes: the peer's bytes and FIN stay queued.
    await listen('0.0.0.0', port, 128, (s) => void kept.push(s));
  } else if (positionals[0] === 'healthy' || positionals[0] === 'hostile') {
    await listen('0.0.0.0', port, 128, (s) => {
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.on('end', () => s.end('ok\n'));
      s.resume();
    });
  } else {
    throw new Error(`unknown role ${positionals[0]}`);
  }
  process.stdout.write(`listening ${port}\n`);
}

/** One TCP connection from `source`; `onConnect` decides what to do; settles on close or after `timeoutMs`. */
function probe(target: string, port: number, source: string, timeoutMs: number, onConnect: (s: Socket) => void): Promise<'connected' | 'failed'> {
  return new Promise((res) => {
    let connected = false;
    const s = connect({ host: target, port, localAddress: source });
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('error', () => undefined);
    s.once('connect', () => {
      connected = true;
      onConnect(s);
    });
    s.once('close', () => {
      clearTimeout(timer);
      res(connected ? 'connected' : 'failed');
    });
  });
}

/** `clients`: the load balancers, run in the peer namespace. */
async function clients(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { target: { type: 'string' }, sources: { type: 'string' } } });
  const target = values.target!;
  const sources = (values.sources ?? '').split(',').filter(Boolean);
  if (!target || sources.length === 0) throw new Error('clients needs --target and --sources');
  const src = (i: number) => sources[i % sources.length]!;
  const started = Date.now();

  // Health checks: connect and close at once. The first wave leaves the queue almost full. The
  // second is sent through a slow token bucket on the peer's link, so all its SYNs are answered
  // (the queue still has room) before its final ACKs arrive (now it has none): those handshakes
  // stay SYN-RECV, as the incident node showed. (netem would be simpler; not every kernel has it.)
  const burst: Promise<string>[] = [];
  for (let i = 0; i < FIRST_WAVE && Date.now() - started < BURST_MAX_MS; i++) {
    burst.push(probe(target, PORTS.trap, src(i), 2500, (s) => s.destroy()));
    if (i % 20 === 19) await sleep(20);
  }
  await Promise.all(burst);
  const shaped = await tc(['qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', '256kbit', 'burst', '1600', 'latency', '5s']);
  for (let i = FIRST_WAVE; i < BURST_CONNECTIONS && Date.now() - started < BURST_MAX_MS; i++) {
    burst.push(probe(target, PORTS.trap, src(i), 2500, (s) => s.destroy()));
  }
  await Promise.all(burst);
  if (shaped) await tc(['qdisc', 'del', 'dev', 'eth0', 'root']);
  // An app that never reads: each client sends a few KB and closes.
  const leak = [...Array(12).keys()].map((i) =>
    probe(target, PORTS.leak, src(i), 3000, (s) => s.end(Buffer.alloc(1024 * (1 + (i % 8)), 'x'), () => setTimeout(() => s.destroy(), 200))),
  );
  // A healthy service: request, response, close.
  const healthy = [...Array(5).keys()].map((i) =>
    probe(target, PORTS.healthy, src(i), 3000, (s) => {
      s.resume();
      s.end('ping\n');
    }),
  );
  const results = await Promise.all([...burst, ...leak, ...healthy]);
  const count = (from: number, to: number) => results.slice(from, to).filter((r) => r === 'connected').length;
  const b = burst.length;
  const summary = JSON.stringify({ phase: 'burst-done', shaped, trapConnected: count(0, b), trapAttempts: b, leakConnected: count(b, b + 12), healthyConnected: count(b + 12, b + 17) });
  process.stdout.write(`${summary}\n`);
  process.stderr.write(`${summary}\n`);

  // Keep knocking like a load balancer, so ListenOverflows has a rate. Bounded.
  for (let wave = 0; wave < TRICKLE_MAX_WAVES; wave++) {
    await sleep(1000);
    void probe(target, PORTS.trap, src(wave), 2500, (s) => s.destroy());
  }
  await sleep(3000);
  process.exit(0);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => void | Promise<void>> = { serve, hold, role, clients };
const fn = commands[command ?? ''];
if (!fn) {
  process.stderr.write('usage: pathologies.ts serve|hold|role|clients ...\n');
  process.exit(2);
}
Promise.resolve(fn(rest)).catch((err: unknown) => {
  process.stderr.write(`pathologies ${command}: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
