/** Where a diagnosis goes: the result of resolving a node name (or the CLI's ssh-like flags). */

/** Where to connect over SSH and as whom. */
export interface SshEndpoint {
  host: string;
  /** @defaultValue 22 */
  port?: number;
  user: string;
}

/** How the name was resolved, for messages and audit logs. */
export type TargetSource = 'inventory' | 'address' | 'aws-name' | 'kubernetes' | 'flags';

export interface SshTarget {
  transport: 'ssh';
  /** The node as the user named it (lower-cased). */
  name: string;
  host: string;
  port: number;
  user: string;
  identityFile?: string;
  passphraseEnv?: string;
  useAgent: boolean;
  knownHostsFile: string;
  hostKeyPolicy: 'strict' | 'accept-new';
  jump?: SshEndpoint;
  sudo: boolean;
  source: TargetSource;
}

export interface KubeTarget {
  transport: 'kube';
  name: string;
  /** The Kubernetes node name to find the agent pod on / schedule the debug pod to. */
  nodeName: string;
  /** InternalIP when the lookup gave one (for messages). */
  host?: string;
  source: TargetSource;
}

export type Target = SshTarget | KubeTarget;
