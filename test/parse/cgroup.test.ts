import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podUidFromCgroup, podUidFromProcCgroup } from '../../src/parse/cgroup-pod.js';
import { parseCpuBandwidth } from '../../src/parse/cpu-stat.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/cgroup', name), 'utf8');
const UID = '0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f';

describe('podUidFromProcCgroup', () => {
  it.each([
    ['v1-cgroupfs.txt', UID],
    ['v1-systemd.txt', UID],
    ['v2-cgroupfs.txt', UID],
    ['v2-systemd-guaranteed.txt', UID],
    ['host-process.txt', null],
  ])('reads the pod UID of %s', (file, uid) => {
    expect(podUidFromProcCgroup(fixture(file))).toBe(uid);
  });

  it.each([
    ['empty text', ''],
    ['garbage', '\u0000\u0001 not a cgroup'],
    ['a pod-like name outside kubepods', '0::/system.slice/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f'],
    ['a UID that is too short', '0::/kubepods/burstable/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2'],
  ])('reads no pod from %s', (_what, text) => {
    expect(podUidFromProcCgroup(text)).toBeNull();
  });
});

describe('podUidFromCgroup', () => {
  it.each([
    ['/sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f'],
    ['/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7c3f4e_1d2a_4c5b_9e8f_7a6b5c4d3e2f.slice'],
    ['/sys/fs/cgroup/cpu/kubepods/pod0B7C3F4E-1D2A-4C5B-9E8F-7A6B5C4D3E2F'],
  ])('reads the pod UID of the directory %s', (path) => {
    expect(podUidFromCgroup(path)).toBe(UID);
  });
});

describe('parseCpuBandwidth', () => {
  const lines = (file: string, prefix: string) => fixture(file).trim().split('\n').map((l) => `${prefix} ${l}`);

  it.each([
    ['v1 (throttled_time in ns)', [...lines('cpu-stat-v1.txt', 'cpu.stat'), 'cpu.cfs_quota_us 20000', 'cpu.cfs_period_us 100000']],
    ['v2 (throttled_usec)', [...lines('cpu-stat-v2.txt', 'cpu.stat'), 'cpu.max 20000 100000']],
  ])('reads periods, throttled periods and time, and the limit of %s', (_what, input) => {
    expect(parseCpuBandwidth(input)).toEqual({ stat: { nrPeriods: 4211, nrThrottled: 1203, throttledUsec: 98004311 }, limitCores: 0.2 });
  });

  it.each([
    ['v1 without a quota', ['cpu.cfs_quota_us -1', 'cpu.cfs_period_us 100000']],
    ['v2 with max', ['cpu.max max 100000']],
  ])('reads no limit for %s', (_what, input) => {
    expect(parseCpuBandwidth(input).limitCores).toBeNull();
  });

  it.each([
    ['no lines', []],
    ['garbage', ['cpu.stat nr_periods many', '\u0000', 'cpu.max']],
  ])('reads no stat from %s', (_what, input) => {
    expect(parseCpuBandwidth(input)).toEqual({ stat: null, limitCores: null });
  });
});
