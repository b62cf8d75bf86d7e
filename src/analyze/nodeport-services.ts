/**
 * NodePort → Service verdicts from the cluster context: for each port kube-proxy holds and traffic
 * lands on, which Service owns it and why the connection reached kube-proxy's socket instead of
 * being DNATed to a pod. Shared by the rules that report each verdict.
 */
import type { ClusterContext, ClusterNode } from '../domain/cluster.js';
import type { ListenerView, RuleId } from '../domain/report.js';
import { groupByPort, socketsIn, type AnalysisContext } from './context.js';
import { isFull } from './listeners.js';
import { holdsPortsOnly, resolveProxyMode, type ProxyMode } from './proxy-mode.js';
import type { Seen } from './rule.js';
import { listWords, plural } from './words.js';

/**
 * Why connections land on kube-proxy's NodePort socket:
 * - `no-endpoints`: the Service has no ready endpoint, so there is no DNAT rule;
 * - `rules-missing`: it has ready endpoints, so the DNAT rules on this node are absent or stale;
 * - `local-policy`: `externalTrafficPolicy: Local` and no ready endpoint on this node, where
 *   health checks are meant to fail so the load balancer skips the node;
 * - `no-service`: no Service has this NodePort (deleted while kube-proxy still holds the port).
 */
export type ServiceVerdict = 'no-endpoints' | 'rules-missing' | 'local-policy' | 'no-service';

/** One NodePort's Service, as findings carry it in `facts.services`. */
export interface ServiceFact {
  port: number;
  /** null for `no-service`. */
  namespace: string | null;
  name: string | null;
  type: string | null;
  externalTrafficPolicy: string | null;
  /** Ready endpoints of the Service across the cluster. */
  readyEndpoints: number;
  /** True: the Kubernetes API said so. */
  confirmed: boolean;
  verdict: ServiceVerdict;
}

/** Symptoms a NodePort cause can explain, when every port they name is one of its ports. */
export const NODEPORT_SYMPTOMS: RuleId[] = [
  'accept-queue-full',
  'accept-queue-backlog',
  'syn-recv-stuck',
  'close-wait-leak',
  'close-wait-unaccepted',
  'close-wait-unread',
  'listen-overflow',
  'somaxconn-low',
];

/** kube-proxy's listeners that traffic reached (a non-empty accept queue), in a mode that never accepts. */
export function trappedListeners(ctx: AnalysisContext): ListenerView[] {
  return ctx.listeners.filter((l) => l.process !== null && l.process.name.startsWith('kube-proxy') && l.acceptQueue > 0 && holdsPortsOnly(proxyModeOf(ctx, l)));
}

/** The proxy mode of the kube-proxy that owns a listener (the ConfigMap's, when the cluster was read). */
export function proxyModeOf(ctx: AnalysisContext, l: ListenerView | undefined): ProxyMode {
  const cmdline = l?.process ? (ctx.snapshot.processes[l.process.pid]?.cmdline ?? null) : null;
  return resolveProxyMode(cmdline, ctx.snapshot.cluster);
}

/** The Node object of the node under diagnosis: by name, hostname or address; null when none matches. */
export function findThisNode(ctx: AnalysisContext, cluster: ClusterContext): ClusterNode | null {
  const names = [ctx.snapshot.meta.node, ctx.snapshot.meta.hostname].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  return cluster.nodes.find((n) => names.includes(n.name.toLowerCase())) ?? cluster.nodes.find((n) => n.addresses.some((a) => names.includes(a.toLowerCase()))) ?? null;
}

/** The verdict for each port, from the cluster context. */
export function judgeNodePorts(ports: readonly number[], cluster: ClusterContext, thisNode: string | null): Map<number, ServiceFact> {
  const out = new Map<number, ServiceFact>();
  for (const port of ports) {
    // NodePorts are allocated per protocol; the sockets are TCP listeners, so only TCP ports count.
    const svc = cluster.services.find((s) => s.ports.some((p) => p.nodePort === port && p.protocol === 'TCP'));
    if (!svc) {
      out.set(port, { port, namespace: null, name: null, type: null, externalTrafficPolicy: null, readyEndpoints: 0, confirmed: true, verdict: 'no-service' });
      continue;
    }
    const ready = cluster.endpoints.filter((e) => e.ready && e.namespace === svc.namespace && e.service === svc.name);
    const readyCount = ready.reduce((n, e) => n + e.addresses.length, 0);
    const localReady = ready.some((e) => thisNode !== null && e.nodeName === thisNode);
    const verdict: ServiceVerdict = readyCount === 0 ? 'no-endpoints' : svc.externalTrafficPolicy === 'Local' && !localReady ? 'local-policy' : 'rules-missing';
    out.set(port, { port, namespace: svc.namespace, name: svc.name, type: svc.type, externalTrafficPolicy: svc.externalTrafficPolicy, readyEndpoints: readyCount, confirmed: true, verdict });
  }
  return out;
}

/** The listeners with a verdict in `verdicts`, their facts, and the cluster read; null when the cluster was not read. */
export function nodePortsJudged(ctx: AnalysisContext, verdicts: readonly ServiceVerdict[]): { listeners: ListenerView[]; facts: ServiceFact[] } | null {
  const cluster = ctx.snapshot.cluster;
  if (cluster?.status !== 'read') return null;
  const trapped = trappedListeners(ctx);
  const node = findThisNode(ctx, cluster.context);
  const judged = judgeNodePorts([...new Set(trapped.map((l) => l.port))], cluster.context, node?.name ?? ctx.snapshot.meta.hostname ?? ctx.snapshot.meta.node);
  const listeners = trapped.filter((l) => verdicts.includes(judged.get(l.port)!.verdict));
  const facts = [...new Set(listeners.map((l) => l.port))].sort((a, b) => a - b).map((p) => judged.get(p)!);
  return { listeners, facts };
}

/** `namespace/name`, how Services are written everywhere; `no Service` for none. */
export function serviceName(f: Pick<ServiceFact, 'namespace' | 'name'>): string {
  return f.namespace === null || f.name === null ? 'no Service' : `${f.namespace}/${f.name}`;
}

/** A symptom is explained when it fired and every port it names is one of `ports` (listen-overflow: when the full queues are all among them). */
export function symptomExplained(rule: RuleId, seen: Seen, ports: Set<number>, anyFull: boolean): boolean {
  const found = seen.get(rule);
  if (found.length === 0) return false;
  if (rule === 'listen-overflow') {
    const fullPorts = seen.get('accept-queue-full').flatMap((f) => f.ports);
    return anyFull && fullPorts.every((p) => ports.has(p));
  }
  const named = found.flatMap((f) => f.ports);
  return named.length > 0 && named.every((p) => ports.has(p));
}

/** A node name safe to print inside a suggested command; anything odd becomes a placeholder. */
export function nodeArg(name: string | null): string {
  return name && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : 'NODE';
}

/** A Kubernetes object name safe to print inside a suggested command (DNS-1123); anything else is a placeholder. */
export function kubeArg(name: string | null, placeholder: string): string {
  return name && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) && name.length <= 253 ? name : placeholder;
}

/** CLOSE-WAIT sockets per local port, counted once: filtering per trapped listener was quadratic. */
export function countCloseWait(ctx: AnalysisContext): Map<number, number> {
  return new Map(groupByPort(socketsIn(ctx, 'CLOSE-WAIT')).map(([port, list]) => [port, list.length]));
}

/** `31493: accept queue 129/128 (full), 129 CLOSE-WAIT sockets seen = queue length: nothing is accepted`. */
export function describePort(l: ListenerView, closeWait: number): string {
  const queue = `${l.port}: accept queue ${l.acceptQueue}/${l.backlog ?? '?'}${isFull(l) ? ' (full)' : ''}`;
  if (closeWait === 0) return queue;
  const tell = closeWait === l.acceptQueue ? ' = queue length: nothing is accepted' : '';
  return `${queue}, ${plural(closeWait, 'CLOSE-WAIT socket')} seen${tell}`;
}

/** The evidence line for peers that look like a load balancer's health checkers. */
export function healthCheckerLine(ips: readonly string[]): string {
  return `${listWords(ips)}: not a pod, node or Service, and ${ips.length === 1 ? 'it connects' : 'they connect'} and ${ips.length === 1 ? 'closes' : 'close'} at once with no data: the pattern of a load balancer's health checks`;
}
