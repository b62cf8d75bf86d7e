import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import type { ClusterContext, ClusterView } from '../../src/domain/cluster.js';
import type { Report } from '../../src/domain/report.js';
import { KUBE_PROXY, SnapshotBuilder } from '../helpers/snapshot-builder.js';

const rules = (r: Report, id: string) => r.findings.filter((f) => f.rule === id);

/** The node of the incident: kube-proxy holds 31493 with a full queue of health-check CLOSE-WAIT. */
function node(cluster?: ClusterView, cmdline = 'kube-proxy --config=/var/lib/kube-proxy/config.conf') {
  const b = new SnapshotBuilder()
    .meta({ node: 'ip-10-0-0-1', hostname: 'ip-10-0-0-1' })
    .process(KUBE_PROXY.pid, KUBE_PROXY.name, cmdline)
    .listener(31493, 129, { owner: KUBE_PROXY, samples: [129] })
    .socket('CLOSE-WAIT', 31493, '198.18.0.7', { count: 100, recvQ: 1 })
    .socket('CLOSE-WAIT', 31493, '198.18.210.5', { count: 29, recvQ: 1 })
    .socket('CLOSE-WAIT', 8080, '198.18.200.2', { count: 3, recvQ: 1 })
    .socket('SYN-RECV', 8080, '198.18.220.10', { count: 1 })
    .counters({ TcpExtListenOverflows: 100 }, 0)
    .counters({ TcpExtListenOverflows: 150 }, 5)
    .sysctl({ 'net.core.somaxconn': 128 });
  if (cluster) b.with({ cluster });
  return b.build();
}

/** A cluster where shop/neo-web owns NodePort 31493; `endpoints` decides its verdict. */
function cluster(opts: { endpoints?: ClusterContext['endpoints']; policy?: string; proxyMode?: string | null; noService?: boolean; gaps?: ClusterContext['gaps'] } = {}): ClusterView {
  return {
    status: 'read',
    context: {
      services: opts.noService
        ? []
        : [{ namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: opts.policy ?? 'Cluster', clusterIPs: ['198.18.220.10'], ports: [{ port: 80, nodePort: 31493, protocol: 'TCP' }] }],
      endpoints: opts.endpoints ?? [],
      pods: [
        { namespace: 'shop', name: 'neo-api-5c6d-k2p9q', uid: 'u1', nodeName: 'ip-10-0-0-1', podIPs: ['198.18.210.5'], hostNetwork: false },
        { namespace: 'kube-system', name: 'kube-proxy-abcde', uid: 'u2', nodeName: 'ip-10-0-0-2', podIPs: ['198.18.200.2'], hostNetwork: true },
      ],
      nodes: [
        { name: 'ip-10-0-0-1', addresses: ['198.18.200.1'] },
        { name: 'ip-10-0-0-2', addresses: ['198.18.200.2'] },
      ],
      proxyMode: opts.proxyMode === undefined ? '' : opts.proxyMode,
      gaps: opts.gaps ?? [],
    },
  };
}

const ready = (nodeName: string) => [{ namespace: 'shop', service: 'neo-web', addresses: ['198.18.210.9'], ready: true, nodeName }];

describe('NodePort verdicts from the cluster context', () => {
  describe('when the Service has no endpoints', () => {
    const report = analyze(node(cluster()));
    const [trap] = rules(report, 'kube-proxy-nodeport-trap');

    it('confirms the trap and names the Service as namespace/name', () => {
      expect(trap?.facts.confirmed).toBe(true);
      expect(trap?.title).toContain('31493 (shop/neo-web, 0 ready endpoints)');
      expect(trap?.facts.services).toEqual([{ port: 31493, namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Cluster', readyEndpoints: 0, confirmed: true, verdict: 'no-endpoints' }]);
      expect(trap?.commands).toContain('kubectl get endpointslices -n shop -l kubernetes.io/service-name=neo-web');
    });

    it('reads the mode from the ConfigMap', () => {
      expect(trap?.evidence[0]).toBe('kube-proxy (pid 1515): kube-system/kube-proxy ConfigMap: mode "" (iptables, the default)');
    });

    it('says which unknown peers look like load-balancer health checks', () => {
      expect(trap?.facts.peers).toEqual([
        { ip: '198.18.0.7', count: 100 },
        { ip: '198.18.210.5', count: 29 },
      ]);
      expect(trap?.facts.healthCheckers).toEqual(['198.18.0.7']);
      expect(trap?.evidence.at(-1)).toBe("198.18.0.7: not a pod, node or Service, and it connects and closes at once with no data: the pattern of a load balancer's health checks");
    });

    it('raises no rules-missing finding', () => {
      expect(rules(report, 'kube-proxy-rules-missing')).toEqual([]);
    });
  });

  describe('when the Service has ready endpoints', () => {
    const report = analyze(node(cluster({ endpoints: ready('ip-10-0-0-2') })));
    const [missing] = rules(report, 'kube-proxy-rules-missing');

    it('moves the port from the trap to kube-proxy-rules-missing', () => {
      expect(rules(report, 'kube-proxy-nodeport-trap')).toEqual([]);
      expect(missing?.severity).toBe('critical');
      expect(missing?.ports).toEqual([31493]);
      expect(missing?.facts.services).toEqual([{ port: 31493, namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Cluster', readyEndpoints: 1, confirmed: true, verdict: 'rules-missing' }]);
      expect(missing?.title).toBe("connections land on kube-proxy's socket on NodePort 31493 (shop/neo-web, 1 ready endpoint): this node's DNAT rules for it are missing or stale");
    });

    it('explains the full queue and points at the rules, not the endpoints', () => {
      expect(missing?.explains).toContain('accept-queue-full');
      expect(rules(report, 'accept-queue-full')[0]?.explainedBy).toEqual(['kube-proxy-rules-missing']);
      expect(missing?.commands[0]).toBe("iptables-save -t nat | grep -E -- '--dport (31493)\\b'");
      expect(report.verdict.headline).toContain('(kube-proxy NodePorts)');
    });
  });

  describe('when externalTrafficPolicy is Local', () => {
    it('says health checks are meant to fail when no endpoint is on this node', () => {
      const report = analyze(node(cluster({ policy: 'Local', endpoints: ready('ip-10-0-0-2') })));
      const [local] = rules(report, 'nodeport-local-policy');
      expect(local?.severity).toBe('info');
      expect(local?.facts.services).toEqual([{ port: 31493, namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Local', readyEndpoints: 1, confirmed: true, verdict: 'local-policy' }]);
      expect(rules(report, 'kube-proxy-nodeport-trap')).toEqual([]);
      expect(rules(report, 'kube-proxy-rules-missing')).toEqual([]);
    });

    it('is rules-missing when an endpoint is on this node', () => {
      const report = analyze(node(cluster({ policy: 'Local', endpoints: ready('ip-10-0-0-1') })));
      expect(rules(report, 'kube-proxy-rules-missing')[0]?.facts.services).toMatchObject([{ verdict: 'rules-missing' }]);
    });
  });

  it('keeps the trap, confirmed, for a NodePort no Service has', () => {
    const [trap] = rules(analyze(node(cluster({ noService: true }))), 'kube-proxy-nodeport-trap');
    expect(trap?.facts.services).toEqual([{ port: 31493, namespace: null, name: null, type: null, externalTrafficPolicy: null, readyEndpoints: 0, confirmed: true, verdict: 'no-service' }]);
    expect(trap?.title).toContain('31493 (no Service has it)');
  });

  it.each([
    ['nftables', 0],
    ['ipvs', 1],
    ['', 1],
  ])('applies the trap in ConfigMap mode %j: %i finding', (mode, n) => {
    expect(rules(analyze(node(cluster({ proxyMode: mode }))), 'kube-proxy-nodeport-trap')).toHaveLength(n);
  });

  it('falls back to the flags when the ConfigMap sets no mode', () => {
    const [trap] = rules(analyze(node(cluster({ proxyMode: null }), 'kube-proxy --proxy-mode=ipvs')), 'kube-proxy-nodeport-trap');
    expect(trap?.evidence[0]).toBe('kube-proxy (pid 1515): --proxy-mode=ipvs');
  });
});

describe('when the cluster could not be read', () => {
  const unread: ClusterView = { status: 'unread', resources: ['services', 'endpointslices', 'pods', 'nodes', 'configmaps/kube-system/kube-proxy'], reason: 'The Kubernetes API forbade reading services: services is forbidden' };
  const without = analyze(node());
  const withGap = analyze(node(unread));

  it("gives today's report plus one collection-gap with source cluster", () => {
    const gaps = rules(withGap, 'collection-gap').filter((f) => f.facts.source === 'cluster');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.title).toBe('cluster context not read: The Kubernetes API forbade reading services: services is forbidden');
    expect({ ...withGap, findings: withGap.findings.filter((f) => f.facts.source !== 'cluster') }).toEqual(without);
  });

  it('keeps the trap unconfirmed, as a suspicion', () => {
    expect(rules(withGap, 'kube-proxy-nodeport-trap')[0]?.facts.confirmed).toBe(false);
  });

  it('leaves peers unnamed', () => {
    expect(withGap.peers.every((p) => !('name' in p) && !('kind' in p))).toBe(true);
  });
});

describe('a cluster read with a resource forbidden', () => {
  it('says which resource, with source cluster', () => {
    const report = analyze(node(cluster({ gaps: [{ resource: 'pods', reason: 'The Kubernetes API forbade reading pods: forbidden' }] })));
    const gaps = rules(report, 'collection-gap').filter((f) => f.facts.source === 'cluster');
    expect(gaps.map((g) => g.title)).toEqual(['cluster context: pods not read']);
  });
});

describe('peers named from the cluster', () => {
  const report = analyze(node(cluster()));
  const who = (ip: string) => report.peers.filter((p) => p.ip === ip).map((p) => [p.name, p.kind]);

  it.each([
    ['198.18.210.5', 'shop/neo-api-5c6d-k2p9q', 'pod'],
    ['198.18.200.2', 'ip-10-0-0-2', 'node'],
    ['198.18.220.10', 'shop/neo-web', 'service'],
    ['198.18.0.7', null, 'unknown'],
  ])('names %s as %s (%s)', (ip, name, kind) => {
    expect(who(ip)[0]).toEqual([name, kind]);
  });
});
