/**
 * Reads the cluster context from the Kubernetes API, read-only: Services, EndpointSlices, pods and
 * nodes (paged with `limit`/`continue`) and the `kube-system/kube-proxy` ConfigMap. Never throws:
 * whatever cannot be read (unreachable, 401/403, timeout) comes back as data, so the node's own
 * report is never lost to the cluster source.
 */
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1ListMeta } from '@kubernetes/client-node';
import type { ClusterContext, ClusterGap, ClusterView } from '../domain/cluster.js';
import { parseKubeProxyMode } from '../parse/kube-proxy-config.js';
import { httpStatusOf, kubeApiError, withSignal } from '../collect/kube/kube-client.js';
import { toEndpoints, toNode, toPod, toService } from './to-context.js';

export interface ReadClusterOptions {
  /** Cap on all the reads together. @defaultValue 10000 */
  timeoutMs?: number;
  /** Objects per list request. @defaultValue 500 */
  pageSize?: number;
  signal?: AbortSignal;
}

/** A list page as the generated client returns it. */
interface Page<T> {
  items: T[];
  metadata?: V1ListMeta;
}

/** Pages a list the server may cut short: at most this many pages, so a server that loops cannot hold a diagnosis. */
const MAX_PAGES = 1000;

/** Reads every page of a list, following `metadata.continue`. */
export async function listAll<T>(fetchPage: (cont: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetchPage(cont);
    items.push(...res.items);
    const next = res.metadata?._continue;
    if (!next) return items;
    if (next === cont) throw new Error('the API server repeated a continue token');
    cont = next;
  }
  throw new Error(`list did not end after ${MAX_PAGES} pages`);
}

/** What a failed read says, without the hint: `forbidden: …`, `unreachable: …`, `timed out after 10000 ms`. */
function describeFailure(kc: KubeConfig, doing: string, err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  return kubeApiError(kc, doing, err).message;
}

/** Reads the cluster context; see the module comment. */
export async function readCluster(kc: KubeConfig, opts: ReadClusterOptions = {}): Promise<ClusterView> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const limit = opts.pageSize ?? 500;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const call = withSignal(signal);
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);

  const reads = {
    services: listAll((c) => core.listServiceForAllNamespaces({ limit, _continue: c }, call)).then((l) => l.map(toService)),
    endpointslices: listAll((c) => discovery.listEndpointSliceForAllNamespaces({ limit, _continue: c }, call)).then((l) => l.flatMap(toEndpoints)),
    pods: listAll((c) => core.listPodForAllNamespaces({ limit, _continue: c }, call)).then((l) => l.map(toPod)),
    nodes: listAll((c) => core.listNode({ limit, _continue: c }, call)).then((l) => l.map(toNode)),
    'configmaps/kube-system/kube-proxy': core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy' }, call).then(
      (cm) => {
        const conf = cm.data?.['config.conf'];
        return conf === undefined ? null : parseKubeProxyMode(conf);
      },
      // No such ConfigMap: kube-proxy is configured by flags (or replaced); not a failure.
      (err: unknown) => {
        if (httpStatusOf(err) === 404) return null;
        throw err;
      },
    ),
  };
  const names = Object.keys(reads) as (keyof typeof reads)[];
  const settled = await Promise.allSettled(names.map((n) => reads[n]));
  const gaps: ClusterGap[] = [];
  settled.forEach((r, i) => {
    const resource = names[i]!;
    if (r.status === 'rejected') gaps.push({ resource, reason: describeFailure(kc, `reading ${resource}`, r.reason, timeout.aborted, timeoutMs) });
  });
  const value = <K extends keyof typeof reads>(k: K): Awaited<(typeof reads)[K]> | undefined => {
    const r = settled[names.indexOf(k)]!;
    return r.status === 'fulfilled' ? (r.value as Awaited<(typeof reads)[K]>) : undefined;
  };
  const services = value('services');
  const endpoints = value('endpointslices');
  // Without both Services and their endpoints no NodePort verdict can be given: the cluster was not read.
  if (services === undefined || endpoints === undefined) {
    const first = gaps.find((g) => g.resource === 'services' || g.resource === 'endpointslices')!;
    return { status: 'unread', resources: gaps.map((g) => g.resource), reason: first.reason };
  }
  const context: ClusterContext = {
    services,
    endpoints,
    pods: value('pods') ?? [],
    nodes: value('nodes') ?? [],
    proxyMode: value('configmaps/kube-system/kube-proxy') ?? null,
    gaps,
  };
  return { status: 'read', context };
}
