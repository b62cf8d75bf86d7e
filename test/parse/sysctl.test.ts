import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSysctl } from '../../src/parse/sysctl.js';
import { GARBAGE } from './garbage.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sysctl/${name}.txt`, import.meta.url), 'utf8');

describe('parseSysctl', () => {
  it.each([
    ['plan-proc-sys', 28, { 'net.core.somaxconn': '4096', 'net.ipv4.ip_local_port_range': '32768 60999', 'net.ipv4.tcp_abort_on_overflow': '0' }],
    ['sysctl-a-grep', 13, { 'net.netfilter.nf_conntrack_tcp_timeout_close_wait': '3600', 'net.netfilter.nf_conntrack_tcp_loose': '1' }],
  ])('reads %s', (variant, count, expected) => {
    const result = parseSysctl(fixture(variant), variant);
    expect(Object.keys(result.values)).toHaveLength(count);
    expect(result.values).toMatchObject(expected);
    expect(result.issue.skipped).toBe(0);
  });

  it('normalises tabs and both separators, and counts an error line', () => {
    const result = parseSysctl(fixture('mixed-separators'));
    expect(result.values).toEqual({ 'net.ipv4.ip_local_port_range': '32768 60999', 'net.core.somaxconn': '128', 'net.ipv4.tcp_rmem': '4096 131072 6291456' });
    expect(result.issue.skipped).toBe(1);
    expect(result.issue.examples[0]).toMatch(/^sysctl: cannot stat/);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parseSysctl(text);
    expect(result.values).toEqual({});
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '').length);
  });
});
