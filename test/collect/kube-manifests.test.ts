/** The shipped manifests grant exactly what the kube transport uses, and the agent is what it expects. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubeConfigSchema } from '../../src/config/kube-schema.js';

type Doc = { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown[]; spec?: Record<string, unknown> };
const load = (file: string) => parseAllDocuments(readFileSync(new URL(`../../deploy/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);

describe('deploy/', () => {
  const rbac = load('rbac.yaml');
  const defaults = kubeConfigSchema.parse({});

  it('grants nodes get/list cluster-wide and nothing else cluster-wide', () => {
    const cr = rbac.find((d) => d.kind === 'ClusterRole')!;
    expect(cr.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]);
  });

  it('grants pod and exec rights only in the tcpcheck namespace', () => {
    const role = rbac.find((d) => d.kind === 'Role')!;
    expect(role.metadata.namespace).toBe(defaults.namespace);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
    ]);
    expect(rbac.filter((d) => d.kind.endsWith('Binding')).map((d) => (d as unknown as { subjects: unknown[] }).subjects)).toEqual([
      [{ kind: 'ServiceAccount', name: 'tcpcheck', namespace: 'tcpcheck' }],
      [{ kind: 'ServiceAccount', name: 'tcpcheck', namespace: 'tcpcheck' }],
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
