/**
 * A small cluster for the double, shaped like the incident: a NodePort Service whose pods are
 * gone (0 endpoints), one with ready endpoints, one with `externalTrafficPolicy: Local` whose
 * only endpoint is on another node, and pods whose IPs show up as peers.
 */
import type { KubeDoubleOptions } from './server.js';

export interface ShopClusterPorts {
  /** NodePort of `shop/neo-web`, which has no endpoints. */
  empty: number;
  /** NodePort of `shop/neo-api`, which has a ready endpoint. */
  ready: number;
  /** NodePort of `shop/neo-admin` (Local policy, its endpoint elsewhere). */
  local: number;
}

/** Double options for the shop cluster on two nodes; `node` is the node under diagnosis. */
export function shopCluster(node: { name: string; netns: string; internalIP: string }, ports: ShopClusterPorts, proxyMode = 'iptables'): KubeDoubleOptions {
  return {
    nodes: [node, { name: 'tck-other', netns: 'unused', internalIP: '198.18.200.99' }],
    pods: [
      { name: 'neo-api-5c6d-k2p9q', namespace: 'shop', node: node.name, labels: { app: 'neo-api' }, hostNetwork: false, podIP: '198.18.210.5', uid: '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f' },
      { name: 'neo-admin-6f7a-x8y9z', namespace: 'shop', node: 'tck-other', labels: { app: 'neo-admin' }, hostNetwork: false, podIP: '198.18.210.6' },
    ],
    services: [
      { namespace: 'shop', name: 'neo-web', clusterIP: '198.18.220.10', ports: [{ port: 80, nodePort: ports.empty }], selector: { app: 'neo-web' } },
      { namespace: 'shop', name: 'neo-api', clusterIP: '198.18.220.11', ports: [{ port: 80, nodePort: ports.ready }], selector: { app: 'neo-api' } },
      { namespace: 'shop', name: 'neo-admin', clusterIP: '198.18.220.12', ports: [{ port: 80, nodePort: ports.local }], selector: { app: 'neo-admin' }, externalTrafficPolicy: 'Local' },
    ],
    endpointSlices: [
      { namespace: 'shop', service: 'neo-web', name: 'neo-web-a1', port: 80, endpoints: [] },
      { namespace: 'shop', service: 'neo-api', name: 'neo-api-a1', port: 80, endpoints: [{ ip: '198.18.210.5', ready: true, nodeName: node.name, pod: 'neo-api-5c6d-k2p9q' }] },
      { namespace: 'shop', service: 'neo-admin', name: 'neo-admin-a1', port: 80, endpoints: [{ ip: '198.18.210.6', ready: true, nodeName: 'tck-other', pod: 'neo-admin-6f7a-x8y9z' }] },
    ],
    configMaps: [{ namespace: 'kube-system', name: 'kube-proxy', data: { 'config.conf': `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: "${proxyMode}"\n` } }],
  };
}
