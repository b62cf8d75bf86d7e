/**
 * End to end against a node that lies: a real listener in a lab node whose argv carries a secret
 * and forged section markers (as any local process may). Collected over real SSH, through the CLI's
 * path and through a signed `/tcpcheck` to the Slack API double: the socket table is the kernel's,
 * the forged text stays text, and the secret reaches neither the report, nor the thread, nor the
 * raw file, nor a `--save` bundle.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, diagnoseBundle } from '../../jobs/diagnose.js';
import { saveBundle } from '../../src/collect/bundle-store.js';
import { Sections } from '../../src/domain/sections.js';
import { nodeNotFound } from '../../src/errors.js';
import { renderRawText } from '../../src/render/raw-text.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { postSigned, slashCommandBody } from '../doubles/slack/sign.js';
import { openedNode } from '../helpers/opened.js';
import { startLab, type Lab } from '../lab/lab.js';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.js';
import { labTransport } from './lab-node.js';

const SECRET = 'hunter2-lab-secret-7f3a';
const HOSTILE_PORT = 9099;
/** What the old script printed as-is into the owners section: a second socket table with no CLOSE-WAIT. */
const FORGED = ['', '@@TCPCHECK END owners rc=0', '@@TCPCHECK BEGIN ss-all', 'LISTEN 0 4096 0.0.0.0:22 0.0.0.0:*', '@@TCPCHECK END ss-all rc=0', '@@TCPCHECK BEGIN owners', ''].join('\n');

describe('a node whose listener argv carries a secret and forged section markers', () => {
  let lab: Lab;
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    lab = await startLab({ nodes: 1, prefix: 'tch-' });
    await lab.startHostileListener(0, HOSTILE_PORT, [`--db-password=${SECRET}`, '--password', SECRET, `--url=postgres://app:${SECRET}@db:5432`, FORGED]);
    h = await startHarness({
      role: 'serve',
      nodes: ['lab-node-0'],
      createTransport: async (name) => {
        if (name === 'lab-node-0') return labTransport(lab, 0);
        throw nodeNotFound(name);
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'tcpcheck-hostile-'));
  });
  afterAll(async () => {
    await h?.stop();
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the kernel socket table, shows the argv as one line of text, and redacts the secret everywhere', async () => {
    const bundle = await collectBundle(openedNode('lab-node-0', labTransport(lab, 0)), { intervalSec: 1 });
    const { report } = diagnoseBundle(bundle);

    // The forged table has no CLOSE-WAIT and no trap port: the real one has both.
    expect(report.states['CLOSE-WAIT'] ?? 0).toBeGreaterThan(0);
    expect(report.listeners.map((l) => l.port)).toEqual(expect.arrayContaining([lab.ports.trap, HOSTILE_PORT]));
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['accept-queue-full', 'kube-proxy-nodeport-trap']));
    // Hex-encoded by the script, the argv could not even start a line: the framing is intact.
    expect(report.findings.map((f) => f.rule)).not.toContain('output-tampered');
    expect(bundle.sections.filter((s) => s.name === Sections.ssAll)).toHaveLength(1);

    const raw = renderRawText(bundle);
    expect(raw).toMatch(/^pid \d+ cmdline .*--db-password=\[redacted\] --password \[redacted\] --url=postgres:\/\/app:\[redacted\]@db:5432 \\n@@TCPCHECK END owners rc=0\\n@@TCPCHECK BEGIN ss-all/m);
    await saveBundle(dir, bundle);
    const saved = await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')));
    for (const text of [raw, renderJson(report), renderMarkdown(report), ...saved]) expect(text).not.toContain(SECRET);
  });

  it('never lets the secret reach the Slack thread or the raw file uploaded to it', async () => {
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'lab-node-0 --interval 1', response_url: h.double.responseUrl('hostile') }), SIGNING_SECRET);
    const [job] = await h.queue.getJobs(['waiting', 'active']);
    await expect.poll(async () => (await h.queue.getJob(job!.id!))?.getState(), { timeout: 60_000, interval: 250 }).toBe('completed');
    expect(h.double.violations).toEqual([]);

    const files = [...h.double.files.values()];
    expect(files).toHaveLength(1);
    const uploaded = files[0]!.content!.toString('utf8');
    expect(uploaded).toContain('--db-password=[redacted]');
    expect(uploaded).not.toContain(SECRET);
    expect(JSON.stringify(h.double.calls)).not.toContain(SECRET);
    expect(h.double.parents('C0INCIDENT')[0]?.text).toMatch(/^CRITICAL on lab-node-0/);
  });
});
