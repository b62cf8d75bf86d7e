/** The shipped manifests grant exactly what the kube transport uses, and the agent is what it expects. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle } from '../../jobs/diagnose.js';
import { kubeConfigSchema } from '../../src/config/kube-schema.js';
import { KubeTransport, lookupNodeAddress } from '../../src/collect/transports/kube.js';
import { createNetns, listenIn, type TestNetns } from '../doubles/kube/netns.js';
import { grantsFor } from '../doubles/kube/rbac.js';
import { startKubeDouble } from '../doubles/kube/server.js';
import { openedNode } from '../helpers/opened.js';

type Doc = { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown[]; spec?: Record<string, unknown> };
const load = (file: string) => parseAllDocuments(readFileSync(new URL(`../../deploy/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);

describe('deploy/', () => {
  const rbac = load('rbac.yaml');
  const modeRole = (mode: 'daemonset' | 'debug-pod') => load(`rbac/${mode}.yaml`);
  const defaults = kubeConfigSchema.parse({});
  const sa = { kind: 'ServiceAccount', name: 'tcpcheck', namespace: 'tcpcheck' };

  it('grants nodes get cluster-wide and nothing else cluster-wide', () => {
    expect(rbac.filter((d) => d.kind === 'ClusterRole').map((d) => d.rules)).toEqual([[{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]]);
    for (const mode of ['daemonset', 'debug-pod'] as const) expect(modeRole(mode).filter((d) => d.kind.startsWith('Cluster'))).toEqual([]);
  });

  it('grants no pod rights in the common manifest, only binds the mode role to the ServiceAccount', () => {
    expect(rbac.filter((d) => d.kind === 'Role')).toEqual([]);
    const bindings = rbac.filter((d) => d.kind.endsWith('Binding')) as unknown as Array<{ kind: string; metadata: { namespace?: string }; roleRef: { kind: string; name: string }; subjects: unknown[] }>;
    expect(bindings.map((b) => [b.kind, b.roleRef.kind, b.roleRef.name, b.metadata.namespace])).toEqual([
      ['ClusterRoleBinding', 'ClusterRole', 'tcpcheck-node-reader', undefined],
      ['RoleBinding', 'Role', 'tcpcheck-collector', defaults.namespace],
    ]);
    expect(bindings.map((b) => b.subjects)).toEqual([[sa], [sa]]);
  });

  it('in daemonset mode, lets tcpcheck find and exec into the agent pods, and never create or delete a pod', () => {
    const [role, ...rest] = modeRole('daemonset');
    expect(rest).toEqual([]);
    expect(role).toMatchObject({ kind: 'Role', metadata: { name: 'tcpcheck-collector', namespace: defaults.namespace } });
    expect(role!.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
    ]);
  });

  it('in debug-pod mode, adds creating, reading and deleting the debug pod, under the same role name', () => {
    const [role, ...rest] = modeRole('debug-pod');
    expect(rest).toEqual([]);
    expect(role).toMatchObject({ kind: 'Role', metadata: { name: 'tcpcheck-collector', namespace: defaults.namespace } });
    expect(role!.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
    ]);
  });

  it('runs the agent where the transport looks for it: host namespaces, every taint, the default label and container', () => {
    const [ds] = load('daemonset.yaml');
    const tpl = (ds!.spec as { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } }).template;
    const [key, value] = defaults.labelSelector.split('=');
    expect(ds!.metadata.namespace).toBe(defaults.namespace);
    expect(tpl.metadata.labels[key!]).toBe(value);
    expect(tpl.spec).toMatchObject({ hostNetwork: true, hostPID: true, tolerations: [{ operator: 'Exists' }] });
    const [c] = tpl.spec.containers as { name: string; command: string[]; securityContext: Record<string, unknown> }[];
    expect(c!.name).toBe(defaults.container);
    expect(c!.command).toEqual(['sleep', 'infinity']);
    expect(c!.securityContext).toMatchObject({ privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'DAC_READ_SEARCH'] } });
  });
});

describe('the kube transport under exactly what deploy/ grants (API server double enforcing RBAC)', () => {
  let ns: TestNetns;
  let listener: ChildProcess;
  beforeAll(async () => {
    ns = createNetns('rbac');
    listener = await listenIn(ns.name, 18541);
  });
  afterAll(() => {
    listener?.kill('SIGKILL');
    ns?.remove();
  });

  /** Collects from the node in `mode` with the grants of rbac.yaml plus the `granted` mode role. */
  const collectAs = async (granted: 'daemonset' | 'debug-pod', mode: 'daemonset' | 'debug-pod') => {
    const manifests = [...load('rbac.yaml'), ...load(`rbac/${granted}.yaml`)];
    const api = await startKubeDouble({
      nodes: [{ name: 'tck-node-r', netns: ns.name, internalIP: '198.18.211.1' }],
      pods: [{ name: 'tcpcheck-agent-r1', namespace: 'tcpcheck', node: 'tck-node-r', labels: { 'app.kubernetes.io/name': 'tcpcheck-agent' } }],
      rbac: grantsFor(manifests as never, { name: 'tcpcheck', namespace: 'tcpcheck' }),
    });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(api.writeKubeconfig());
      const transport = new KubeTransport({ node: 'tck-node-r', settings: kubeConfigSchema.parse({ mode }), kubeConfig: kc });
      const address = await lookupNodeAddress('tck-node-r', kc).catch((err: Error) => err.message);
      const outcome = await collectBundle(openedNode('tck-node-r', transport), { intervalSec: 0 }).then(
        (bundle) => ({ ok: true as const, ssAll: bundle.sections.find((x) => x.name === 'ss-all')?.stdout ?? '' }),
        (err: Error) => ({ ok: false as const, message: err.message }),
      );
      return { address, outcome, forbidden: api.calls.filter((c) => c.status === 403).map((c) => `${c.method} ${c.path}`), created: api.created };
    } finally {
      await api.close();
    }
  };

  it('resolves the node and collects in daemonset mode with the daemonset role, without one refused call', async () => {
    const { address, outcome, forbidden, created } = await collectAs('daemonset', 'daemonset');
    expect(address).toBe('198.18.211.1');
    expect(outcome).toMatchObject({ ok: true, ssAll: expect.stringContaining('127.0.0.1:18541') });
    expect(forbidden).toEqual([]);
    expect(created).toEqual([]);
  }, 30_000);

  it('refuses debug-pod mode to the daemonset role: tcpcheck cannot create a pod', async () => {
    const { outcome, forbidden, created } = await collectAs('daemonset', 'debug-pod');
    expect(outcome.ok).toBe(false);
    expect(forbidden).toEqual(['POST /api/v1/namespaces/tcpcheck/pods']);
    expect(created).toEqual([]);
  }, 30_000);

  it('collects in debug-pod mode with the debug-pod role, and deletes the pod', async () => {
    const { outcome, forbidden, created } = await collectAs('debug-pod', 'debug-pod');
    expect(outcome).toMatchObject({ ok: true, ssAll: expect.stringContaining('127.0.0.1:18541') });
    expect(forbidden).toEqual([]);
    expect(created.map((c) => c.deleted)).toEqual([true]);
  }, 30_000);
});

describe('kubeConfigSchema', () => {
  it('fills the documented defaults', () => {
    expect(kubeConfigSchema.parse({})).toEqual({
      mode: 'daemonset',
      namespace: 'tcpcheck',
      labelSelector: 'app.kubernetes.io/name=tcpcheck-agent',
      container: 'agent',
      debugImage: 'busybox:1.36',
      podReadyTimeoutMs: 60_000,
    });
  });

  it.each([
    [{ mode: 'ssh' }, 'mode'],
    [{ namespace: 'Bad_NS' }, 'namespace'],
    [{ labelSelector: 'app in (a b)' }, 'labelSelector'],
    [{ debugImage: 'busybox; rm -rf /' }, 'debugImage'],
    [{ podReadyTimeoutMs: 5 }, 'podReadyTimeoutMs'],
    [{ unknownKey: 1 }, ''],
  ])('refuses %j', (input, path) => {
    const r = kubeConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (path) expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
