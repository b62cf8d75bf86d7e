/**
 * What the Kubernetes API says about the cluster around a node: Services, their ready endpoints,
 * pods, nodes and kube-proxy's configured mode. A second data source beside the node's own
 * collection; the two meet in the Snapshot and rules read both. Pure data, only the fields rules read.
 */

/** One port of a Service. */
export interface ClusterServicePort {
  port: number;
  /** null when the Service allocates none (ClusterIP) or it was not allocated. */
  nodePort: number | null;
  /** `TCP`, `UDP`, `SCTP`. */
  protocol: string;
}

export interface ClusterService {
  namespace: string;
  name: string;
  /** `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`. */
  type: string;
  /** `Cluster` or `Local`; null when the Service has none (not NodePort/LoadBalancer). */
  externalTrafficPolicy: string | null;
  /** Cluster IPs (IPv4 and IPv6 for dual-stack); empty for headless (`None`) Services. */
  clusterIPs: string[];
  ports: ClusterServicePort[];
}

/** One endpoint of an EndpointSlice, tied to its Service by the `kubernetes.io/service-name` label. */
export interface ClusterEndpoint {
  namespace: string;
  service: string;
  addresses: string[];
  /** `conditions.ready`; an absent condition means ready (discovery.k8s.io/v1). */
  ready: boolean;
  /** The node the endpoint runs on; null when the slice does not say. */
  nodeName: string | null;
}

export interface ClusterPod {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string | null;
  /** Pod IPs; a hostNetwork pod shares its node's IP and is left out of peer naming. */
  podIPs: string[];
  hostNetwork: boolean;
}

export interface ClusterNode {
  name: string;
  /** InternalIP, ExternalIP and Hostname addresses. */
  addresses: string[];
}

/** Everything read from the API for one diagnosis. */
export interface ClusterContext {
  services: ClusterService[];
  endpoints: ClusterEndpoint[];
  pods: ClusterPod[];
  nodes: ClusterNode[];
  /**
   * `mode:` of the `kube-system/kube-proxy` ConfigMap's `config.conf` as written (`''` means the
   * default, iptables); null when the ConfigMap or its key is absent (a distribution that
   * configures kube-proxy by flags only).
   */
  proxyMode: string | null;
  /** Resources that could not be read while the others were (e.g. pods forbidden): their lists above are empty. */
  gaps: ClusterGap[];
}

/** One resource the API would not give, and why. */
export interface ClusterGap {
  /** e.g. `pods`, `configmaps/kube-system/kube-proxy`. */
  resource: string;
  reason: string;
}

/** The cluster source: read, or what could not be read and why. */
export type ClusterView =
  | { status: 'read'; context: ClusterContext }
  | {
      status: 'unread';
      /** What was not read, e.g. `services`, `endpointslices`. */
      resources: string[];
      /** Why, in words: unreachable, 401, 403 with the server's message, timeout. */
      reason: string;
    };
