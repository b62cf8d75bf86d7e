/**
 * The one factory from a node name to a ready transport: inventory name → target → transport,
 * with the config's limits attached. The CLI (`check`, `sweep`), the Slack bot (validating a name
 * at ack time), the worker and the sweep scheduler all come through here, so a name means the
 * same thing everywhere and every caller runs with the same limits.
 */
import { openClusterSource, type ClusterSource } from '../cluster/cluster-source.js';
import type { Config } from '../config/index.js';
import { ErrorCode, TcpcheckError } from '../errors.js';
import type { Transport } from '../collect/transport.js';
import { LocalTransport } from '../collect/transports/local.js';
import type { KubeTarget, Target } from '../domain/target.js';
import { resolveTarget, targetFromFlags, type ResolveDeps, type SshFlags } from '../inventory/index.js';

/** What every run against a node is bounded by (config `limits:`). */
export interface RunLimits {
  /** Seconds between the two samples when the caller gives none. */
  intervalSec: number;
  /** How long the script may overrun its expected duration (interval + 10 s). */
  commandTimeoutMs: number;
  /** Stop reading the node's output past this many bytes (error `output_too_large`). */
  maxOutputBytes: number;
}

/** A node ready to diagnose: what its name resolved to, how to reach it, and the limits of a run. */
export interface OpenedNode {
  /** The name reports and messages use. */
  name: string;
  /** The resolved target; null for this machine. */
  target: Target | null;
  transport: Transport;
  limits: RunLimits;
  /** The Kubernetes API read beside the node (config `cluster:`); null when it is not read. */
  cluster: ClusterSource | null;
}

export interface OpenOptions {
  /** Force a transport (`--transport`), whatever the inventory says. */
  transport?: 'ssh' | 'kube';
}

/** The cluster source for this config (config `cluster:`, credentials of `kube:`). */
function clusterOf(config: Config): ClusterSource | null {
  return openClusterSource(config.cluster, config.kube);
}

/** The `limits:` section as run limits. */
export function runLimits(config: Config): RunLimits {
  const { intervalSec, commandTimeoutMs, maxOutputBytes } = config.limits;
  return { intervalSec, commandTimeoutMs, maxOutputBytes };
}

/** Kubernetes lookups and transport, loaded only when a config asks for Kubernetes (the client is heavy). */
async function kubeDeps(config: Config): Promise<ResolveDeps & { createKubeTransport: (t: KubeTarget) => Transport }> {
  const { KubeTransport, lookupNodeAddress } = await import('../collect/transports/kube.js');
  return {
    lookupKubeNode: async (name: string) => {
      try {
        return { name, internalIP: await lookupNodeAddress(name, config.kube) };
      } catch (err) {
        if (err instanceof TcpcheckError && err.code === ErrorCode.NodeNotFound) return null;
        throw err;
      }
    },
    createKubeTransport: (target) => new KubeTransport({ node: target.nodeName, settings: config.kube }),
  };
}

const wantsKube = (config: Config, opts: OpenOptions) =>
  opts.transport === 'kube' || config.resolvers.kubernetes.enabled || config.nodes.some((n) => n.transport === 'kube');

/** The transport that carries the plan to `target`. */
async function transportFor(target: Target, config: Config): Promise<Transport> {
  if (target.transport === 'kube') return (await kubeDeps(config)).createKubeTransport(target);
  // ssh2 loads only for SSH targets, so a local check starts fast.
  const { SshTransport } = await import('../collect/transports/ssh.js');
  return new SshTransport({
    host: target.host,
    port: target.port,
    user: target.user,
    identityFile: target.identityFile,
    passphraseEnv: target.passphraseEnv,
    agent: target.useAgent ? undefined : false,
    knownHostsFile: target.knownHostsFile,
    hostKeyPolicy: target.hostKeyPolicy,
    jump: target.jump,
    sudo: target.sudo,
    connectTimeoutMs: config.limits.connectTimeoutMs,
    commandTimeoutMs: config.limits.commandTimeoutMs,
  });
}

/**
 * Loads the Kubernetes client now when the config will need it: a long-running bot must not pay
 * for that import inside its first command's ack deadline.
 */
export async function preloadTransports(config: Config): Promise<void> {
  if (wantsKube(config, {})) await kubeDeps(config);
}

/** Resolves `name` without connecting: what the bot checks before it acks. Throws coded errors (`node_not_found`, `input_invalid`, …). */
export async function resolveNode(name: string, config: Config, opts: OpenOptions = {}): Promise<Target> {
  const deps = wantsKube(config, opts) ? await kubeDeps(config) : {};
  return resolveTarget(name, config, deps, opts);
}

/** Resolves `name` and builds its transport. Throws coded errors (`node_not_found`, `input_invalid`, …). */
export async function openNode(name: string, config: Config, opts: OpenOptions = {}): Promise<OpenedNode> {
  const target = await resolveNode(name, config, opts);
  return { name: target.name, target, transport: await transportFor(target, config), limits: runLimits(config), cluster: clusterOf(config) };
}

/** The runbook's ad-hoc SSH target (`--host …`); `name` overrides the host as the report's node name. */
export async function openFlags(flags: SshFlags, config: Config, name?: string): Promise<OpenedNode> {
  const target = targetFromFlags(flags, config);
  return { name: name ?? target.name, target, transport: await transportFor(target, config), limits: runLimits(config), cluster: clusterOf(config) };
}

/** This machine. */
export function openLocal(config: Config): OpenedNode {
  return { name: 'localhost', target: null, transport: new LocalTransport(), limits: runLimits(config), cluster: clusterOf(config) };
}
