import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterEnabled } from '../../src/cluster/cluster-enabled.js';

describe('clusterEnabled', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tcpcheck-home-'));
  const withConfig = mkdtempSync(join(tmpdir(), 'tcpcheck-home-'));
  mkdirSync(join(withConfig, '.kube'));
  writeFileSync(join(withConfig, '.kube', 'config'), 'apiVersion: v1\n');

  it('follows cluster.enabled when the config sets it', () => {
    expect(clusterEnabled({ enabled: false }, { kubeconfig: '/x' }, { HOME: withConfig })).toBe(false);
    expect(clusterEnabled({ enabled: true }, {}, { HOME: empty })).toBe(true);
  });

  it('is on when kube.kubeconfig is set', () => {
    expect(clusterEnabled({}, { kubeconfig: '/x' }, { HOME: empty })).toBe(true);
  });

  it('is on when $KUBECONFIG names a file that exists', () => {
    expect(clusterEnabled({}, {}, { HOME: empty, KUBECONFIG: `/nonexistent:${join(withConfig, '.kube', 'config')}` })).toBe(true);
    expect(clusterEnabled({}, {}, { HOME: empty, KUBECONFIG: '/nonexistent' })).toBe(false);
  });

  it('is on with ~/.kube/config and off without any credentials', () => {
    expect(clusterEnabled({}, {}, { HOME: withConfig })).toBe(true);
    expect(clusterEnabled({}, {}, { HOME: empty })).toBe(false);
  });
});
