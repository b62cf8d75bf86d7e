/**
 * The double's cluster resources (Services, EndpointSlices, ConfigMaps, pods with IPs, nodes) and
 * its list chunking are only worth something if real clients accept them: every kubectl found
 * (Debian's 1.20 at least) reads them here, chunked one object per request.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { findKubectls, runAsync, versionOf } from '../helpers/kubectl.js';

const bins = findKubectls();

describe('the Kubernetes API double serving cluster resources, read by kubectl', () => {
  let api: KubeDouble;
  let kubeconfig: string;

  beforeAll(async () => {
    api = await startKubeDouble({
      // No exec here: the netns names are never used.
      nodes: [
        { name: 'tck-node-a', netns: 'unused', internalIP: '198.18.200.1' },
        { name: 'tck-node-b', netns: 'unused', internalIP: '198.18.200.2' },
      ],
      pods: [
        { name: 'neo-web-7d9f-abcde', namespace: 'shop', node: 'tck-node-a', labels: { app: 'neo-web' }, hostNetwork: false, podIP: '198.18.210.5' },
        { name: 'neo-web-7d9f-fghij', namespace: 'shop', node: 'tck-node-b', labels: { app: 'neo-web' }, hostNetwork: false, podIP: '198.18.210.6' },
        { name: 'db-0', namespace: 'data', node: 'tck-node-b', labels: { app: 'db' }, hostNetwork: false, podIP: '198.18.210.7' },
      ],
      services: [
        { namespace: 'shop', name: 'neo-web', clusterIP: '198.18.220.10', ports: [{ port: 80, nodePort: 31493 }], selector: { app: 'neo-web' } },
        { namespace: 'shop', name: 'neo-admin', clusterIP: '198.18.220.11', ports: [{ port: 80, nodePort: 32430 }], externalTrafficPolicy: 'Local' },
        { namespace: 'data', name: 'db', type: 'ClusterIP', clusterIP: '198.18.220.12', ports: [{ port: 5432 }] },
      ],
      endpointSlices: [
        { namespace: 'shop', service: 'neo-web', name: 'neo-web-x1', port: 80, endpoints: [{ ip: '198.18.210.5', ready: true, nodeName: 'tck-node-a', pod: 'neo-web-7d9f-abcde' }, { ip: '198.18.210.6', ready: false, nodeName: 'tck-node-b' }] },
        { namespace: 'shop', service: 'neo-admin', name: 'neo-admin-x1', port: 80, endpoints: [] },
      ],
      configMaps: [{ namespace: 'kube-system', name: 'kube-proxy', data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: "ipvs"\n' } }],
    });
    kubeconfig = api.writeKubeconfig();
  });

  afterAll(async () => {
    await api?.close();
  });

  it("finds Debian's kubectl (1.20) to test with", () => {
    expect(bins.map(versionOf)).toContain('v1.20.2');
  });

  describe.each(bins.map((b) => [`${b} (${versionOf(b)})`, b]))('with %s', (_label, kubectl) => {
    const cache = mkdtempSync(join(tmpdir(), 'tcpcheck-kubectl-cache-'));
    const run = (args: string[], kc = kubeconfig) => runAsync(kubectl, [`--kubeconfig=${kc}`, `--cache-dir=${cache}`, '--request-timeout=20s', ...args]);

    it('lists Services of every namespace one per request, following continue tokens', async () => {
      const before = api.calls.length;
      const r = await run(['get', 'services', '-A', '--chunk-size=1', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.type} {.spec.ports[0].nodePort} {.spec.externalTrafficPolicy}{"\\n"}{end}']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => l.trimEnd())).toEqual(['shop/neo-web NodePort 31493 Cluster', 'shop/neo-admin NodePort 32430 Local', 'data/db ClusterIP']);
      const lists = api.calls.slice(before).filter((c) => c.path === '/api/v1/services');
      expect(lists.map((c) => c.query.limit)).toEqual([['1'], ['1'], ['1']]);
      expect(lists.map((c) => c.query.continue === undefined)).toEqual([true, false, false]);
      expect(lists.every((c) => c.status === 200)).toBe(true);
    });

    it('finds EndpointSlices through discovery and reads their readiness and nodes', async () => {
      const r = await run(['get', 'endpointslices', '-n', 'shop', '-l', 'kubernetes.io/service-name=neo-web', '-o', 'jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready} {.nodeName}{"\\n"}{end}']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual(['198.18.210.5 true tck-node-a', '198.18.210.6 false tck-node-b']);
      expect(api.calls.some((c) => c.path === '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices' && c.status === 200)).toBe(true);
    });

    it('prints Services as the server-side table', async () => {
      const r = await run(['get', 'svc', '-n', 'shop']);
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['NAME', 'neo-web', 'neo-admin']);
    });

    it("reads kube-proxy's ConfigMap", async () => {
      const r = await run(['get', 'configmap', '-n', 'kube-system', 'kube-proxy', '-o', 'jsonpath={.data.config\\.conf}']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('mode: "ipvs"');
    });

    it('selects pods by node with a field selector, chunked', async () => {
      const r = await run(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=tck-node-b', '--chunk-size=1', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{"\\n"}{end}']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual(['neo-web-7d9f-fghij 198.18.210.6', 'db-0 198.18.210.7']);
    });

    it('refuses a continue token it did not issue, as a cluster does', async () => {
      const r = await run(['get', '--raw', '/api/v1/services?limit=1&continue=bm90LWEtdG9rZW4']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/BadRequest|continue key is not valid/);
    });

    it('says NotFound for a ConfigMap that does not exist', async () => {
      const r = await run(['get', 'configmap', '-n', 'kube-system', 'no-such']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('configmaps "no-such" not found');
    });
  });

  it('saw no protocol violations', () => {
    expect(api.violations).toEqual([]);
  });
});
