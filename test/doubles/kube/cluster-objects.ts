/**
 * Cluster objects the double serves beside nodes and pods: Services (core/v1), EndpointSlices
 * (discovery.k8s.io/v1) and ConfigMaps (core/v1), built from small specs with the fields the
 * OpenAPI schemas require and clients read.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from './objects.js';

export interface ServiceSpec {
  namespace: string;
  name: string;
  /** @defaultValue 'NodePort' */
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIP: string;
  ports: { port: number; nodePort?: number; protocol?: 'TCP' | 'UDP' }[];
  /** @defaultValue 'Cluster' for NodePort and LoadBalancer */
  externalTrafficPolicy?: 'Cluster' | 'Local';
  selector?: Record<string, string>;
}

export interface EndpointSliceSpec {
  namespace: string;
  /** The Service this slice belongs to (label `kubernetes.io/service-name`). */
  service: string;
  /** @defaultValue `<service>-<random>` */
  name?: string;
  port: number;
  endpoints: { ip: string; ready: boolean; nodeName?: string; pod?: string }[];
}

export interface ConfigMapSpec {
  namespace: string;
  name: string;
  data: Record<string, string>;
}

function meta(namespace: string, name: string, createdAt: string, labels?: Record<string, string>): Json {
  return { name, namespace, uid: randomUUID(), resourceVersion: '1', creationTimestamp: createdAt, ...(labels ? { labels } : {}) };
}

export function serviceObject(s: ServiceSpec, createdAt: string): Json {
  const type = s.type ?? 'NodePort';
  const external = type === 'NodePort' || type === 'LoadBalancer';
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: meta(s.namespace, s.name, createdAt),
    spec: {
      type,
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ...(s.selector ? { selector: s.selector } : {}),
      ...(external ? { externalTrafficPolicy: s.externalTrafficPolicy ?? 'Cluster' } : {}),
      ports: s.ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.port, ...(external && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) })),
    },
    status: { loadBalancer: {} },
  };
}

export function endpointSliceObject(e: EndpointSliceSpec, createdAt: string): Json {
  const name = e.name ?? `${e.service}-${randomUUID().slice(0, 5)}`;
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: meta(e.namespace, name, createdAt, { 'kubernetes.io/service-name': e.service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }),
    addressType: 'IPv4',
    ports: [{ name: '', protocol: 'TCP', port: e.port }],
    endpoints: e.endpoints.map((ep) => ({
      addresses: [ep.ip],
      conditions: { ready: ep.ready, serving: ep.ready, terminating: false },
      ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
      ...(ep.pod ? { targetRef: { kind: 'Pod', namespace: e.namespace, name: ep.pod } } : {}),
    })),
  };
}

export function configMapObject(c: ConfigMapSpec, createdAt: string): Json {
  return { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta(c.namespace, c.name, createdAt), data: c.data };
}

/** `/apis/discovery.k8s.io/v1`: what discovery tells a client about EndpointSlices. */
export const discoveryResourceList: Json = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'discovery.k8s.io/v1',
  resources: [{ name: 'endpointslices', singularName: 'endpointslice', namespaced: true, kind: 'EndpointSlice', verbs: ['get', 'list'] }],
};

export const discoveryGroup: Json = {
  name: 'discovery.k8s.io',
  versions: [{ groupVersion: 'discovery.k8s.io/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'discovery.k8s.io/v1', version: 'v1' },
};
