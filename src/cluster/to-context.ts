/**
 * Kubernetes API objects → the cluster types rules read ({@link ClusterContext}). Keeps only the
 * fields rules use, so a 10,000-pod list costs little once read.
 */
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ClusterEndpoint, ClusterNode, ClusterPod, ClusterService } from '../domain/cluster.js';

/** Label that ties an EndpointSlice to its Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function toService(s: V1Service): ClusterService {
  const spec = s.spec ?? {};
  const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  return {
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    type: spec.type ?? 'ClusterIP',
    externalTrafficPolicy: spec.externalTrafficPolicy ?? null,
    clusterIPs: ips.filter((ip) => ip !== 'None' && ip !== ''),
    ports: (spec.ports ?? []).map((p) => ({ port: p.port, nodePort: p.nodePort ?? null, protocol: p.protocol ?? 'TCP' })),
  };
}

/** One entry per endpoint; slices not owned by a Service (no service-name label) are skipped. */
export function toEndpoints(slice: V1EndpointSlice): ClusterEndpoint[] {
  const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (!service) return [];
  const namespace = slice.metadata?.namespace ?? '';
  return (slice.endpoints ?? []).map((e) => ({
    namespace,
    service,
    addresses: e.addresses ?? [],
    // "ready" unset means ready: consumers should interpret an unknown state as ready (EndpointConditions docs).
    ready: e.conditions?.ready !== false,
    nodeName: e.nodeName ?? null,
  }));
}

export function toPod(p: V1Pod): ClusterPod {
  const ips = (p.status?.podIPs ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && p.status?.podIP) ips.push(p.status.podIP);
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    uid: p.metadata?.uid ?? '',
    nodeName: p.spec?.nodeName ?? null,
    podIPs: ips,
    hostNetwork: p.spec?.hostNetwork === true,
  };
}

export function toNode(n: V1Node): ClusterNode {
  return { name: n.metadata?.name ?? '', addresses: (n.status?.addresses ?? []).map((a) => a.address) };
}
