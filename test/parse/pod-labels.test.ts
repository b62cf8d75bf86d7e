import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_SECTIONS } from '../../src/domain/sections.js';
import { parsePodLabels } from '../../src/parse/pod-labels.js';
import { GARBAGE } from './garbage.js';

describe('parsePodLabels', () => {
  it('reads containerd annotations, CRI-O and Docker labels, and skips what is not in Kubernetes shapes', () => {
    const { pods, issue } = parsePodLabels(readFileSync('test/fixtures/pod/runtime-labels.txt', 'utf8'));
    expect(pods).toEqual({
      '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f': { namespace: 'shop', name: 'neo-web-7d9f8c6b5-x2k4q' },
      '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9': { namespace: 'kube-system', name: 'coredns-5d78c9869d-8xq2v' },
      'aa11bb22-cc33-4d44-8e55-ff6677889900': { namespace: 'kube-system', name: 'kube-proxy-7xk2p' },
    });
    // An upper-case name and a line without a name.
    expect(issue.skipped).toBe(2);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    expect(parsePodLabels(text).pods).toEqual({});
  });

  it('reads what the section prints from a containerd config written the way the kubelet writes it', () => {
    // The section's own script, pointed at a copy of the runtime's directory layout.
    const root = mkdtempSync(join(tmpdir(), 'tcpcheck-cri-'));
    try {
      const task = join(root, 'run/containerd/io.containerd.runtime.v2.task/k8s.io/5f1c0e');
      mkdirSync(task, { recursive: true });
      const annotations = {
        'io.kubernetes.cri.container-type': 'sandbox',
        'io.kubernetes.cri.sandbox-name': 'neo-web-7d9f8c6b5-x2k4q',
        'io.kubernetes.cri.sandbox-namespace': 'shop',
        'io.kubernetes.cri.sandbox-uid': '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f',
      };
      writeFileSync(join(task, 'config.json'), JSON.stringify({ ociVersion: '1.1.0', process: { args: ['/pause'] }, annotations }));
      const sh = PLAN_SECTIONS.find((s) => s.name === 'pod-labels')!.sh.replaceAll(' /run/', ` ${root}/run/`);
      const out = execFileSync('sh', ['-c', `f() { ${sh}\n}; f`], { encoding: 'utf8' });
      expect(parsePodLabels(out).pods).toEqual({ '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f': { namespace: 'shop', name: 'neo-web-7d9f8c6b5-x2k4q' } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
