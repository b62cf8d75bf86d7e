/**
 * The cluster context end to end: a lab node whose kube-proxy never accepts on a NodePort that
 * health checks from the peer namespace keep hitting (real kernel sockets), collected through the
 * Kubernetes API double's exec, while the same double answers the cluster reads. The Service
 * behind the port is changed between runs to walk each verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../jobs/diagnose.js';
import { openClusterSource } from '../../src/cluster/cluster-source.js';
import { clusterConfigSchema } from '../../src/config/cluster-schema.js';
import { kubeConfigSchema } from '../../src/config/kube-schema.js';
import { KubeTransport } from '../../src/collect/transports/kube.js';
import { loadKubeConfig } from '../../src/collect/kube/kube-client.js';
import type { Report } from '../../src/domain/report.js';
import { endpointSliceObject, serviceObject } from '../doubles/kube/cluster-objects.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { shopCluster } from '../doubles/kube/shop-cluster.js';
import { openedNode } from '../helpers/opened.js';
import { startLab, type Lab } from '../lab/lab.js';

const NODE = 'tck-lab-node';
const rules = (r: Report, id: string) => r.findings.filter((f) => f.rule === id);

describe('diagnose with the cluster context', () => {
  let lab: Lab;
  let api: KubeDouble;
  let kubeconfig: string;

  beforeAll(async () => {
    lab = await startLab({ nodes: 1, pathologies: true });
    const node = lab.nodes[0]!;
    const cluster = shopCluster({ name: NODE, netns: node.netns, internalIP: node.address }, { empty: lab.ports.trap, ready: 31000, local: 31001 });
    api = await startKubeDouble({
      ...cluster,
      pods: [
        { name: 'tcpcheck-agent-lab', namespace: 'tcpcheck', node: NODE, labels: { 'app.kubernetes.io/name': 'tcpcheck-agent' } },
        // The first health checker's address is a pod's: it is named; the others stay IPs.
        { name: 'probe-7f8e-q1w2e', namespace: 'ops', node: 'tck-other', labels: { app: 'probe' }, hostNetwork: false, podIP: lab.peer.addresses[0]! },
        ...(cluster.pods ?? []),
      ],
    });
    kubeconfig = api.writeKubeconfig();
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await lab?.stop();
  });

  const run = async (kc = kubeconfig) => {
    const transport = new KubeTransport({ node: NODE, settings: kubeConfigSchema.parse({}), kubeConfig: loadKubeConfig({ kubeconfig }) });
    const cluster = openClusterSource(clusterConfigSchema.parse({ enabled: true }), { kubeconfig: kc });
    return (await diagnose({ kind: 'node', node: openedNode(NODE, transport, {}, cluster) }, { intervalSec: 1 })).report;
  };

  /** Replaces shop/neo-web's Service and EndpointSlice in the double. */
  const setNeoWeb = (policy: 'Cluster' | 'Local', endpoints: { ip: string; ready: boolean; nodeName: string }[]) => {
    const at = new Date().toISOString();
    api.services.set('shop/neo-web', serviceObject({ namespace: 'shop', name: 'neo-web', clusterIP: '198.18.220.10', ports: [{ port: 80, nodePort: lab.ports.trap }], externalTrafficPolicy: policy }, at));
    api.endpointSlices.set('shop/neo-web-a1', endpointSliceObject({ namespace: 'shop', service: 'neo-web', name: 'neo-web-a1', port: 80, endpoints }, at));
  };

  it('confirms the trap and names the Service when it has no endpoints', async () => {
    setNeoWeb('Cluster', []);
    const report = await run();
    const [trap] = rules(report, 'kube-proxy-nodeport-trap');
    expect(trap?.severity).toBe('critical');
    expect(trap?.facts.confirmed).toBe(true);
    expect(trap?.facts.services).toEqual([{ port: lab.ports.trap, namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Cluster', readyEndpoints: 0, confirmed: true, verdict: 'no-endpoints' }]);
    expect(trap?.title).toContain(`${lab.ports.trap} (shop/neo-web, 0 ready endpoints)`);
    expect(trap?.evidence[0]).toMatch(/kube-system\/kube-proxy ConfigMap: mode iptables/);
    expect(rules(report, 'collection-gap').filter((f) => f.facts.source === 'cluster')).toEqual([]);
    // Only reads: the cluster source never wrote to the API.
    expect(api.calls.filter((c) => c.method !== 'GET' && !c.path.endsWith('/exec'))).toEqual([]);
  }, 60_000);

  it('names a peer that is a pod, and leaves the load balancer-like peers as IPs', async () => {
    setNeoWeb('Cluster', []);
    const report = await run();
    const peers = report.peers.filter((p) => p.localPort === lab.ports.trap && p.state === 'CLOSE-WAIT');
    expect(peers.find((p) => p.ip === lab.peer.addresses[0])).toMatchObject({ name: 'ops/probe-7f8e-q1w2e', kind: 'pod' });
    const others = peers.filter((p) => p.ip !== lab.peer.addresses[0]);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((p) => p.kind === 'unknown' && p.name === null)).toBe(true);
    expect(rules(report, 'kube-proxy-nodeport-trap')[0]?.facts.healthCheckers).toEqual(expect.arrayContaining(others.map((p) => p.ip)));
  }, 60_000);

  it('reports kube-proxy-rules-missing when the same port has ready endpoints', async () => {
    setNeoWeb('Cluster', [{ ip: '198.18.210.5', ready: true, nodeName: NODE }]);
    const report = await run();
    expect(rules(report, 'kube-proxy-nodeport-trap')).toEqual([]);
    const [missing] = rules(report, 'kube-proxy-rules-missing');
    expect(missing?.ports).toEqual([lab.ports.trap]);
    expect(missing?.facts.services).toMatchObject([{ name: 'neo-web', readyEndpoints: 1, verdict: 'rules-missing' }]);
    expect(rules(report, 'accept-queue-full')[0]?.explainedBy).toEqual(['kube-proxy-rules-missing']);
  }, 60_000);

  it('says health checks are meant to fail under externalTrafficPolicy Local with no local endpoint', async () => {
    setNeoWeb('Local', [{ ip: '198.18.210.6', ready: true, nodeName: 'tck-other' }]);
    const report = await run();
    expect(rules(report, 'kube-proxy-nodeport-trap')).toEqual([]);
    expect(rules(report, 'kube-proxy-rules-missing')).toEqual([]);
    expect(rules(report, 'nodeport-local-policy')[0]).toMatchObject({ severity: 'info', facts: { services: [{ verdict: 'local-policy', externalTrafficPolicy: 'Local' }] } });
  }, 60_000);

  it("gives today's report and says the cluster was not read when the API refuses the credentials", async () => {
    setNeoWeb('Cluster', []);
    const report = await run(api.writeKubeconfig({ token: 'revoked' }));
    const [trap] = rules(report, 'kube-proxy-nodeport-trap');
    expect(trap?.facts.confirmed).toBe(false);
    expect(trap?.facts.services).toBeUndefined();
    const gaps = rules(report, 'collection-gap').filter((f) => f.facts.source === 'cluster');
    expect(gaps.map((g) => g.title)).toEqual([expect.stringMatching(/^cluster context not read: .*401 Unauthorized/)]);
    expect(report.peers.every((p) => p.kind === undefined)).toBe(true);
  }, 60_000);
});
