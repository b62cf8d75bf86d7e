/**
 * deploy/rbac/cluster-context.yaml grants exactly what the cluster reader uses: every request readCluster makes
 * against the API double is allowed by the shipped roles (evaluated as kube-apiserver's RBAC
 * authorizer does for these simple rules), and every cluster-context rule is used.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/collect/kube/kube-client.js';
import { readCluster } from '../../src/cluster/read-cluster.js';
import { startKubeDouble, type KubeDouble, type RecordedCall } from '../doubles/kube/server.js';
import { shopCluster } from '../doubles/kube/shop-cluster.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Grant {
  /** null: cluster-wide (a ClusterRole bound by a ClusterRoleBinding). */
  namespace: string | null;
  rule: Rule;
}

const docs = parseAllDocuments(readFileSync(new URL('../../deploy/rbac/cluster-context.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[] });
const grants: Grant[] = docs.flatMap((d): Grant[] => (d.kind === 'ClusterRole' ? d.rules!.map((rule) => ({ namespace: null, rule })) : d.kind === 'Role' ? d.rules!.map((rule) => ({ namespace: d.metadata.namespace!, rule })) : []));

/** A recorded GET as RBAC sees it: verb, API group, resource, namespace, name. */
function attributes(call: RecordedCall) {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(call.path);
  if (!m) throw new Error(`not a resource request: ${call.path}`);
  return { group: m[1] ?? '', namespace: m[2] ?? null, resource: m[3]!, name: m[4] ?? null, verb: m[4] ? 'get' : 'list' };
}

function allows(g: Grant, a: ReturnType<typeof attributes>): boolean {
  if (g.namespace !== null && g.namespace !== a.namespace) return false;
  if (!g.rule.apiGroups.includes(a.group) || !g.rule.resources.includes(a.resource) || !g.rule.verbs.includes(a.verb)) return false;
  return !g.rule.resourceNames || (a.name !== null && g.rule.resourceNames.includes(a.name));
}

describe('deploy/rbac/cluster-context.yaml and the cluster reader', () => {
  let api: KubeDouble;
  let calls: RecordedCall[];

  beforeAll(async () => {
    api = await startKubeDouble(shopCluster({ name: 'tck-node-a', netns: 'unused', internalIP: '198.18.200.1' }, { empty: 31493, ready: 31494, local: 31495 }));
    const view = await readCluster(loadKubeConfig({ kubeconfig: api.writeKubeconfig() }), { pageSize: 2 });
    expect(view.status).toBe('read');
    calls = api.calls;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('allows every request the reader makes', () => {
    const denied = calls.map(attributes).filter((a) => !grants.some((g) => allows(g, a)));
    expect(denied).toEqual([]);
    expect(calls.length).toBeGreaterThanOrEqual(5);
  });

  it('grants only reads', () => {
    expect(new Set(grants.flatMap((g) => g.rule.verbs))).toEqual(new Set(['get', 'list']));
  });

  it('uses every rule it grants', () => {
    const used = (g: Grant) => calls.map(attributes).some((a) => allows(g, a));
    expect(grants.filter((g) => !used(g))).toEqual([]);
  });
});
