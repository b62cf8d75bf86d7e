/** `nodes: {selector}` / `--selector`: the node list comes from the Kubernetes API double (nodes list with labelSelector). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSweepNodes } from '../../jobs/sweep.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';

let api: KubeDouble;
let config: Config;

beforeAll(async () => {
  api = await startKubeDouble({
    nodes: [
      { name: 'worker-b', netns: 'unused', internalIP: '198.18.250.2', labels: { 'node-role': 'worker' } },
      { name: 'worker-a', netns: 'unused', internalIP: '198.18.250.1', labels: { 'node-role': 'worker', zone: 'a' } },
      { name: 'control-1', netns: 'unused', internalIP: '198.18.250.3', labels: { 'node-role': 'control-plane' } },
    ],
  });
  config = parseConfig({ kube: { kubeconfig: api.writeKubeconfig() }, nodes: [{ name: 'inv-1', host: '198.18.250.9' }] }, 'test', { env: { HOME: mkdtempSync(join(tmpdir(), 'tcpcheck-selector-')) } });
});
afterAll(async () => {
  await api?.close();
});

describe('listSweepNodes', () => {
  it('lists the Kubernetes nodes matching a label selector, sorted', async () => {
    expect(await listSweepNodes({ selector: 'node-role=worker' }, config)).toEqual(['worker-a', 'worker-b']);
    expect(await listSweepNodes({ selector: 'node-role=worker,zone=a' }, config)).toEqual(['worker-a']);
    expect(api.calls.filter((c) => c.path === '/api/v1/nodes').map((c) => c.query.labelSelector)).toEqual([['node-role=worker'], ['node-role=worker,zone=a']]);
    expect(api.violations).toEqual([]);
  });

  it('lists nothing when no node matches', async () => {
    expect(await listSweepNodes({ selector: 'node-role=gpu' }, config)).toEqual([]);
  });

  it('takes the inventory for all, and a list as given without repeats', async () => {
    expect(await listSweepNodes('all', config)).toEqual(['inv-1']);
    expect(await listSweepNodes(['b', 'a', 'b'], config)).toEqual(['a', 'b']);
  });
});
