/**
 * Sockets inside a pod and CPU throttling on a real kernel: a "pod" (its own network namespace and
 * a cgroup whose path carries its UID, kubelet's cgroupfs layout on cgroup v1) runs a server that
 * accepts and never closes, and a busy loop under a 0.1 CPU limit. The node's plan, run here,
 * enters the pod's namespace and reads its cgroup twice; the Kubernetes API double names the pod.
 * The other cgroup layouts (systemd driver, cgroup v2) are read from fixtures (test/parse/cgroup.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../jobs/diagnose.js';
import { openClusterSource } from '../../src/cluster/cluster-source.js';
import { LocalTransport } from '../../src/collect/transports/local.js';
import { clusterConfigSchema } from '../../src/config/cluster-schema.js';
import type { Report } from '../../src/domain/report.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { openedNode } from '../helpers/opened.js';
import { cpuHierarchy, createLabPod, type LabPod } from '../lab/pod-cgroup.js';

const LEAK_PORT = 18680;
const CLIENTS = 30;
const hierarchy = cpuHierarchy();

/** Accepts and never reads or closes; its own clients (inside the pod) send a line and hang up. */
const LEAKY_SERVER = `
const net = require('net');
const held = [];
// pauseOnConnect: Node would otherwise read every socket into its own buffers, emptying Recv-Q.
net.createServer({ pauseOnConnect: true }, (s) => held.push(s)).listen(${LEAK_PORT}, '127.0.0.1', () => {
  // Each client sends a line and hangs up (FIN); the server never reads or closes, so its side
  // stays CLOSE-WAIT holding the line. Ready once every FIN is sent and every connection accepted.
  let sent = 0;
  const clients = [];
  const check = () => { if (sent === ${CLIENTS} && held.length === ${CLIENTS}) setTimeout(() => console.log('ready'), 300); else setTimeout(check, 50); };
  for (let i = 0; i < ${CLIENTS}; i++) {
    const c = net.connect(${LEAK_PORT}, '127.0.0.1', () => c.end('GET / HTTP/1.0\\r\\n\\r\\n'));
    c.on('finish', () => { sent++; });
    clients.push(c);
  }
  check();
});
setTimeout(() => process.exit(0), 120000);
`;

/** Spins for at most 60 s: throttled at once under the pod's limit. */
const BUSY_LOOP = `console.log('ready'); const end = Date.now() + 60000; while (Date.now() < end) {}`;

describe.skipIf(hierarchy === null)('pods on a real kernel (cgroup v1 cpu hierarchy)', () => {
  let pod: LabPod;
  let api: KubeDouble;
  let report: Report;

  beforeAll(async () => {
    pod = createLabPod(hierarchy!, { cpuLimit: 0.1 });
    const server = await pod.run(LEAKY_SERVER);
    await pod.run(BUSY_LOOP);
    api = await startKubeDouble({
      nodes: [{ name: 'tck-this-node', netns: 'unused', internalIP: '198.18.200.1' }],
      pods: [{ name: 'neo-web-7d9f-x2k4p', namespace: 'shop', node: 'tck-this-node', labels: { app: 'neo-web' }, hostNetwork: false, podIP: '198.18.210.5', uid: pod.uid }],
    });
    const cluster = openClusterSource(clusterConfigSchema.parse({ enabled: true }), { kubeconfig: api.writeKubeconfig() });
    report = (await diagnose({ kind: 'node', node: openedNode('tck-this-node', new LocalTransport(), {}, cluster) }, { intervalSec: 2 })).report;
    expect(server.pid).toBeGreaterThan(0);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await pod?.remove();
  });

  const mine = () => report.findings.filter((f) => f.facts.podUid === pod.uid);

  it("reports the leak inside the pod's namespace under the pod's name, with its owner", () => {
    const leak = mine().find((f) => f.rule === 'close-wait-leak');
    expect(leak?.title).toBe(`in pod shop/neo-web-7d9f-x2k4p: ${CLIENTS} CLOSE-WAIT, most on ${LEAK_PORT} (${CLIENTS})`);
    expect(leak?.evidence[0]).toMatch(new RegExp(`^${LEAK_PORT}: ${CLIENTS} CLOSE-WAIT sockets, ${CLIENTS} held by node \\(pid \\d+\\)`));
    expect(mine().find((f) => f.rule === 'close-wait-unread')?.ports).toEqual([LEAK_PORT]);
  });

  it("does not count the pod's sockets as the node's", () => {
    expect(report.findings.filter((f) => f.facts.podUid === undefined).flatMap((f) => f.ports)).not.toContain(LEAK_PORT);
  });

  it('measures the pod throttled under its 0.1 CPU limit', () => {
    const [t] = report.findings.filter((f) => f.rule === 'cpu-throttling');
    const entry = (t?.facts.pods as { podUid: string; share: number; limitCores: number; periods: number }[] | undefined)?.find((p) => p.podUid === pod.uid);
    expect(entry?.limitCores).toBe(0.1);
    expect(entry?.periods).toBeGreaterThanOrEqual(10);
    expect(entry?.share).toBeGreaterThan(0.5);
    expect(t?.title).toContain('shop/neo-web-7d9f-x2k4p');
  });
});
