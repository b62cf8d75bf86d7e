/** Builds the transport for a resolved target: SSH here, Kubernetes from the kube client. */
import { ErrorCode, TcpcheckError } from '../errors.js';
import type { Config } from '../config/index.js';
import type { Transport } from '../collect/transport.js';
import { SshTransport } from '../collect/transports/ssh.js';
import type { KubeTarget, Target } from './target.js';

export interface TransportDeps {
  /** Makes the Kubernetes transport (src/collect/transports/kube.ts) for a kube target. */
  createKubeTransport?: (target: KubeTarget, config: Config) => Transport | Promise<Transport>;
}

/** The transport that carries the plan to `target`, with the config's limits. */
export async function createTransport(target: Target, config: Config, deps: TransportDeps = {}): Promise<Transport> {
  if (target.transport === 'kube') {
    if (!deps.createKubeTransport) {
      throw new TcpcheckError(ErrorCode.KubeApi, `"${target.name}" is reached through Kubernetes, and the Kubernetes transport is not available here.`, {
        hint: 'Use --transport ssh with an SSH-reachable node, or run a build with the Kubernetes transport.',
      });
    }
    return deps.createKubeTransport(target, config);
  }
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
