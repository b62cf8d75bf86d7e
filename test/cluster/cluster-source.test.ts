import { describe, expect, it } from 'vitest';
import { openClusterSource } from '../../src/cluster/cluster-source.js';
import { clusterConfigSchema } from '../../src/config/cluster-schema.js';

describe('openClusterSource', () => {
  it('is null when the cluster is switched off', () => {
    expect(openClusterSource(clusterConfigSchema.parse({ enabled: false }), { kubeconfig: '/nonexistent' })).toBeNull();
  });

  it('reads nothing and says why when the kubeconfig cannot be loaded, without throwing', async () => {
    const source = openClusterSource(clusterConfigSchema.parse({ enabled: true }), { kubeconfig: '/nonexistent/kubeconfig' });
    const view = await source!.read();
    expect(view).toEqual({ status: 'unread', resources: ['services', 'endpointslices', 'pods', 'nodes', 'configmaps/kube-system/kube-proxy'], reason: 'kube.kubeconfig: no file at /nonexistent/kubeconfig.' });
  });
});
