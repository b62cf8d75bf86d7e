/**
 * From a node name to a ready transport: the inventory resolver with the Kubernetes lookups wired in.
 * The CLI and the worker both come through here, so a name means the same thing everywhere.
 */
import type { Config } from '../config/index.js';
import { ErrorCode, TcpcheckError } from '../errors.js';
import { createTransport, resolveTarget, targetFromFlags, type SshFlags, type Target } from '../inventory/index.js';
import type { Transport } from './transport.js';

export interface ConnectOptions {
  /** Force a transport (`--transport`), whatever the inventory says. */
  transport?: 'ssh' | 'kube';
}

/** Kubernetes deps, loaded only when a config asks for Kubernetes (the client is heavy). */
async function kubeDeps(config: Config) {
  const { KubeTransport, lookupNodeAddress } = await import('./transports/kube.js');
  return {
    lookupKubeNode: async (name: string) => {
      try {
        return { name, internalIP: await lookupNodeAddress(name, config.kube) };
      } catch (err) {
        if (err instanceof TcpcheckError && err.code === ErrorCode.NodeNotFound) return null;
        throw err;
      }
    },
    createKubeTransport: (target: Extract<Target, { transport: 'kube' }>) => new KubeTransport({ node: target.nodeName, settings: config.kube }),
  };
}

const wantsKube = (config: Config, opts: ConnectOptions) =>
  opts.transport === 'kube' || config.resolvers.kubernetes.enabled || config.nodes.some((n) => n.transport === 'kube');

/** Resolves `name` and builds its transport. Throws coded errors (`node_not_found`, `input_invalid`, …). */
export async function connectNode(name: string, config: Config, opts: ConnectOptions = {}): Promise<{ target: Target; transport: Transport }> {
  const deps = wantsKube(config, opts) ? await kubeDeps(config) : {};
  const target = await resolveTarget(name, config, deps, opts);
  return { target, transport: await createTransport(target, config, deps) };
}

/** The runbook's ad-hoc SSH target (`--host …`). */
export async function connectFlags(flags: SshFlags, config: Config): Promise<{ target: Target; transport: Transport }> {
  const target = targetFromFlags(flags, config);
  return { target, transport: await createTransport(target, config) };
}
