/**
 * A Kubernetes API server double on https://127.0.0.1, speaking the real wire protocol well enough for
 * kubectl (1.20 and current) and @kubernetes/client-node: discovery, nodes, pods, Services,
 * EndpointSlices and ConfigMaps as JSON or server-side Tables, lists chunked with `limit`/`continue`
 * and filtered by label and field selectors, pod create/get/delete, and the exec subresource over
 * WebSocket (v5/v4/v1 channel protocols) and SPDY/3.1.
 *
 * Exec is real: the command runs in the network namespace that stands in for the pod's node, so
 * `ss` reports that lab node's kernel sockets. The double checks what it receives (bearer token,
 * query parameters, required fields of a created pod, that its node exists) and answers mistakes
 * with the `metav1.Status` errors a cluster would send. Every request is recorded in `calls`.
 *
 * Pod lifecycle: a created pod is `Pending`; with `podStartup: 'after-first-read'` (default) the
 * first read shows it Pending and later reads Running, which exercises a client's wait loop;
 * `'never'` keeps it Pending with its container waiting in ContainerCreating.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGroupList, apiVersions, coreResourceList, nodeObject, statusFailure, toTable, versionInfo, type DoubleNode, type Json } from './objects.js';
import { configMapObject, discoveryGroup, discoveryResourceList, endpointSliceObject, serviceObject, type ConfigMapSpec, type EndpointSliceSpec, type ServiceSpec } from './cluster-objects.js';
import { paginate } from './paging.js';
import { matchesFields, matchesLabels, parseSelector, type SelectableKind } from './selectors.js';
import { handleWsExec, offersKnownProtocol } from './ws-exec.js';
import { handleSpdyExec, negotiateSpdyProtocol } from './spdy-exec.js';
import type { ExecRequest } from './exec-session.js';
import { doubleTls } from './tls.js';
import { forbiddenMessage, isAllowed, requestAttributes, type RbacGrant } from './rbac.js';

export interface AgentPodSpec {
  name: string;
  namespace: string;
  node: string;
  labels: Record<string, string>;
  container?: string;
  /** @defaultValue 'Running' */
  phase?: 'Running' | 'Pending';
  /** @defaultValue true (the agent pods share the node's network) */
  hostNetwork?: boolean;
  /** The pod's IP (status.podIP); unset for host-network pods. */
  podIP?: string;
  /** @defaultValue a random UUID */
  uid?: string;
}

export interface KubeDoubleOptions {
  nodes: DoubleNode[];
  /** Pods that exist from the start (the agent DaemonSet's pods). */
  pods?: AgentPodSpec[];
  /** Bearer token the double accepts. @defaultValue a random one */
  token?: string;
  /** @defaultValue 'after-first-read' */
  podStartup?: 'after-first-read' | 'never';
  /** Namespaces that exist besides those of the pods. @defaultValue default, kube-system, tcpcheck */
  namespaces?: string[];
  /** Refuse `pods/exec` with 403, as RBAC does without that rule. */
  forbidExec?: boolean;
  /** Authorise every request against these grants (see ./rbac.ts), as the caller's ServiceAccount. @defaultValue everything allowed */
  rbac?: RbacGrant[];
  services?: ServiceSpec[];
  endpointSlices?: EndpointSliceSpec[];
  configMaps?: ConfigMapSpec[];
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string[]>;
  status: number;
  /** Exec calls: which wire was used. */
  upgrade?: 'websocket' | 'spdy';
}

export interface RecordedExec {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  protocol: string;
  /** Exit code; null when the client went away and the command was killed. */
  exitCode?: number | null;
}

export interface KubeDouble {
  url: string;
  token: string;
  calls: RecordedCall[];
  execs: RecordedExec[];
  /** Created pods, including deleted ones, with the options their deletion carried. */
  created: { namespace: string; name: string; body: Json; deleted: boolean; gracePeriodSeconds?: number }[];
  /** Protocol violations seen (a test asserts this stays empty). */
  violations: string[];
  /** `exec-start` (RecordedExec), `pod-created` / `pod-deleted` (namespace, name). */
  events: EventEmitter;
  /** Current pods by `namespace/name`. */
  pods: Map<string, Json>;
  /** Current Services, EndpointSlices and ConfigMaps by `namespace/name`; tests may change them. */
  services: Map<string, Json>;
  endpointSlices: Map<string, Json>;
  configMaps: Map<string, Json>;
  /** Writes a kubeconfig for this double into a fresh temp dir and returns its path. */
  writeKubeconfig(opts?: { token?: string; namespace?: string }): string;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';

function podObject(namespace: string, name: string, spec: Json, labels: Record<string, string>, createdAt: string, phase: string, ip?: { podIP: string }, uid: string = randomUUID()): Json {
  const status = podStatus(spec, phase, createdAt);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace, uid, resourceVersion: '1', creationTimestamp: createdAt, labels },
    spec,
    status: ip ? { ...status, podIP: ip.podIP, podIPs: [{ ip: ip.podIP }] } : status,
  };
}

function podStatus(spec: Json, phase: string, at: string): Json {
  const containers = (spec.containers as { name: string; image: string }[]) ?? [];
  const running = phase === 'Running';
  return {
    phase,
    conditions: [{ type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: at }],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: running,
      restartCount: 0,
      started: running,
      state: running ? { running: { startedAt: at } } : { waiting: { reason: 'ContainerCreating' } },
    })),
    ...(running ? { startTime: at } : {}),
  };
}

/** Fields a pod must carry for the API server to accept it (a subset of its validation). */
function validatePod(body: Json, namespace: string, nodeNames: Set<string>): string[] {
  const errs: string[] = [];
  const meta = body.metadata as { name?: string; generateName?: string; namespace?: string } | undefined;
  if (body.kind !== undefined && body.kind !== 'Pod') errs.push(`kind: Invalid value: "${String(body.kind)}"`);
  if (!meta || (!meta.name && !meta.generateName)) errs.push('metadata.name: Required value: name or generateName is required');
  if (meta?.name && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name)) errs.push(`metadata.name: Invalid value: "${meta.name}"`);
  if (meta?.namespace && meta.namespace !== namespace) errs.push('metadata.namespace: Invalid value: does not match the namespace in the URL');
  const spec = body.spec as { containers?: { name?: string; image?: string }[]; nodeName?: string } | undefined;
  if (!spec?.containers?.length) errs.push('spec.containers: Required value');
  for (const [i, c] of (spec?.containers ?? []).entries()) {
    if (!c.name) errs.push(`spec.containers[${i}].name: Required value`);
    if (!c.image) errs.push(`spec.containers[${i}].image: Required value`);
  }
  if (spec?.nodeName !== undefined && !nodeNames.has(spec.nodeName)) errs.push(`spec.nodeName: Not found: "${spec.nodeName}"`);
  return errs;
}

/** Starts the double on an ephemeral port of 127.0.0.1. */
export async function startKubeDouble(opts: KubeDoubleOptions): Promise<KubeDouble> {
  const token = opts.token ?? randomUUID();
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  const nodes = new Map(opts.nodes.map((n) => [n.name, n]));
  const nodeObjs = new Map(opts.nodes.map((n) => [n.name, nodeObject(n, startedAt, randomUUID())]));
  const pods = new Map<string, Json>();
  const readsSinceCreate = new Map<string, number>();
  const calls: RecordedCall[] = [];
  const execs: RecordedExec[] = [];
  const created: KubeDouble['created'] = [];
  const violations: string[] = [];
  const events = new EventEmitter();
  const sockets = new Set<Socket>();

  for (const p of opts.pods ?? []) {
    const hostNetwork = p.hostNetwork ?? true;
    const spec = { nodeName: p.node, hostNetwork, hostPID: hostNetwork, containers: [{ name: p.container ?? 'agent', image: 'tcpcheck-agent:test', command: ['sleep', 'infinity'] }] };
    pods.set(`${p.namespace}/${p.name}`, podObject(p.namespace, p.name, spec, p.labels, startedAt, p.phase ?? 'Running', p.podIP ? { podIP: p.podIP } : undefined, p.uid));
  }
  const keyed = (objs: Json[]) => new Map(objs.map((o) => [`${(o.metadata as { namespace: string }).namespace}/${(o.metadata as { name: string }).name}`, o]));
  const services = keyed((opts.services ?? []).map((s) => serviceObject(s, startedAt)));
  const endpointSlices = keyed((opts.endpointSlices ?? []).map((e) => endpointSliceObject(e, startedAt)));
  const configMaps = keyed((opts.configMaps ?? []).map((c) => configMapObject(c, startedAt)));
  /** Namespaced read-only resources served generically: path segment → store, kind, API group path. */
  const readOnly: Record<string, { store: Map<string, Json>; kind: SelectableKind; group: string }> = {
    services: { store: services, kind: 'Service', group: '/api/v1' },
    configmaps: { store: configMaps, kind: 'ConfigMap', group: '/api/v1' },
    endpointslices: { store: endpointSlices, kind: 'EndpointSlice', group: '/apis/discovery.k8s.io/v1' },
  };

  const record = (req: IncomingMessage, url: URL, status: number, upgrade?: RecordedCall['upgrade']) => {
    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    calls.push({ method: req.method ?? '', path: url.pathname, query, status, ...(upgrade ? { upgrade } : {}) });
  };

  /** Advances a created pod's lifecycle on read, as the kubelet would in the background. */
  const observe = (key: string) => {
    const pod = pods.get(key);
    if (!pod || !readsSinceCreate.has(key)) return pod;
    const n = readsSinceCreate.get(key)! + 1;
    readsSinceCreate.set(key, n);
    if (n >= 2 && (opts.podStartup ?? 'after-first-read') === 'after-first-read' && (pod.status as { phase: string }).phase !== 'Running') {
      pod.status = podStatus(pod.spec as Json, 'Running', new Date().toISOString());
    }
    return pod;
  };

  const authorised = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;

  const wantsTable = (req: IncomingMessage): 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' | null => {
    const accept = req.headers.accept ?? '';
    const first = accept.split(',')[0] ?? '';
    if (!first.includes('as=Table')) return null;
    return first.includes('v=v1beta1') ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
  };

  const send = (req: IncomingMessage, res: ServerResponse, url: URL, status: number, body: Json) => {
    record(req, url, status);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
    res.end(text);
  };

  /** A list answer: one page of the selected items, as a Table when asked for one. */
  const listOf = (kind: SelectableKind, items: Json[], url: URL, asTable: ReturnType<typeof wantsTable>, nowMs: number): Json => {
    const page = paginate(items, url.searchParams, `${kind}:${url.pathname}`);
    if (asTable) return { ...toTable(kind, page.items, nowMs, asTable), metadata: page.metadata };
    return { kind: `${kind}List`, apiVersion: kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1', metadata: page.metadata, items: page.items };
  };

  /** Filters by the selectors; throws the server's message on a bad selector. */
  const select = (kind: SelectableKind, items: Json[], url: URL) => {
    const labels = parseSelector(url.searchParams.get('labelSelector') ?? '');
    const fields = parseSelector(url.searchParams.get('fieldSelector') ?? '');
    return items.filter((it) => matchesLabels(labels, (it.metadata as { labels?: Record<string, string> }).labels) && matchesFields(kind, fields, it));
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 1_000_000) reject(new Error('request body too large'));
        else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  /** The 403 Status for a request the `rbac` grants do not allow, or null. */
  const forbidden = (method: string, path: string, query: URLSearchParams): (Json & { code: number }) | null => {
    if (!opts.rbac) return null;
    const attrs = requestAttributes(method, path, query);
    if (!attrs || isAllowed(opts.rbac, attrs)) return null;
    return statusFailure(403, 'Forbidden', forbiddenMessage('system:serviceaccount:tcpcheck:tcpcheck', attrs), { kind: attrs.resource.split('/')[0]!, ...(attrs.name ? { name: attrs.name } : {}) }) as Json & { code: number };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!authorised(req)) return send(req, res, url, 401, statusFailure(401, 'Unauthorized', 'Unauthorized'));
    const refusal = forbidden(method, path, url.searchParams);
    if (refusal) return send(req, res, url, 403, refusal);
    const asTable = wantsTable(req);
    const nowMs = Date.now();

    if (method === 'GET' && path === '/version') return send(req, res, url, 200, versionInfo);
    if (method === 'GET' && path === '/api') return send(req, res, url, 200, apiVersions);
    if (method === 'GET' && path === '/apis') return send(req, res, url, 200, { ...apiGroupList, groups: [discoveryGroup] });
    if (method === 'GET' && path === '/api/v1') return send(req, res, url, 200, coreResourceList);
    if (method === 'GET' && path === '/apis/discovery.k8s.io') return send(req, res, url, 200, { kind: 'APIGroup', apiVersion: 'v1', ...discoveryGroup });
    if (method === 'GET' && path === '/apis/discovery.k8s.io/v1') return send(req, res, url, 200, discoveryResourceList);

    let m: RegExpExecArray | null;
    const namespaces = new Set([...(opts.namespaces ?? ['default', 'kube-system', 'tcpcheck']), ...[...pods.keys()].map((k) => k.split('/')[0]!)]);
    const nsObject = (name: string): Json => ({ kind: 'Namespace', apiVersion: 'v1', metadata: { name, uid: name, resourceVersion: '1', creationTimestamp: startedAt }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    try {
      // kubectl reads the namespace to word a NotFound for a pod in it.
      if (method === 'GET' && (m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path))) {
        const name = decodeURIComponent(m[1]!);
        if (!namespaces.has(name)) return send(req, res, url, 404, statusFailure(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' }));
        return send(req, res, url, 200, nsObject(name));
      }
      if (method === 'GET' && (m = /^(\/api\/v1|\/apis\/discovery\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/(services|configmaps|endpointslices)(?:\/([^/]+))?$/.exec(path))) {
        const [, group, nsPart, resource, namePart] = m;
        const served = readOnly[resource!]!;
        if (served.group !== group) return send(req, res, url, 404, statusFailure(404, 'NotFound', 'the server could not find the requested resource'));
        const ns = nsPart === undefined ? null : decodeURIComponent(nsPart);
        if (namePart !== undefined) {
          const name = decodeURIComponent(namePart);
          const obj = ns === null ? undefined : served.store.get(`${ns}/${name}`);
          if (!obj) return send(req, res, url, 404, statusFailure(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
          return send(req, res, url, 200, asTable ? toTable(served.kind, [obj], nowMs, asTable) : obj);
        }
        const items = [...served.store.entries()].filter(([k]) => ns === null || k.startsWith(`${ns}/`)).map(([, o]) => o);
        return send(req, res, url, 200, listOf(served.kind, select(served.kind, items, url), url, asTable, nowMs));
      }
      if (method === 'GET' && path === '/api/v1/nodes') {
        return send(req, res, url, 200, listOf('Node', select('Node', [...nodeObjs.values()], url), url, asTable, nowMs));
      }
      if (method === 'GET' && (m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path))) {
        const node = nodeObjs.get(decodeURIComponent(m[1]!));
        if (!node) return send(req, res, url, 404, statusFailure(404, 'NotFound', `nodes "${decodeURIComponent(m[1]!)}" not found`, { name: decodeURIComponent(m[1]!), kind: 'nodes' }));
        return send(req, res, url, 200, asTable ? toTable('Node', [node], nowMs, asTable) : node);
      }
      if (method === 'GET' && (path === '/api/v1/pods' || (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path)))) {
        const ns = path === '/api/v1/pods' ? null : decodeURIComponent(m![1]!);
        const keys = [...pods.keys()].filter((k) => ns === null || k.startsWith(`${ns}/`));
        return send(req, res, url, 200, listOf('Pod', select('Pod', keys.map((k) => observe(k)!), url), url, asTable, nowMs));
      }
      if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path)) && (method === 'GET' || method === 'DELETE')) {
        const ns = decodeURIComponent(m[1]!);
        const name = decodeURIComponent(m[2]!);
        const key = `${ns}/${name}`;
        const pod = method === 'GET' ? observe(key) : pods.get(key);
        if (!pod) return send(req, res, url, 404, statusFailure(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
        if (method === 'GET') return send(req, res, url, 200, asTable ? toTable('Pod', [pod], nowMs, asTable) : pod);
        const raw = await readBody(req);
        let grace: number | undefined = url.searchParams.has('gracePeriodSeconds') ? Number(url.searchParams.get('gracePeriodSeconds')) : undefined;
        if (raw.trim()) {
          const opts = JSON.parse(raw) as { gracePeriodSeconds?: number };
          if (opts.gracePeriodSeconds !== undefined) grace = opts.gracePeriodSeconds;
        }
        if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) return send(req, res, url, 400, statusFailure(400, 'BadRequest', `invalid gracePeriodSeconds ${String(grace)}`));
        pods.delete(key);
        readsSinceCreate.delete(key);
        const rec = created.find((c) => c.namespace === ns && c.name === name && !c.deleted);
        if (rec) Object.assign(rec, { deleted: true, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}) });
        events.emit('pod-deleted', ns, name);
        const meta = pod.metadata as Json;
        return send(req, res, url, 200, { ...pod, metadata: { ...meta, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: grace ?? 30 } });
      }
      if (method === 'POST' && (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
        const ns = decodeURIComponent(m[1]!);
        const body = JSON.parse(await readBody(req)) as Json;
        const errs = validatePod(body, ns, new Set(nodes.keys()));
        const meta = (body.metadata ?? {}) as { name?: string; generateName?: string; labels?: Record<string, string> };
        const name = meta.name ?? `${meta.generateName ?? ''}${randomUUID().slice(0, 5)}`;
        if (errs.length) {
          return send(req, res, url, 422, statusFailure(422, 'Invalid', `Pod "${name}" is invalid: ${errs.join(', ')}`, { name, kind: 'Pod', causes: errs.map((e) => ({ reason: 'FieldValueInvalid', message: e })) }));
        }
        const key = `${ns}/${name}`;
        if (pods.has(key)) return send(req, res, url, 409, statusFailure(409, 'AlreadyExists', `pods "${name}" already exists`, { name, kind: 'pods' }));
        const pod = podObject(ns, name, body.spec as Json, meta.labels ?? {}, new Date().toISOString(), 'Pending');
        pods.set(key, pod);
        readsSinceCreate.set(key, 0);
        created.push({ namespace: ns, name, body, deleted: false });
        events.emit('pod-created', ns, name);
        return send(req, res, url, 201, pod);
      }
    } catch (e) {
      return send(req, res, url, 400, statusFailure(400, 'BadRequest', (e as Error).message));
    }
    if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec$/.test(path)) {
      return send(req, res, url, 400, statusFailure(400, 'BadRequest', 'Upgrade request required'));
    }
    return send(req, res, url, 404, statusFailure(404, 'NotFound', 'the server could not find the requested resource'));
  };

  /** Validates an exec request; returns the error to answer, or what to run. */
  const prepareExec = (req: IncomingMessage, url: URL): { error: Json & { code: number } } | { netns: string; pod: Json; exec: ExecRequest } => {
    const fail = (code: number, reason: string, message: string) => ({ error: statusFailure(code, reason, message) as Json & { code: number } });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) return fail(404, 'NotFound', 'the server could not find the requested resource');
    if (!authorised(req)) return fail(401, 'Unauthorized', 'Unauthorized');
    const ns = decodeURIComponent(m[1]!);
    const name = decodeURIComponent(m[2]!);
    const refusal = forbidden(req.method ?? 'GET', url.pathname, url.searchParams);
    if (refusal) return { error: refusal };
    if (opts.forbidExec) return fail(403, 'Forbidden', `pods "${name}" is forbidden: User "system:serviceaccount:tcpcheck:tcpcheck" cannot create resource "pods/exec" in API group "" in the namespace "${ns}"`);
    const pod = pods.get(`${ns}/${name}`);
    if (!pod) return fail(404, 'NotFound', `pods "${name}" not found`);
    const q = url.searchParams;
    const command = q.getAll('command');
    if (command.length === 0) return fail(400, 'BadRequest', 'you must specify at least 1 command');
    for (const k of ['stdin', 'stdout', 'stderr', 'tty']) {
      const v = q.get(k);
      if (v !== null && v !== 'true' && v !== 'false' && v !== '1' && v !== '0') return fail(400, 'BadRequest', `invalid value for ${k}: ${v}`);
    }
    const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
    if (!flag('stdin') && !flag('stdout') && !flag('stderr')) return fail(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    const containers = (pod.spec as { containers: { name: string }[] }).containers;
    const container = q.get('container') ?? (containers.length === 1 ? containers[0]!.name : '');
    if (!containers.some((c) => c.name === container)) return fail(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    if ((pod.status as { phase: string }).phase !== 'Running') return fail(400, 'BadRequest', `unable to upgrade connection: container not found ("${container}")`);
    const node = nodes.get((pod.spec as { nodeName: string }).nodeName);
    if (!node) return fail(500, 'InternalError', `node of pod ${name} is unknown`);
    return { netns: node.netns, pod, exec: { namespace: ns, pod: name, container, command, stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') } };
  };

  const rejectUpgrade = (socket: import('node:stream').Duplex, status: Json & { code: number }) => {
    const text = JSON.stringify(status);
    socket.end(`HTTP/1.1 ${status.code} ${String(status.reason)}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  };

  const hooksFor = () => ({
    started: (req: ExecRequest, protocol: string) => {
      const rec: RecordedExec = { namespace: req.namespace, pod: req.pod, container: req.container, command: req.command, protocol };
      execs.push(rec);
      events.emit('exec-start', rec);
      return (exitCode: number | null) => {
        rec.exitCode = exitCode;
        events.emit('exec-end', rec);
      };
    },
    violation: (msg: string) => violations.push(msg),
  });

  const tls = doubleTls();
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!res.headersSent) send(req, res, url, 400, statusFailure(400, 'BadRequest', (e as Error).message));
    });
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const kind = upgrade === 'websocket' ? 'websocket' : upgrade.startsWith('spdy/3.1') ? 'spdy' : null;
    const prepared = prepareExec(req, url);
    if ('error' in prepared) {
      record(req, url, prepared.error.code, kind ?? undefined);
      return rejectUpgrade(socket, prepared.error);
    }
    if (kind === 'websocket' && req.method === 'GET') {
      if (!offersKnownProtocol(req)) {
        record(req, url, 400, kind);
        return rejectUpgrade(socket, statusFailure(400, 'BadRequest', 'unable to upgrade: no supported subprotocol') as Json & { code: number });
      }
      record(req, url, 101, kind);
      return handleWsExec(req, socket, head, prepared.netns, prepared.pod, prepared.exec, hooksFor());
    }
    if (kind === 'spdy' && req.method === 'POST') {
      const protocol = negotiateSpdyProtocol(req);
      if (!protocol) {
        record(req, url, 403, kind);
        return rejectUpgrade(socket, statusFailure(403, 'Forbidden', 'unable to upgrade: unable to negotiate protocol: client supports none of the server protocols') as Json & { code: number });
      }
      record(req, url, 101, kind);
      return handleSpdyExec(socket, head, protocol, prepared.netns, prepared.pod, prepared.exec, hooksFor());
    }
    record(req, url, 400);
    rejectUpgrade(socket, statusFailure(400, 'BadRequest', `unsupported upgrade: ${upgrade} with ${String(req.method)}`) as Json & { code: number });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;

  return {
    url,
    token,
    calls,
    execs,
    created,
    violations,
    events,
    pods,
    services,
    endpointSlices,
    configMaps,
    writeKubeconfig: (o = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-kube-'));
      const file = join(dir, 'kubeconfig');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: double',
          '  cluster:',
          `    server: ${url}`,
          `    certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}`,
          'users:',
          '- name: tcpcheck',
          '  user:',
          `    token: ${o.token ?? token}`,
          'contexts:',
          '- name: double',
          '  context:',
          '    cluster: double',
          '    user: tcpcheck',
          `    namespace: ${o.namespace ?? 'default'}`,
          'current-context: double',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
