import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { KUBE_PROXY, SnapshotBuilder } from '../helpers/snapshot-builder.js';

const rules = (r: ReturnType<typeof analyze>, id: string) => r.findings.filter((f) => f.rule === id);

/** A node where kube-proxy holds two NodePorts: one full of health-check CLOSE-WAIT, one backlogged. */
function node(cmdline: string | null, owner = KUBE_PROXY) {
  return new SnapshotBuilder()
    .meta({ hostname: 'ip-10-0-0-1' })
    .process(owner.pid, owner.name, cmdline)
    .listener(31493, 129, { owner, samples: [129] })
    .listener(30613, 5, { owner, samples: [5] })
    .listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } })
    .socket('CLOSE-WAIT', 31493, '198.18.0.7', { count: 129, recvQ: 1 })
    .socket('SYN-RECV', 31493, '198.18.0.7', { count: 2 })
    .socket('CLOSE-WAIT', 30613, '198.18.0.8', { count: 5, recvQ: 1 })
    .counters({ TcpExtListenOverflows: 100 }, 0)
    .counters({ TcpExtListenOverflows: 150 }, 5)
    .sysctl({ 'net.core.somaxconn': 128, 'net.ipv4.tcp_abort_on_overflow': 0 })
    .build();
}

describe('kube-proxy-nodeport-trap', () => {
  describe('when kube-proxy runs in the default iptables mode', () => {
    const report = analyze(node('kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --v=2'));
    const [trap] = rules(report, 'kube-proxy-nodeport-trap');

    it('names the trap as the critical cause, first', () => {
      expect(report.findings[0]?.rule).toBe('kube-proxy-nodeport-trap');
      expect(trap).toMatchObject({ severity: 'critical', ports: [30613, 31493] });
      expect(report.verdict.cause).toBe(trap?.title);
      expect(report.verdict.headline).toBe('1 accept queue full (kube-proxy NodePorts), 134 CLOSE-WAIT, 10 listen overflows/s');
    });

    it('explains the symptoms it causes, and they point back at it', () => {
      expect(trap?.explains).toEqual([
        'accept-queue-full',
        'accept-queue-backlog',
        'syn-recv-stuck',
        'close-wait-leak',
        'close-wait-unaccepted',
        'listen-overflow',
        'somaxconn-low',
      ]);
      for (const rule of trap?.explains ?? []) for (const f of rules(report, rule)) expect(f.explainedBy).toEqual(['kube-proxy-nodeport-trap']);
    });

    it('shows the tell: a CLOSE-WAIT count equal to the queue length', () => {
      expect(trap?.evidence).toContain('31493: accept queue 129/128 (full), 129 CLOSE-WAIT sockets seen = queue length: nothing is accepted');
      expect(trap?.evidence[0]).toBe('kube-proxy (pid 1515): no --proxy-mode flag: iptables (the default)');
    });

    it('recommends finding the Service, giving it endpoints and restarting kube-proxy on this node', () => {
      expect(trap?.commands).toEqual([
        "kubectl get svc -A -o wide | grep -E ':(30613|31493)/'",
        'kubectl get endpoints -n NAMESPACE SERVICE',
        'kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=ip-10-0-0-1',
        'systemctl restart kube-proxy',
      ]);
      expect(trap?.detail).toContain('kubernetes/kubernetes#43212, #106713');
      expect(trap?.detail).toContain('Raising somaxconn only treats the symptom');
    });
  });

  it.each([
    ['kube-proxy --proxy-mode=ipvs', 'ipvs mode'],
    ['kube-proxy --proxy-mode ipvs --v=2', 'ipvs mode'],
    ['kube-proxy --config=/var/lib/kube-proxy/config.conf', 'iptables or ipvs mode'],
    [null, 'iptables mode'],
  ])('fires for %s', (cmdline, mode) => {
    expect(rules(analyze(node(cmdline)), 'kube-proxy-nodeport-trap')[0]?.detail).toContain(mode);
  });

  it('does not fire in userspace mode, where kube-proxy accepts', () => {
    const report = analyze(node('kube-proxy --proxy-mode=userspace'));
    expect(rules(report, 'kube-proxy-nodeport-trap')).toEqual([]);
    expect(rules(report, 'accept-queue-full')[0]?.explainedBy).toBeUndefined();
  });

  it('does not fire for another owner', () => {
    expect(rules(analyze(node(null, { name: 'nginx', pid: 90, fd: 4 })), 'kube-proxy-nodeport-trap')).toEqual([]);
  });

  it('does not claim a full queue of another process', () => {
    const snap = node(null);
    snap.listenSamples[1]?.listeners.push({ ...snap.sockets.sockets[0]!, localPort: 8080, processes: [] });
    const report = analyze(snap);
    expect(rules(report, 'accept-queue-full')[0]?.ports).toEqual([8080, 31493]);
    expect(rules(report, 'kube-proxy-nodeport-trap')[0]?.explains).not.toContain('accept-queue-full');
  });
});
