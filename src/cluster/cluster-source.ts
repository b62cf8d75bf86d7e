/**
 * The cluster source a diagnosis reads beside the node: built once per opened node when
 * `cluster.enabled` (or Kubernetes credentials are present), with the `kube:` credentials.
 * Reading never throws: a kubeconfig that cannot be loaded is reported like an unreachable API.
 */
import type { ClusterSettings } from '../config/cluster-schema.js';
import type { KubeCredentials } from '../collect/kube/kube-client.js';
import type { ClusterView } from '../domain/cluster.js';
import { clusterEnabled } from './cluster-enabled.js';

export interface ClusterSource {
  /** Reads the cluster context within the configured time cap. */
  read(signal?: AbortSignal): Promise<ClusterView>;
}

const RESOURCES = ['services', 'endpointslices', 'pods', 'nodes', 'configmaps/kube-system/kube-proxy'];

/** The source for this config, or null when the cluster is not to be read. */
export function openClusterSource(cluster: ClusterSettings, kube: KubeCredentials, env: NodeJS.ProcessEnv = process.env): ClusterSource | null {
  if (!clusterEnabled(cluster, kube, env)) return null;
  return {
    read: async (signal) => {
      try {
        // The Kubernetes client is heavy: loaded only when a cluster is actually read.
        const [{ loadKubeConfig }, { readCluster }] = await Promise.all([import('../collect/kube/kube-client.js'), import('./read-cluster.js')]);
        return await readCluster(loadKubeConfig(kube, env), { timeoutMs: cluster.timeoutMs, pageSize: cluster.pageSize, signal });
      } catch (err) {
        // A kubeconfig that cannot be loaded (or anything else) costs the cluster context, never the node's report.
        return { status: 'unread', resources: RESOURCES, reason: (err as Error).message };
      }
    },
  };
}
