/**
 * Runs the plan on a node over SSH (ssh2): ONE connection per run (plus one to the jump host when
 * there is one), the script on stdin of `sh -s -- <interval>` (`sudo -n sh -s -- <interval>` for a
 * non-root user), and the host key checked against known_hosts like `StrictHostKeyChecking=yes`.
 *
 * Every way this can fail is its own coded error (src/errors.ts), because the on-call engineer's
 * next step differs for each: node down, nothing listening, host key, auth, timeout, connection
 * lost, output cap, cancelled.
 */
import { appendFile, readFile } from 'node:fs/promises';
// ssh2 is CommonJS whose named exports Node's ESM loader cannot see: take them from the default export.
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import {
  authFailed, cancelled, commandTimeout, configInvalid, connectionLost, connectionRefused, connectTimeout,
  ErrorCode, hostKeyChanged, hostKeyUnknown, inputInvalid, nodeUnreachable, outputTooLarge, TcpcheckError,
} from '../../errors.js';
import { checkHostKey, fingerprintOf, formatKnownHostsLine, knownKeyTypes, parseKnownHosts, type KnownHostEntry } from '../known-hosts.js';
import { SECTION_MARK } from '../../domain/sections.js';
import { PLAN_ARG, type Plan } from '../plan.js';
import type { RunOptions, RunResult, Transport } from '../transport.js';
import { decodeOutput } from '../decode.js';

const { Client: SshClient, utils } = ssh2;

import type { SshEndpoint } from '../../domain/target.js';

export type { SshEndpoint };

export interface SshTransportOptions extends SshEndpoint {
  /** Private key file (OpenSSH or PEM). Unset: the ssh-agent only. */
  identityFile?: string;
  /** Name of the environment variable that holds the identity file's passphrase. */
  passphraseEnv?: string;
  /** ssh-agent socket. @defaultValue process.env.SSH_AUTH_SOCK; `false` disables the agent */
  agent?: string | false;
  /** known_hosts file that every host key (node and jump host) must be in. */
  knownHostsFile: string;
  /**
   * `strict`: unknown and changed keys are refused. `accept-new`: an unknown key is added
   * (hashed) and trusted, as ssh's `StrictHostKeyChecking=accept-new`; a changed key is still
   * refused. @defaultValue 'strict'
   */
  hostKeyPolicy?: 'strict' | 'accept-new';
  /** Bastion to reach the node through (ProxyJump), same key and known_hosts. */
  jump?: SshEndpoint;
  /** Run the plan with `sudo -n` (for a non-root user). @defaultValue false */
  sudo?: boolean;
  /** TCP connect + SSH handshake + auth, per hop. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /**
   * How long the command may run beyond the plan's own expected duration (`Plan.expectedSec`,
   * which includes the sampling interval). @defaultValue no limit beyond RunOptions.timeoutMs
   */
  commandTimeoutMs?: number;
  /** Environment to read the passphrase and SSH_AUTH_SOCK from. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

const HOST_KEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** What sudo prints when it will not run without a password (or is not there at all). */
const SUDO_REFUSED = /sudo: (a password is required|a terminal is required|.*not in the sudoers|.*not allowed to execute|not found|command not found)|sudo: not found/i;

const describeEndpoint = (e: SshEndpoint) => `${e.user}@${e.host}:${e.port ?? 22}`;

/** Maps an ssh2/socket error during connect to the coded error that says what to do. */
function connectError(err: Error & { level?: string; code?: string }, e: SshEndpoint, connectTimeoutMs: number): TcpcheckError {
  const target = describeEndpoint(e);
  if (err.level === 'client-authentication') return authFailed(target, e.user, err);
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') return connectTimeout(target, connectTimeoutMs);
  if (err.code === 'ECONNREFUSED') return connectionRefused(target, err);
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? '') || err.level === 'client-dns') return nodeUnreachable(target, err);
  return connectionLost(target, err);
}

export class SshTransport implements Transport {
  readonly kind = 'ssh';
  readonly target: string;
  private readonly opts: SshTransportOptions;

  constructor(opts: SshTransportOptions) {
    this.opts = opts;
    this.target = describeEndpoint(opts);
  }

  async run(plan: Plan, runOpts: RunOptions): Promise<RunResult> {
    if (runOpts.signal?.aborted) throw cancelled(this.target);
    // The arguments become part of the remote command string: only name=hex words may.
    if (!plan.args.every((a) => PLAN_ARG.test(a))) throw inputInvalid('The collection plan takes only name=hex arguments.');
    const [known, auth] = await Promise.all([this.loadKnownHosts(), this.loadAuth()]);
    const session = new Session(this.opts, known, auth, runOpts);
    try {
      return await session.run(plan);
    } finally {
      session.close();
    }
  }

  private async loadKnownHosts(): Promise<KnownHostEntry[]> {
    try {
      return parseKnownHosts(await readFile(this.opts.knownHostsFile, 'utf8')).entries;
    } catch (err) {
      // A missing file means every key is unknown: refused (strict) or added (accept-new).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw configInvalid(`Cannot read known_hosts file ${this.opts.knownHostsFile}: ${(err as Error).message}`);
    }
  }

  private async loadAuth(): Promise<Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'>> {
    const env = this.opts.env ?? process.env;
    const agent = this.opts.agent === false ? undefined : (this.opts.agent ?? env.SSH_AUTH_SOCK);
    if (!this.opts.identityFile) {
      if (!agent) throw configInvalid('No SSH identity: set ssh.identityFile in the config (or --identity), or run an ssh-agent (SSH_AUTH_SOCK).');
      return { agent };
    }
    let key: Buffer;
    try {
      key = await readFile(this.opts.identityFile);
    } catch (err) {
      throw configInvalid(`Cannot read identity file ${this.opts.identityFile}: ${(err as Error).message}`);
    }
    const passphrase = this.opts.passphraseEnv ? env[this.opts.passphraseEnv] : undefined;
    // Parse here, so a wrong or missing passphrase is an auth error that names the file, not a crash in connect().
    const parsed = utils.parseKey(key, passphrase);
    if (parsed instanceof Error) {
      const why = /passphrase|decrypt|bad decrypt/i.test(parsed.message)
        ? `is encrypted and the passphrase ${this.opts.passphraseEnv ? `in $${this.opts.passphraseEnv} is missing or wrong` : 'is not configured (ssh.passphraseEnv)'}`
        : `is not a usable private key (${parsed.message})`;
      throw new TcpcheckError(ErrorCode.AuthFailed, `The identity file ${this.opts.identityFile} ${why}.`, {
        hint: 'Point ssh.identityFile at an OpenSSH private key; put its passphrase in the environment variable named by ssh.passphraseEnv.',
      });
    }
    return { privateKey: key, passphrase, agent };
  }
}

/** One run: its connections, timers and the first failure, which wins. */
class Session {
  private readonly clients: Client[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private phase: 'connect' | 'command' = 'connect';
  private failure: ((err: TcpcheckError) => void) | null = null;
  private readonly failed: Promise<never>;
  private readonly onAbort: () => void;

  constructor(
    private readonly opts: SshTransportOptions,
    private readonly known: KnownHostEntry[],
    private readonly auth: Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'>,
    private readonly runOpts: RunOptions,
  ) {
    const target = describeEndpoint(opts);
    this.failed = new Promise<never>((_, reject) => (this.failure = reject));
    this.failed.catch(() => undefined);
    this.onAbort = () => this.fail(cancelled(target));
    runOpts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timers.push(setTimeout(() => this.fail(this.phase === 'connect' ? connectTimeout(target, runOpts.timeoutMs) : commandTimeout(target, runOpts.timeoutMs)), runOpts.timeoutMs));
  }

  /** Records the first failure and drops the connections, which unblocks whatever is waiting. */
  private fail(err: TcpcheckError): void {
    this.failure?.(err);
    this.failure = null;
    for (const c of this.clients) c.destroy();
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.runOpts.signal?.removeEventListener('abort', this.onAbort);
    for (const c of this.clients) c.end();
  }

  async run(plan: Plan): Promise<RunResult> {
    const work = (async () => {
      let sock: Duplex | undefined;
      if (this.opts.jump) {
        const jump = await this.connect(this.opts.jump);
        sock = await this.forward(jump);
      }
      const client = await this.connect(this.opts, sock);
      this.phase = 'command';
      if (this.opts.commandTimeoutMs !== undefined) {
        const ms = plan.expectedSec * 1000 + this.opts.commandTimeoutMs;
        this.timers.push(setTimeout(() => this.fail(commandTimeout(describeEndpoint(this.opts), ms)), ms));
      }
      const args = plan.args.join(' ');
      if (!this.opts.sudo) return this.exec(client, `sh -s -- ${args}`, plan.script);
      const first = await this.exec(client, `sudo -n sh -s -- ${args}`, plan.script);
      const refusal = first.stdout.includes(SECTION_MARK) ? null : SUDO_REFUSED.exec(first.stderr);
      if (!refusal) return first;
      // Still worth a look without root: the queues and counters are readable by anyone; only the owners are not.
      const second = await this.exec(client, `sh -s -- ${args}`, plan.script);
      const note = `tcpcheck: sudo -n was refused on ${this.opts.host} (${refusal[0]}); collected as "${this.opts.user}" without root: no process names for sockets of other users.\n`;
      return { ...second, stderr: note + second.stderr };
    })();
    // When a failure (timeout, cancel, lost connection) wins the race, `work` rejects later with
    // nobody waiting: mark it handled so it cannot surface as an unhandled rejection.
    work.catch(() => undefined);
    return Promise.race([work, this.failed]);
  }

  private connect(e: SshEndpoint, sock?: Duplex): Promise<Client> {
    const port = e.port ?? 22;
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const client = new SshClient();
    this.clients.push(client);
    const types = knownKeyTypes(this.known, e.host, port).flatMap((t) => HOST_KEY_ALGOS[t] ?? []);
    let hostKeyError: TcpcheckError | null = null;
    return new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client));
      client.on('error', (err: Error & { level?: string; code?: string }) => reject(hostKeyError ?? connectError(err, e, connectTimeoutMs)));
      client.once('close', () => reject(hostKeyError ?? connectionLost(describeEndpoint(e))));
      client.connect({
        host: e.host,
        port,
        username: e.user,
        sock: sock as ConnectConfig['sock'],
        readyTimeout: connectTimeoutMs,
        ...this.auth,
        // Ask for a key type known_hosts has for this host, so a second key type is not mistaken for a change.
        algorithms: types.length > 0 ? { serverHostKey: types as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } : undefined,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          const verdict = checkHostKey(this.known, e.host, port, key);
          const where = `${e.host}:${port}`;
          if (verdict.status === 'match') return verify(true);
          if (verdict.status === 'unknown' && this.opts.hostKeyPolicy === 'accept-new') {
            appendFile(this.opts.knownHostsFile, `${formatKnownHostsLine(e.host, port, key)}\n`, { mode: 0o600 }).then(
              () => verify(true),
              (err: Error) => {
                hostKeyError = configInvalid(`Cannot add the host key of ${where} to ${this.opts.knownHostsFile}: ${err.message}`);
                verify(false);
              },
            );
            return;
          }
          hostKeyError = verdict.status === 'unknown'
            ? hostKeyUnknown(where, fingerprintOf(key), this.opts.knownHostsFile)
            : hostKeyChanged(where, fingerprintOf(key), this.opts.knownHostsFile);
          verify(false);
        },
      } as ConnectConfig);
    });
  }

  /** Opens a direct-tcpip channel from the jump host to the node (ssh -J). */
  private forward(jump: Client): Promise<Duplex> {
    const port = this.opts.port ?? 22;
    const target = describeEndpoint(this.opts);
    return new Promise((resolve, reject) => {
      jump.forwardOut('127.0.0.1', 0, this.opts.host, port, (err, stream) => {
        if (!err) return resolve(stream);
        // The bastion reports only "Connection refused" or a generic open failure; map the first.
        reject(/refused/i.test(err.message) ? connectionRefused(target, err) : nodeUnreachable(`${target} (via ${describeEndpoint(this.opts.jump!)})`, err));
      });
    });
  }

  /** Runs one command with the script on stdin; rejects when the connection dies before the exit status. */
  private exec(client: Client, command: string, stdin: string): Promise<RunResult> {
    const target = describeEndpoint(this.opts);
    return new Promise((resolve, reject) => {
      client.once('close', () => reject(connectionLost(target)));
      client.exec(command, (err, channel: ClientChannel) => {
        if (err) return reject(connectionLost(target, err));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let size = 0;
        let exit: { code: number | null } | null = null;
        const take = (into: Buffer[]) => (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.runOpts.maxOutputBytes) return this.fail(outputTooLarge(target, this.runOpts.maxOutputBytes));
          into.push(chunk);
        };
        channel.on('data', take(out));
        channel.stderr.on('data', take(errOut));
        channel.on('exit', (code: number | null) => (exit = { code: typeof code === 'number' ? code : null }));
        channel.on('close', () => {
          // No exit status: sshd or the shell died under us (killed, OOM, reboot).
          if (!exit) return reject(connectionLost(target));
          resolve({ stdout: decodeOutput(Buffer.concat(out)), stderr: Buffer.concat(errOut).toString('utf8'), exitCode: exit.code });
        });
        channel.end(stdin);
      });
    });
  }
}
