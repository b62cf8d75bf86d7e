import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { measureThrottling } from '../../src/analyze/rules/cpu-throttling.js';
import type { ClusterView } from '../../src/domain/cluster.js';
import type { PodsView, Socket } from '../../src/domain/snapshot.js';
import { SnapshotBuilder } from '../helpers/snapshot-builder.js';

const UID = '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f';
const OWNER = { name: 'neo-web', pid: 4242, fd: 7 };

function sock(state: Socket['state'], port: number, peer: string, recvQ: number, owned = true): Socket {
  return { state, recvQ, sendQ: state === 'LISTEN' ? 128 : 0, localAddress: '198.18.210.5', localPort: port, peerAddress: peer, peerPort: state === 'LISTEN' ? null : 40000, processes: owned ? [OWNER] : [] };
}

/** A pod whose server accepts and never closes: 40 CLOSE-WAIT holding the bytes clients sent. */
const leakingPod = (podUid: string | null, runtimeNames: PodsView['runtimeNames'] = {}): PodsView => ({
  runtimeNames,
  netns: [{ netns: 'net:[4026532890]', pid: 4242, podUid, sockets: [sock('LISTEN', 8080, '*', 3), ...Array.from({ length: 40 }, () => sock('CLOSE-WAIT', 8080, '198.18.0.9', 120))] }],
  netnsCapped: false,
  cpu: [
    { podUid: UID, cgroup: `/sys/fs/cgroup/cpu/kubepods/burstable/pod${UID}`, limitCores: 0.1, first: { nrPeriods: 100, nrThrottled: 10, throttledUsec: 1_000_000 }, second: { nrPeriods: 150, nrThrottled: 50, throttledUsec: 3_500_000 } },
    { podUid: 'aaaaaaaa-1d2a-4c5b-9e8f-7a6b5c4d3e2f', cgroup: '/sys/fs/cgroup/kubepods/podaaaaaaaa-1d2a-4c5b-9e8f-7a6b5c4d3e2f', limitCores: 2, first: { nrPeriods: 100, nrThrottled: 0, throttledUsec: 0 }, second: { nrPeriods: 150, nrThrottled: 1, throttledUsec: 1000 } },
  ],
});

const named: ClusterView = {
  status: 'read',
  context: { services: [], endpoints: [], pods: [{ namespace: 'shop', name: 'neo-web-7d9f-abcde', uid: UID, nodeName: 'node-a', podIPs: ['198.18.210.5'], hostNetwork: false }], nodes: [], proxyMode: null, gaps: [] },
};

const nodeWith = (pods: PodsView, cluster?: ClusterView) => {
  const b = new SnapshotBuilder().listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } }).with({ pods });
  if (cluster) b.with({ cluster });
  return b.build();
};

describe('findings inside pods', () => {
  it('reports a CLOSE-WAIT leak under the pod name, with its owner process', () => {
    const report = analyze(nodeWith(leakingPod(UID), named));
    const leak = report.findings.find((f) => f.rule === 'close-wait-leak');
    expect(leak?.title).toBe('in pod shop/neo-web-7d9f-abcde: 40 CLOSE-WAIT, most on 8080 (40)');
    expect(leak?.facts).toMatchObject({ pod: 'shop/neo-web-7d9f-abcde', podUid: UID, netns: 'net:[4026532890]' });
    expect(leak?.evidence[0]).toContain('40 held by neo-web (pid 4242)');
    expect(leak?.commands[0]).toMatch(/^nsenter -t 4242 -n ss -tanp state close-wait/);
  });

  it('names the pod by UID when the cluster was not read', () => {
    const report = analyze(nodeWith(leakingPod(UID)));
    expect(report.findings.find((f) => f.rule === 'close-wait-leak')?.title).toMatch(/^in pod 0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f: /);
  });

  it('names the pod from the container runtime when the cluster was not read', () => {
    const report = analyze(nodeWith(leakingPod(UID, { [UID]: { namespace: 'shop', name: 'neo-web-7d9f-abcde' } })));
    expect(report.findings.find((f) => f.rule === 'close-wait-leak')?.title).toBe('in pod shop/neo-web-7d9f-abcde: 40 CLOSE-WAIT, most on 8080 (40)');
  });

  it('names the namespace and process when no pod UID was found', () => {
    const report = analyze(nodeWith(leakingPod(null)));
    expect(report.findings.find((f) => f.rule === 'close-wait-leak')?.title).toMatch(/^in network namespace net:\[4026532890\] \(pid 4242\): /);
  });

  it('keeps the node findings free of the pod sockets', () => {
    const report = analyze(nodeWith(leakingPod(UID)));
    expect(report.findings.filter((f) => f.facts.pod === undefined && f.rule === 'close-wait-leak')).toEqual([]);
    expect(report.states['CLOSE-WAIT']).toBeUndefined();
  });
});

describe('cpu-throttling', () => {
  it('names the pods throttled in more than a quarter of their periods, with limits, and ties the backlogged listener to them', () => {
    const report = analyze(nodeWith(leakingPod(UID), named));
    const [t] = report.findings.filter((f) => f.rule === 'cpu-throttling');
    expect(t?.title).toBe('1 pod CPU-throttled in more than 25.0% of periods: shop/neo-web-7d9f-abcde (80.0%, limit 0.1 CPU)');
    expect(t?.ports).toEqual([]);
    expect(t?.detail).toContain('the owner is throttled, so it accepts slowly');
    expect(t?.facts.pods).toEqual([{ pod: 'shop/neo-web-7d9f-abcde', podUid: UID, periods: 50, throttled: 40, share: 0.8, throttledSec: 2.5, limitCores: 0.1, backloggedPorts: [8080] }]);
  });

  it.each([
    ['a single sample', { first: { nrPeriods: 1, nrThrottled: 1, throttledUsec: 1 }, second: null }],
    ['too few periods', { first: { nrPeriods: 1, nrThrottled: 0, throttledUsec: 0 }, second: { nrPeriods: 5, nrThrottled: 4, throttledUsec: 9 } }],
    ['a recreated cgroup', { first: { nrPeriods: 1000, nrThrottled: 900, throttledUsec: 9 }, second: { nrPeriods: 1200, nrThrottled: 10, throttledUsec: 9 } }],
  ])('reads no throttling from %s', (_what, samples) => {
    expect(measureThrottling([{ podUid: UID, cgroup: '/x', limitCores: 1, ...samples }])).toEqual([]);
  });

  it('says nothing without pod data', () => {
    expect(analyze(new SnapshotBuilder().build()).findings.filter((f) => f.rule === 'cpu-throttling')).toEqual([]);
  });
});

describe('pod findings beside the node', () => {
  it("do not flag the node's own listener on the same port, nor count in the node's headline", () => {
    const snap = new SnapshotBuilder().listener(8080, 0, { owner: { name: 'nginx', pid: 900, fd: 6 } }).with({ pods: leakingPod(UID) }).build();
    const report = analyze(snap);
    expect(report.findings.some((f) => f.rule === 'close-wait-leak' && f.ports.includes(8080))).toBe(true);
    expect(report.flaggedPorts).not.toContain(8080);
    expect(report.listeners.find((l) => l.port === 8080)?.flagged).toBe(false);
    expect(report.verdict.headline).not.toMatch(/^\d+ CLOSE-WAIT/);
  });
});
