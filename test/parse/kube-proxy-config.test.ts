import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKubeProxyMode } from '../../src/parse/kube-proxy-config.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/kube-proxy', name), 'utf8');

describe('parseKubeProxyMode', () => {
  it.each([
    ['kubeadm-default.conf', ''],
    ['ipvs.conf', 'ipvs'],
    ['nftables.conf', 'nftables'],
    ['no-mode.conf', null],
  ])('reads the mode of %s', (file, mode) => {
    expect(parseKubeProxyMode(fixture(file))).toBe(mode);
  });

  it.each([
    ['empty text', ''],
    ['garbage', '\u0000\u0001{{{ not: [yaml'],
    ['a list', '- mode: ipvs'],
    ['a number for mode', 'mode: 3'],
  ])('reads no mode from %s', (_what, text) => {
    expect(parseKubeProxyMode(text)).toBeNull();
  });
});
