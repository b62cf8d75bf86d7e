/**
 * Turns the node name a user typed into a target, from (in order) the inventory, a typed address
 * the config allows, the Kubernetes API, and the EC2 naming convention. Anything else is refused
 * with `node_not_found`: tcpcheck never connects somewhere the config did not vouch for.
 */
import { ErrorCode, nodeNotFound, TcpcheckError } from '../errors.js';
import type { Config, NodeEntry } from '../config/index.js';
import { addressAllowed } from './address-policy.js';
import { addressFromAwsName } from './aws-name.js';
import { isAddress, validateNodeName } from './node-name.js';
import type { KubeTarget, SshTarget, Target, TargetSource } from '../domain/target.js';

/** What the Kubernetes API says about a node (provided by the Kubernetes client). */
export interface KubeNodeInfo {
  name: string;
  /** The node's InternalIP address, if it has one. */
  internalIP: string | null;
}

export interface ResolveDeps {
  /** Looks a node up in the Kubernetes API; null when there is no such node. Needed when resolvers.kubernetes is enabled. */
  lookupKubeNode?: (name: string) => Promise<KubeNodeInfo | null>;
}

export interface ResolveOptions {
  /** Force a transport (`--transport`), whatever the inventory says. */
  transport?: 'ssh' | 'kube';
}

/** An SSH target for `host`, with the config's defaults and the inventory entry's overrides. */
export function sshTargetFor(name: string, host: string, config: Config, source: TargetSource, entry?: NodeEntry): SshTarget {
  const ssh = config.ssh;
  const jump = entry?.jump ?? ssh.jump;
  return {
    transport: 'ssh',
    name,
    host,
    port: entry?.port ?? ssh.port,
    user: entry?.user ?? ssh.user,
    identityFile: entry?.identityFile ?? ssh.identityFile,
    passphraseEnv: ssh.passphraseEnv,
    useAgent: ssh.useAgent,
    knownHostsFile: ssh.knownHostsFile,
    hostKeyPolicy: ssh.hostKeyPolicy,
    jump: jump && { host: jump.host, port: jump.port ?? 22, user: jump.user ?? ssh.user },
    sudo: entry?.sudo ?? ssh.sudo,
    source,
  };
}

const kubeTarget = (name: string, source: TargetSource, host?: string): KubeTarget => ({ transport: 'kube', name, nodeName: name, source, ...(host ? { host } : {}) });

/**
 * Resolves a node name. Throws `input_invalid` for a malformed name (before any lookup) and
 * `node_not_found` when nothing vouches for it.
 */
export async function resolveTarget(rawName: string, config: Config, deps: ResolveDeps = {}, opts: ResolveOptions = {}): Promise<Target> {
  const name = validateNodeName(rawName);
  const target = await lookup(name, config, deps);
  if (opts.transport === 'kube' && target.transport === 'ssh') return kubeTarget(name, target.source, target.host);
  if (opts.transport === 'ssh' && target.transport === 'kube') {
    if (!target.host) throw new TcpcheckError(ErrorCode.NodeNotFound, `No address known for "${name}" to SSH to.`, { hint: 'Add host: to its inventory entry, or use --transport kube.' });
    return sshTargetFor(name, target.host, config, target.source);
  }
  return target;
}

async function lookup(name: string, config: Config, deps: ResolveDeps): Promise<Target> {
  const entry = config.nodes.find((n) => n.name === name);
  if (entry) return entry.transport === 'kube' ? kubeTarget(name, 'inventory', entry.host) : sshTargetFor(name, entry.host!, config, 'inventory', entry);

  if (isAddress(name)) {
    if (addressAllowed(name, config.resolvers.allowAddresses)) return sshTargetFor(name, name, config, 'address');
    throw new TcpcheckError(ErrorCode.NodeNotFound, `${name} is an address, and this configuration does not allow connecting to typed addresses.`, {
      hint: 'Use the node name from the inventory, or add its range to resolvers.allowAddresses in the config.',
    });
  }

  const kube = config.resolvers.kubernetes;
  if (kube.enabled) {
    if (!deps.lookupKubeNode) throw new TcpcheckError(ErrorCode.KubeApi, 'resolvers.kubernetes is enabled but no Kubernetes client is configured.', { hint: 'Check the kube: section of the config.' });
    const node = await deps.lookupKubeNode(name);
    if (node) {
      if (kube.transport === 'kube') return kubeTarget(node.name, 'kubernetes', node.internalIP ?? undefined);
      if (!node.internalIP) throw new TcpcheckError(ErrorCode.NodeNotFound, `Kubernetes node "${name}" has no InternalIP to SSH to.`, { hint: 'Use resolvers.kubernetes.transport: kube for this cluster.' });
      return sshTargetFor(name, node.internalIP, config, 'kubernetes');
    }
  }

  const aws = config.resolvers.awsNames;
  const awsAddress = aws.enabled ? addressFromAwsName(name) : null;
  if (awsAddress) {
    if (addressAllowed(awsAddress, aws.cidrs)) return sshTargetFor(name, awsAddress, config, 'aws-name');
    throw new TcpcheckError(ErrorCode.NodeNotFound, `"${name}" stands for ${awsAddress}, which is outside resolvers.awsNames.cidrs.`, {
      hint: 'Add the VPC range to resolvers.awsNames.cidrs, or the node to the inventory.',
    });
  }
  throw nodeNotFound(name);
}
