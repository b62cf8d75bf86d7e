import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, saveBundle } from '../../src/collect/bundle-store.js';
import { ErrorCode } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcpcheck-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good = { format: 'tcpcheck-bundle/1', node: 'n1', transport: 'ssh', collectedAt: '2026-01-01T00:00:00.000Z', intervalSec: 5, sections: [{ name: 'meta', exitCode: 0 }, { name: 'ss-all', exitCode: null }] };

/** A bundle directory whose bundle.json holds `manifest` (a string is written as it is). */
async function bundleWith(manifest: unknown): Promise<string> {
  const d = join(dir, `b${Math.random().toString(36).slice(2)}`);
  await mkdir(d);
  await writeFile(join(d, 'bundle.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  await writeFile(join(d, 'meta.out'), 'hostname n1\n');
  return d;
}

describe('loadBundle', () => {
  it('reads what saveBundle wrote, and drops fields it does not know', async () => {
    const d = join(dir, 'saved');
    const bundle = { node: 'n1', transport: 'ssh', collectedAt: good.collectedAt, intervalSec: 5, sections: [{ name: 'meta', stdout: 'hostname n1\n', stderr: '', exitCode: 0 }] };
    await saveBundle(d, bundle);
    expect((await loadBundle(d)).bundle).toEqual(bundle);
    const extra = await bundleWith({ ...good, extra: 1, sections: [{ name: 'meta', exitCode: 0, more: true }] });
    expect((await loadBundle(extra)).bundle.sections).toEqual([{ name: 'meta', exitCode: 0, stdout: 'hostname n1\n', stderr: '' }]);
  });

  it.each([
    ['no manifest', null, /bundle\.json is missing or malformed \(ENOENT/],
    ['a manifest that is not JSON', '{"format":', /bundle\.json is missing or malformed \(.*JSON/],
    ['another format', { ...good, format: 'tcpcheck-bundle/2' }, /\(format: expected "tcpcheck-bundle\/1"\)/],
    ['a node that is not a string', { ...good, node: 7 }, /\(node: expected a string\)/],
    ['an interval that is not a number', { ...good, intervalSec: '5' }, /\(intervalSec: expected a number\)/],
    ['sections that are not a list', { ...good, sections: {} }, /\(sections: expected a list\)/],
    ['a section name with a path in it', { ...good, sections: [{ name: '../etc', exitCode: 0 }] }, /\(sections\[0\]\.name: expected lower-case letters, digits and dashes\)/],
    ['an exit code that is not an integer', { ...good, sections: [{ name: 'meta', exitCode: 0.5 }] }, /\(sections\[0\]\.exitCode: expected an integer or null\)/],
  ])('refuses %s with an input error that names what is wrong', async (_what, manifest, message) => {
    const d = manifest === null ? await mkdtemp(join(dir, 'empty-')) : await bundleWith(manifest);
    const err = await loadBundle(d).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.InputInvalid });
    expect((err as Error).message).toMatch(/is not a tcpcheck bundle: /);
    expect((err as Error).message).toMatch(message);
  });
});
