/**
 * KubeTransport against the API server double: both modes through collectBundle, real sockets in
 * network namespaces, and the debug pod deleted on every path out.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, diagnose } from '../../jobs/diagnose.js';
import { openedNode } from '../helpers/opened.js';
import { kubeConfigSchema, type KubeSettingsInput } from '../../src/config/kube-schema.js';
import { KubeTransport, lookupNodeAddress } from '../../src/collect/transports/kube.js';
import { ErrorCode, type TcpcheckError } from '../../src/errors.js';
import { startKubeDouble, type KubeDouble, type KubeDoubleOptions } from '../doubles/kube/server.js';
import { createNetns, listenIn, type TestNetns } from '../doubles/kube/netns.js';
import { startLab, type Lab } from '../lab/lab.js';

const AGENT_LABELS = { 'app.kubernetes.io/name': 'tcpcheck-agent' };
const PORT_A = 18531;

function kubeConfigFor(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

function transport(api: KubeDouble, node: string, settings: KubeSettingsInput = {}, kubeconfig = api.writeKubeconfig()): KubeTransport {
  return new KubeTransport({ node, settings: kubeConfigSchema.parse(settings), kubeConfig: kubeConfigFor(kubeconfig) });
}

async function failureOf(p: Promise<unknown>): Promise<TcpcheckError> {
  try {
    await p;
  } catch (e) {
    return e as TcpcheckError;
  }
  throw new Error('expected a failure');
}

const sectionText = (bundle: Awaited<ReturnType<typeof collectBundle>>, name: string) => bundle.sections.find((s) => s.name === name)?.stdout ?? '';

describe('KubeTransport', () => {
  let nsA: TestNetns;
  let nsB: TestNetns;
  let listener: ChildProcess;

  beforeAll(async () => {
    nsA = createNetns('ka');
    nsB = createNetns('kb');
    listener = await listenIn(nsA.name, PORT_A);
  });
  afterAll(() => {
    listener?.kill('SIGKILL');
    nsA?.remove();
    nsB?.remove();
  });

  const doubleWith = (extra: Partial<KubeDoubleOptions> = {}) =>
    startKubeDouble({
      nodes: [
        { name: 'tck-node-a', netns: nsA.name, internalIP: '198.18.210.1' },
        { name: 'tck-node-b', netns: nsB.name, internalIP: '198.18.210.2' },
      ],
      pods: [{ name: 'tcpcheck-agent-x1', namespace: 'tcpcheck', node: 'tck-node-a', labels: AGENT_LABELS }],
      ...extra,
    });

  describe('in daemonset mode', () => {
    let api: KubeDouble;
    beforeAll(async () => {
      api = await doubleWith();
    });
    afterAll(() => api?.close());

    it('execs the plan in the agent pod of that node and brings back its sections', async () => {
      const bundle = await collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a')), { intervalSec: 0 });
      expect(bundle.transport).toBe('kube');
      expect(bundle.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['meta', 'sysctl', 'counters-1', 'ss-all', 'counters-2', 'sockstat']));
      expect(sectionText(bundle, 'ss-all')).toContain(`127.0.0.1:${PORT_A}`);
      const exec = api.execs.at(-1)!;
      expect(exec.pod).toBe('tcpcheck-agent-x1');
      expect(exec.container).toBe('agent');
      expect(exec.command.slice(0, 2)).toEqual(['sh', '-c']);
      // Only name=hex words follow the script: the interval and this run's nonce.
      expect(exec.command.slice(3)).toEqual(['tcpcheck', 'interval=0', expect.stringMatching(/^nonce=[0-9a-f]{32}$/)]);
      expect(exec.exitCode).toBe(0);
      const list = api.calls.find((c) => c.path === '/api/v1/namespaces/tcpcheck/pods' && c.method === 'GET');
      expect(list?.query).toMatchObject({ labelSelector: ['app.kubernetes.io/name=tcpcheck-agent'], fieldSelector: ['spec.nodeName=tck-node-a'] });
      expect(api.violations).toEqual([]);
    });

    it('says clearly when no agent pod runs on the node', async () => {
      const err = await failureOf(collectBundle(openedNode('tck-node-b', transport(api, 'tck-node-b')), { intervalSec: 0 }));
      expect(err.code).toBe(ErrorCode.KubeNoAgentPod);
      expect(err.message).toContain('tck-node-b');
      expect(err.message).toContain('no agent pod runs there');
      expect(err.hint).toContain('deploy/');
    });

    it('refuses a node the cluster does not know before doing anything', async () => {
      const err = await failureOf(collectBundle(openedNode('tck-node-zz', transport(api, 'tck-node-zz')), { intervalSec: 0 }));
      expect(err.code).toBe(ErrorCode.NodeNotFound);
    });

    it('refuses a node name that is not a Kubernetes name', () => {
      expect(() => transport(api, 'a,spec.nodeName!=x')).toThrow(/not a Kubernetes node name/);
    });

    it('reports refused credentials as an API error', async () => {
      const err = await failureOf(collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', {}, api.writeKubeconfig({ token: 'wrong' }))), { intervalSec: 0 }));
      expect(err.code).toBe(ErrorCode.KubeApi);
      expect(err.message).toContain('401');
    });

    it('looks up the InternalIP of a node for the inventory', async () => {
      const kc = kubeConfigFor(api.writeKubeconfig());
      await expect(lookupNodeAddress('tck-node-b', kc)).resolves.toBe('198.18.210.2');
      await expect(lookupNodeAddress('tck-node-zz', kc)).rejects.toMatchObject({ code: ErrorCode.NodeNotFound });
    });
  });

  it('reports an API server that is down as a retryable API error', async () => {
    const api = await doubleWith();
    const kubeconfig = api.writeKubeconfig();
    await api.close();
    const err = await failureOf(collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', {}, kubeconfig)), { intervalSec: 0 }));
    expect(err.code).toBe(ErrorCode.KubeApi);
    expect(err.message).toMatch(/Could not reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/);
    expect(err.retryable).toBe(true);
  });

  describe('in debug-pod mode', () => {
    const debug: KubeSettingsInput = { mode: 'debug-pod', container: 'debugger' };

    it('creates a host pod on the node, execs the plan chrooted into the host, and deletes the pod', async () => {
      const api = await doubleWith();
      try {
        const bundle = await collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', debug)), { intervalSec: 0 });
        expect(sectionText(bundle, 'ss-all')).toContain(`127.0.0.1:${PORT_A}`);
        expect(api.created).toHaveLength(1);
        const [pod] = api.created;
        expect(pod).toMatchObject({ namespace: 'tcpcheck', deleted: true, gracePeriodSeconds: 0 });
        expect(pod!.body).toMatchObject({
          spec: {
            nodeName: 'tck-node-a',
            hostNetwork: true,
            hostPID: true,
            tolerations: [{ operator: 'Exists' }],
            containers: [{ name: 'debugger', image: 'busybox:1.36', volumeMounts: [{ mountPath: '/host' }] }],
            volumes: [{ hostPath: { path: '/' } }],
          },
        });
        const exec = api.execs.at(-1)!;
        expect(exec.pod).toBe(pod!.name);
        expect(exec.command.slice(0, 4)).toEqual(['chroot', '/host', 'sh', '-c']);
        expect(exec.exitCode).toBe(0);
        // The wait loop saw it Pending first, then Running.
        expect(api.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/pods/${pod!.name}`)).length).toBeGreaterThanOrEqual(2);
        expect(api.pods.has(`tcpcheck/${pod!.name}`)).toBe(false);
      } finally {
        await api.close();
      }
    });

    it('deletes the pod when the exec is refused', async () => {
      const api = await doubleWith({ forbidExec: true });
      try {
        const err = await failureOf(collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', debug)), { intervalSec: 0 }));
        expect(err.code).toBe(ErrorCode.KubeApi);
        expect(err.message).toContain('cannot create resource "pods/exec"');
        expect(err.hint).toContain('rbac');
        expect(api.created).toHaveLength(1);
        expect(api.created[0]).toMatchObject({ deleted: true, gracePeriodSeconds: 0 });
      } finally {
        await api.close();
      }
    });

    it('deletes the pod when it never becomes Running', async () => {
      const api = await doubleWith({ podStartup: 'never' });
      try {
        const err = await failureOf(collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', { ...debug, podReadyTimeoutMs: 1000 })), { intervalSec: 0 }));
        expect(err.code).toBe(ErrorCode.KubePodNotReady);
        expect(err.message).toContain('ContainerCreating');
        expect(api.execs).toHaveLength(0);
        expect(api.created).toHaveLength(1);
        expect(api.created[0]).toMatchObject({ deleted: true, gracePeriodSeconds: 0 });
      } finally {
        await api.close();
      }
    });

    it('deletes the pod and stops the command when the run is cancelled', async () => {
      const api = await doubleWith();
      try {
        const ctl = new AbortController();
        const ended = once(api.events, 'exec-end');
        api.events.once('exec-start', () => ctl.abort());
        // A 30 s interval: the plan is sleeping between its samples when the abort comes.
        const err = await failureOf(collectBundle(openedNode('tck-node-a', transport(api, 'tck-node-a', debug)), { intervalSec: 30, signal: ctl.signal }));
        expect(err.code).toBe(ErrorCode.Cancelled);
        expect(api.created).toHaveLength(1);
        expect(api.created[0]).toMatchObject({ deleted: true, gracePeriodSeconds: 0 });
        await ended;
        expect(api.execs[0]!.exitCode).toBeNull();
      } finally {
        await api.close();
      }
    });

    it('does not create anything for a node the cluster does not know', async () => {
      const api = await doubleWith();
      try {
        const err = await failureOf(collectBundle(openedNode('tck-node-zz', transport(api, 'tck-node-zz', debug)), { intervalSec: 0 }));
        expect(err.code).toBe(ErrorCode.NodeNotFound);
        expect(api.created).toHaveLength(0);
      } finally {
        await api.close();
      }
    });
  });

  describe('on a lab node with the incident pathologies', () => {
    let lab: Lab;
    let api: KubeDouble;
    beforeAll(async () => {
      lab = await startLab({ nodes: 1, pathologies: true });
      const node = lab.nodes[0]!;
      api = await startKubeDouble({
        nodes: [{ name: 'tck-lab-node', netns: node.netns, internalIP: node.address }],
        pods: [{ name: 'tcpcheck-agent-lab', namespace: 'tcpcheck', node: 'tck-lab-node', labels: AGENT_LABELS }],
      });
    });
    afterAll(async () => {
      await api?.close();
      await lab?.stop();
    });

    it('finds the kube-proxy NodePort trap through the agent pod', async () => {
      const { report } = await diagnose({ kind: 'node', node: openedNode('tck-lab-node', transport(api, 'tck-lab-node')) }, { intervalSec: 1 });
      const rules = report.findings.map((f) => f.rule);
      expect(rules).toEqual(expect.arrayContaining(['accept-queue-full', 'kube-proxy-nodeport-trap']));
      const trap = report.findings.find((f) => f.rule === 'kube-proxy-nodeport-trap')!;
      expect(trap.ports).toContain(lab.ports.trap);
      expect(report.findings.filter((f) => f.severity !== 'info').flatMap((f) => f.ports)).not.toContain(lab.ports.healthy);
    });
  });
});
