/**
 * The API server double is only worth something if real clients accept it: kubectl (Debian's
 * 1.20, which execs over SPDY/3.1, and a current one, which execs over WebSocket v5, when this
 * machine has one) runs `get nodes` and `exec ... -- ss -ltn` against it here.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectls, runAsync, versionOf } from '../helpers/kubectl.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { createNetns, listenIn, type TestNetns } from '../doubles/kube/netns.js';

const bins = findKubectls();

describe('the Kubernetes API server double, driven by kubectl', () => {
  let api: KubeDouble;
  let nsA: TestNetns;
  let nsB: TestNetns;
  const listeners: ChildProcess[] = [];
  let kubeconfig: string;

  beforeAll(async () => {
    nsA = createNetns('a');
    nsB = createNetns('b');
    listeners.push(await listenIn(nsA.name, 18431), await listenIn(nsB.name, 18432));
    api = await startKubeDouble({
      nodes: [
        { name: 'tck-node-a', netns: nsA.name, internalIP: '198.18.200.1' },
        { name: 'tck-node-b', netns: nsB.name, internalIP: '198.18.200.2' },
      ],
      pods: [{ name: 'tcpcheck-agent-a', namespace: 'tcpcheck', node: 'tck-node-a', labels: { 'app.kubernetes.io/name': 'tcpcheck-agent' } }],
    });
    kubeconfig = api.writeKubeconfig();
  });

  afterAll(async () => {
    for (const l of listeners) l.kill('SIGKILL');
    await api?.close();
    nsA?.remove();
    nsB?.remove();
  });

  it("finds Debian's kubectl (1.20) to test with", () => {
    expect(bins.map(versionOf)).toContain('v1.20.2');
  });

  describe.each(bins.map((b) => [`${b} (${versionOf(b)})`, b]))('with %s', (_label, kubectl) => {
    const cache = mkdtempSync(join(tmpdir(), 'tcpcheck-kubectl-cache-'));
    // Asynchronous: the double answers from this very event loop.
    const run = (args: string[], kc = kubeconfig, env: NodeJS.ProcessEnv = {}) => runAsync(kubectl, [`--kubeconfig=${kc}`, `--cache-dir=${cache}`, '--request-timeout=20s', ...args], env);

    it('lists the nodes as a server-side table', async () => {
      const r = await run(['get', 'nodes']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
      expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
        ['tck-node-a', 'Ready'],
        ['tck-node-b', 'Ready'],
      ]);
      const tableCall = api.calls.findLast((c) => c.path === '/api/v1/nodes');
      expect(tableCall?.status).toBe(200);
    });

    // kubectl 1.29-1.3x speaks WebSocket v5 when asked by this variable (the default in later
    // releases) and SPDY otherwise; 1.20 ignores it and always speaks SPDY.
    it.each([['by default', {}], ['with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' }]])('execs ss in the agent pod and sees the sockets of that node only (%s)', async (_how, env) => {
      const before = api.calls.length;
      const r = await run(['exec', '-n', 'tcpcheck', 'tcpcheck-agent-a', '--', 'ss', '-ltn'], kubeconfig, env);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^State\s+Recv-Q\s+Send-Q/);
      expect(r.stdout).toContain('127.0.0.1:18431');
      expect(r.stdout).not.toContain('127.0.0.1:18432');
      const exec = api.calls.slice(before).find((c) => c.path.endsWith('/exec'));
      expect(exec?.status).toBe(101);
      expect(exec?.query.command).toEqual(['ss', '-ltn']);
      expect(api.violations).toEqual([]);
    });

    it('passes the exit status and stderr of the command back', async () => {
      const r = await run(['exec', '-n', 'tcpcheck', 'tcpcheck-agent-a', '--', 'sh', '-c', 'echo oops >&2; exit 7']);
      expect(r.status).toBe(7);
      expect(r.stderr).toContain('oops');
      expect(r.stderr).toContain('command terminated with exit code 7');
    });

    it('refuses a wrong token as a cluster does', async () => {
      const bad = api.writeKubeconfig({ token: 'not-the-token' });
      const r = await run(['get', 'nodes'], bad);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    });

    it('says when the pod does not exist', async () => {
      const r = await run(['exec', '-n', 'tcpcheck', 'no-such-pod', '--', 'true']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('pods "no-such-pod" not found');
    });
  });

  it('served exec over SPDY to kubectl 1.20 and over WebSocket to a current kubectl', () => {
    const wires = new Set(api.calls.filter((c) => c.path.endsWith('/exec') && c.status === 101).map((c) => c.upgrade));
    const versions = bins.map(versionOf);
    if (versions.some((v) => /^v1\.(1\d|2[0-8])\./.test(v))) expect(wires).toContain('spdy');
    if (versions.some((v) => /^v1\.(29|[3-9]\d)\./.test(v))) expect(wires).toContain('websocket');
    expect(wires.size).toBeGreaterThan(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(nsA.name);
  });
});
