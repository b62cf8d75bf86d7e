/**
 * Whether to read the cluster context: `cluster.enabled` when the config sets it, otherwise on
 * when Kubernetes credentials are present, the same ones the kube transport would load.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import type { ClusterSettings } from '../config/cluster-schema.js';
import { IN_CLUSTER_TOKEN } from '../collect/kube/in-cluster.js';
import type { KubeCredentials } from '../collect/kube/kube-client.js';

/** True when the cluster source should be read; see the module comment. */
export function clusterEnabled(cluster: Pick<ClusterSettings, 'enabled'>, kube: KubeCredentials, env: NodeJS.ProcessEnv = process.env): boolean {
  if (cluster.enabled !== undefined) return cluster.enabled;
  if (kube.kubeconfig) return true;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) return true;
  // $KUBECONFIG is a list of files, as kubectl reads it.
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.some((f) => existsSync(f))) return true;
  return existsSync(`${env.HOME || homedir()}/.kube/config`);
}
