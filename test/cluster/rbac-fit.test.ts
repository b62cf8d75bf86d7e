/**
 * deploy/rbac/cluster-context.yaml grants exactly what the cluster reader uses: readCluster runs
 * against the API double enforcing those grants (./doubles/kube/rbac.ts, the apiserver's
 * authorizer rules) and reads everything; every rule granted is used; and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/collect/kube/kube-client.js';
import { readCluster } from '../../src/cluster/read-cluster.js';
import type { ClusterView } from '../../src/domain/cluster.js';
import { requestAttributes, ruleAllows } from '../doubles/kube/rbac.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { shopCluster } from '../doubles/kube/shop-cluster.js';
import { clusterContextGrants } from '../helpers/cluster-grants.js';

describe('deploy/rbac/cluster-context.yaml and the cluster reader', () => {
  const grants = clusterContextGrants();
  let api: KubeDouble;
  let view: ClusterView;

  beforeAll(async () => {
    api = await startKubeDouble({ ...shopCluster({ name: 'tck-node-a', netns: 'unused', internalIP: '198.18.200.1' }, { empty: 31493, ready: 31494, local: 31495 }), rbac: grants });
    view = await readCluster(loadKubeConfig({ kubeconfig: api.writeKubeconfig() }), { pageSize: 2 });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lets the reader read everything it reads, under those grants alone', () => {
    expect(view.status).toBe('read');
    expect(view.status === 'read' && view.context.gaps).toEqual([]);
    expect(view.status === 'read' && view.context.proxyMode).toBe('iptables');
    expect(api.calls.filter((c) => c.status === 403)).toEqual([]);
  });

  it('grants only reads, and the reader only reads', () => {
    expect(new Set(grants.flatMap((g) => g.rules.flatMap((r) => r.verbs)))).toEqual(new Set(['get', 'list']));
    expect(api.calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('uses every rule it grants', () => {
    const attrs = api.calls.map((c) => requestAttributes(c.method, c.path, new URLSearchParams(Object.entries(c.query).flatMap(([k, vs]) => vs.map((v) => [k, v]))))).filter((a) => a !== null);
    const unused = grants.flatMap((g) => g.rules.filter((r) => !attrs.some((a) => (g.namespace === null || g.namespace === a.namespace) && ruleAllows(r, a))));
    expect(unused).toEqual([]);
  });
});
