/**
 * End to end through Kubernetes: a signed `/tcpcheck` for a `transport: kube` node of a real
 * config file → the bot (inventory from src/app/inventory.ts) → BullMQ (real Redis) → the worker
 * → the Kubernetes API double (exec into the agent pod, whose "node" is a lab namespace with the
 * incident's pathologies) → the thread in the Slack API double.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/app/inventory.js';
import { startKubeDouble, type KubeDouble } from '../doubles/kube/server.js';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { startLab, type Lab } from '../lab/lab.js';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.js';

describe('a slash command for a node reached through Kubernetes', () => {
  let lab: Lab;
  let api: KubeDouble;
  let h: Harness;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tck-' });
    const node = lab.nodes[0]!;
    api = await startKubeDouble({
      nodes: [{ name: 'kube-lab-node', netns: node.netns, internalIP: node.address }],
      pods: [{ name: 'tcpcheck-agent-lab', namespace: 'tcpcheck', node: 'kube-lab-node', labels: { 'app.kubernetes.io/name': 'tcpcheck-agent' } }],
    });
    const config = join(mkdtempSync(join(tmpdir(), 'tcpcheck-e2e-kube-')), 'tcpcheck.yaml');
    await writeFile(config, [`kube:`, `  kubeconfig: ${api.writeKubeconfig()}`, `nodes:`, `  - name: kube-lab-node`, `    transport: kube`, `limits:`, `  intervalSec: 1`, ''].join('\n'));
    h = await startHarness({ role: 'serve', inventory: await loadInventory(config) });
  });
  afterAll(async () => {
    await h?.stop();
    await api?.close();
    await lab?.stop();
  });

  it('execs the plan through the API and posts the verdict and evidence in a thread', async () => {
    const res = await postSigned(h.eventsUrl, slashCommandBody({ text: 'kube-lab-node', response_url: h.double.responseUrl('kube') }), SIGNING_SECRET);
    expect(JSON.parse(res.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Started a check of kube-lab-node/) });
    const [job] = await h.queue.getJobs(['waiting', 'active']);
    // The interval comes from the config's limits.intervalSec, as the command gave none.
    expect(job!.data.intervalSec).toBe(1);
    await expect.poll(async () => (await h.queue.getJob(job!.id!))?.getState(), { timeout: 60_000, interval: 250 }).toBe('completed');
    expect(api.execs).toEqual([expect.objectContaining({ namespace: 'tcpcheck', pod: 'tcpcheck-agent-lab', exitCode: 0 })]);
    expect(api.violations).toEqual([]);
    const parent = h.double.parents('C0INCIDENT')[0]!;
    expect(parent.text).toMatch(/^CRITICAL on kube-lab-node/);
    const thread = h.double.replies('C0INCIDENT', parent.ts).map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`).join('\n');
    expect(thread).toContain(String(lab.ports.trap));
    expect(thread).toContain('kube-proxy');
    expect(h.double.violations).toEqual([]);
  });
});
