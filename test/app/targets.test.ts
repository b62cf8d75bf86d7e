import { describe, expect, it } from 'vitest';
import { openFlags, openLocal, openNode } from '../../src/app/targets.js';
import { parseConfig } from '../../src/config/index.js';
import { ErrorCode } from '../../src/errors.js';
import { diagnose } from '../../jobs/diagnose.js';

const config = parseConfig(
  {
    nodes: [
      { name: 'db-1', host: 'db-1.internal', port: 2222, user: 'admin' },
      { name: 'worker-7', transport: 'kube' },
    ],
    limits: { maxOutputBytes: 8192, intervalSec: 2, commandTimeoutMs: 1500 },
  },
  'test',
  { env: { HOME: '/home/ops' } },
);

describe('openNode', () => {
  it('gives an SSH transport for an SSH target, with the config limits', async () => {
    const node = await openNode('db-1', config);
    expect(node.transport.kind).toBe('ssh');
    expect(node.transport.target).toBe('admin@db-1.internal:2222');
    expect(node.limits).toEqual({ maxOutputBytes: 8192, intervalSec: 2, commandTimeoutMs: 1500 });
  });

  it('gives the Kubernetes transport for a kube target', async () => {
    const node = await openNode('worker-7', config);
    expect(node.transport.kind).toBe('kube');
    expect(node.target).toMatchObject({ transport: 'kube', nodeName: 'worker-7' });
  });
});

describe('openFlags and openLocal', () => {
  it('names an ad-hoc SSH target as the user asked', async () => {
    const node = await openFlags({ host: '198.18.0.9', user: 'root' }, config, 'lab');
    expect(node).toMatchObject({ name: 'lab', transport: { kind: 'ssh' } });
  });
  it('reaches this machine with the same limits', () => {
    expect(openLocal(config)).toMatchObject({ name: 'localhost', target: null, transport: { kind: 'local' }, limits: { intervalSec: 2 } });
  });
});

describe('the limits of a run', () => {
  it('stop reading a node past limits.maxOutputBytes', async () => {
    const small = parseConfig({ limits: { maxOutputBytes: 4096, intervalSec: 0 } });
    await expect(diagnose({ kind: 'node', node: openLocal(small) })).rejects.toMatchObject({ code: ErrorCode.OutputTooLarge, message: expect.stringMatching(/more than 4096 bytes/) });
  });

  it('sample limits.intervalSec apart when the caller gives no interval', async () => {
    const { report } = await diagnose({ kind: 'node', node: openLocal(parseConfig({ limits: { intervalSec: 1 } })) });
    expect(report.intervalSec).toBe(1);
  });
});
