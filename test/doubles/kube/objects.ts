/**
 * Kubernetes objects as the API server double stores and serves them: Nodes, Pods, Status
 * errors, discovery documents and the server-side Table format `kubectl get` asks for.
 * Shapes follow the core/v1 and meta/v1 OpenAPI schemas; only fields clients read are filled.
 */

export interface DoubleNode {
  name: string;
  /** Network namespace (`ip netns`) whose kernel stands in for this node. */
  netns: string;
  /** Reported as the node's InternalIP. */
  internalIP: string;
  /** Labels beside the standard hostname and os ones (what `nodes list ?labelSelector=` matches). */
  labels?: Record<string, string>;
}

export type Json = Record<string, unknown>;

/** A `metav1.Status` failure, the body of every non-2xx answer. */
export function statusFailure(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** A Node object with the fields `kubectl get nodes` and the inventory read. */
export function nodeObject(node: DoubleNode, createdAt: string, uid: string): Json {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name: node.name, uid, resourceVersion: '1', creationTimestamp: createdAt, labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', ...node.labels } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: node.internalIP },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: createdAt, lastTransitionTime: createdAt }],
      nodeInfo: { kubeletVersion: 'v1.29.4', kernelVersion: 'netns', osImage: 'tcpcheck lab', containerRuntimeVersion: 'containerd://1.7.0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

/** Column definitions of the server-side `Table` for nodes (what kube-apiserver prints). */
const nodeColumns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0 },
  { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
  { name: 'Version', type: 'string', format: '', description: 'Kubelet Version reported by the node.', priority: 0 },
];

const podColumns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
  { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
  { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted.', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
  { name: 'Node', type: 'string', format: '', description: 'Name of the node the pod runs on.', priority: 1 },
];

/** `10s`, `5m`, `3h`, `2d`: the short age kube-apiserver renders in tables. */
export function shortAge(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function partialMeta(obj: Json): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** The server's default columns for a kind without its own printer: name and age. */
const defaultColumns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
];

/** Converts a list to a `meta.k8s.io/v1 Table`, as the server does for `Accept: ...;as=Table`. */
export function toTable(kind: string, items: Json[], nowMs: number, apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1'): Json {
  const columns = kind === 'Node' ? nodeColumns : kind === 'Pod' ? podColumns : defaultColumns;
  const rows = items.map((item) => {
    const meta = item.metadata as { name: string; creationTimestamp: string };
    const age = shortAge(meta.creationTimestamp, nowMs);
    if (kind !== 'Node' && kind !== 'Pod') return { cells: [meta.name, age], object: partialMeta(item) };
    if (kind === 'Node') {
      const info = (item.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo;
      return { cells: [meta.name, 'Ready', '<none>', age, info.kubeletVersion], object: partialMeta(item) };
    }
    const phase = (item.status as { phase: string }).phase;
    const ready = phase === 'Running' ? '1/1' : '0/1';
    return { cells: [meta.name, ready, phase, '0', age, (item.spec as { nodeName?: string }).nodeName ?? '<none>'], object: partialMeta(item) };
  });
  return { kind: 'Table', apiVersion, metadata: { resourceVersion: '1' }, columnDefinitions: columns, rows };
}

/** `/api/v1` resource list: what discovery tells kubectl about the core group. */
export const coreResourceList: Json = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'], shortNames: ['ns'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'], shortNames: ['no'] },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'get', 'list'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list'], shortNames: ['svc'], categories: ['all'] },
    { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'], shortNames: ['cm'] },
  ],
};

export const apiVersions: Json = {
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
};

/** Named groups: the server adds discovery.k8s.io (EndpointSlices) to this. */
export const apiGroupList: Json = { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };

export const versionInfo: Json = {
  major: '1',
  minor: '29',
  gitVersion: 'v1.29.4',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-04-16T00:00:00Z',
  goVersion: 'go1.21.9',
  compiler: 'gc',
  platform: 'linux/amd64',
};
