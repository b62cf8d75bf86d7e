import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/collect/kube/kube-client.js';
import { readCluster } from '../../src/cluster/read-cluster.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { shopCluster } from '../doubles/kube/shop-cluster.js';
import { clusterContextGrantsWithout as grantsWithout } from '../helpers/cluster-grants.js';

const NODE = { name: 'tck-node-a', netns: 'unused', internalIP: '198.18.200.1' };
const PORTS = { empty: 31493, ready: 31494, local: 31495 };

describe('readCluster', () => {
  let api: KubeDouble;

  beforeAll(async () => {
    api = await startKubeDouble(shopCluster(NODE, PORTS, 'ipvs'));
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('when the API answers', () => {
    it('reads Services, endpoints, pods, nodes and the proxy mode, one object per page', async () => {
      const before = api.calls.length;
      const view = await readCluster(loadKubeConfig({ kubeconfig: api.writeKubeconfig() }), { pageSize: 1 });
      expect(view.status).toBe('read');
      if (view.status !== 'read') return;
      const ctx = view.context;
      expect(ctx.services.map((s) => `${s.namespace}/${s.name} ${s.type} ${s.externalTrafficPolicy} ${s.ports.map((p) => p.nodePort).join(',')}`)).toEqual([
        'shop/neo-web NodePort Cluster 31493',
        'shop/neo-api NodePort Cluster 31494',
        'shop/neo-admin NodePort Local 31495',
      ]);
      expect(ctx.endpoints).toEqual([
        { namespace: 'shop', service: 'neo-api', addresses: ['198.18.210.5'], ready: true, nodeName: 'tck-node-a' },
        { namespace: 'shop', service: 'neo-admin', addresses: ['198.18.210.6'], ready: true, nodeName: 'tck-other' },
      ]);
      expect(ctx.pods.map((p) => `${p.namespace}/${p.name} ${p.podIPs.join(',')} ${p.nodeName}`)).toEqual(['shop/neo-api-5c6d-k2p9q 198.18.210.5 tck-node-a', 'shop/neo-admin-6f7a-x8y9z 198.18.210.6 tck-other']);
      expect(ctx.pods[0]?.uid).toBe('0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f');
      expect(ctx.nodes).toEqual([
        { name: 'tck-node-a', addresses: ['198.18.200.1', 'tck-node-a'] },
        { name: 'tck-other', addresses: ['198.18.200.99', 'tck-other'] },
      ]);
      expect(ctx.proxyMode).toBe('ipvs');
      expect(ctx.gaps).toEqual([]);
      // Three Services at one per page: the second and third requests carry the continue token.
      const svc = api.calls.slice(before).filter((c) => c.path === '/api/v1/services');
      expect(svc.map((c) => [c.query.limit?.[0], c.query.continue !== undefined])).toEqual([
        ['1', false],
        ['1', true],
        ['1', true],
      ]);
      expect(api.calls.slice(before).every((c) => c.method === 'GET')).toBe(true);
    });

    it('reads no proxy mode when kube-system has no kube-proxy ConfigMap', async () => {
      const saved = api.configMaps.get('kube-system/kube-proxy')!;
      api.configMaps.delete('kube-system/kube-proxy');
      try {
        const view = await readCluster(loadKubeConfig({ kubeconfig: api.writeKubeconfig() }));
        expect(view.status === 'read' && view.context.proxyMode).toBeNull();
        expect(view.status === 'read' && view.context.gaps).toEqual([]);
      } finally {
        api.configMaps.set('kube-system/kube-proxy', saved);
      }
    });
  });

  describe('when the API cannot be read', () => {
    it('says the credentials were refused (401)', async () => {
      const view = await readCluster(loadKubeConfig({ kubeconfig: api.writeKubeconfig({ token: 'wrong' }) }));
      expect(view).toMatchObject({ status: 'unread', resources: ['services', 'endpointslices', 'pods', 'nodes', 'configmaps/kube-system/kube-proxy'] });
      expect(view.status === 'unread' && view.reason).toContain('401 Unauthorized');
    });

    it('says what RBAC forbade, and keeps what it allowed', async () => {
      const limited = await startKubeDouble({ ...shopCluster(NODE, PORTS), rbac: grantsWithout('pods') });
      try {
        const view = await readCluster(loadKubeConfig({ kubeconfig: limited.writeKubeconfig() }));
        expect(view.status).toBe('read');
        expect(view.status === 'read' && view.context.gaps.map((g) => g.resource)).toEqual(['pods']);
        expect(view.status === 'read' && view.context.gaps[0]?.reason).toContain('cannot list resource "pods"');
      } finally {
        await limited.close();
      }
    });

    it('is unread when EndpointSlices are forbidden', async () => {
      const limited = await startKubeDouble({ ...shopCluster(NODE, PORTS), rbac: grantsWithout('endpointslices') });
      try {
        const view = await readCluster(loadKubeConfig({ kubeconfig: limited.writeKubeconfig() }));
        expect(view).toMatchObject({ status: 'unread', resources: ['endpointslices'] });
        expect(view.status === 'unread' && view.reason).toContain('forbade');
      } finally {
        await limited.close();
      }
    });

    it('says the API server is unreachable', async () => {
      const file = api.writeKubeconfig();
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as AddressInfo;
          s.close(() => resolve(port));
        });
      });
      writeFileSync(file, readFileSync(file, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${closed}`));
      const view = await readCluster(loadKubeConfig({ kubeconfig: file }));
      expect(view.status === 'unread' && view.reason).toMatch(/Could not reach the Kubernetes API .*ECONNREFUSED/);
    });

    it('gives up at the timeout when the server never answers', async () => {
      const held: Socket[] = [];
      const silent: Server = createServer((s) => held.push(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const file = api.writeKubeconfig();
      writeFileSync(file, readFileSync(file, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${(silent.address() as AddressInfo).port}`));
      try {
        const started = performance.now();
        const view = await readCluster(loadKubeConfig({ kubeconfig: file }), { timeoutMs: 600 });
        expect(view).toMatchObject({ status: 'unread', reason: 'timed out after 600 ms' });
        expect(performance.now() - started).toBeLessThan(5000);
      } finally {
        for (const s of held) s.destroy();
        silent.close();
      }
    });
  });
});
