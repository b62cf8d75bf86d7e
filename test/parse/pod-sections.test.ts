import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairPodCpu, parsePodCgroups, parsePodNetns } from '../../src/parse/pod-sections.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/pod', name), 'utf8');
const UID = '2a19a09a-192a-4191-ab4c-17cf7575053e';

describe('parsePodNetns', () => {
  it.each([['netns-v1-cgroupfs.txt'], ['netns-v2-systemd.txt']])('reads the pod, its sockets and their owners from %s', (file) => {
    const { netns, capped, issues } = parsePodNetns(fixture(file), 'pod-netns');
    expect(capped).toBe(false);
    expect(issues.reduce((n, i) => n + i.skipped, 0)).toBe(0);
    expect(netns).toHaveLength(1);
    const [ns] = netns;
    expect(ns).toMatchObject({ netns: 'net:[4026532821]', pid: 14049, podUid: UID });
    expect(ns!.sockets.map((s) => `${s.state} ${s.localPort} ${s.recvQ} ${s.processes.map((p) => `${p.name}/${p.pid}/${p.fd}`).join(',')}`)).toEqual([
      'LISTEN 18681 0 node/14049/18',
      'CLOSE-WAIT 18681 7 node/14049/22',
      'CLOSE-WAIT 18681 7 node/14049/24',
      'CLOSE-WAIT 18681 7 node/14049/23',
    ]);
  });

  it('says when the walk stopped at its cap', () => {
    expect(parsePodNetns('netns net:[1] pid 2\ncap 64\n', 'pod-netns').capped).toBe(true);
  });

  it('escapes a comm that holds control characters', () => {
    const text = 'netns net:[1] pid 7\nss LISTEN 0 5 127.0.0.1:80 0.0.0.0:* ino:9 sk:1 <->\nowner 7 1b5b326a0a 3:9\n';
    expect(parsePodNetns(text, 'pod-netns').netns[0]?.sockets[0]?.processes).toEqual([{ name: '\\x1b[2j', pid: 7, fd: 3 }]);
  });

  it.each([
    ['empty text', ''],
    ['garbage', '\u0000\u0001 junk\nowner x y\nss before any netns'],
  ])('reads nothing from %s', (_what, text) => {
    const { netns, issues } = parsePodNetns(text, 'pod-netns');
    expect(netns).toEqual([]);
    expect(issues[0]?.skipped).toBe(text === '' ? 0 : 3);
  });
});

describe('parsePodCgroups and pairPodCpu', () => {
  it('pairs the two samples of a real v1 cgroup with a 0.2 CPU limit', () => {
    const first = parsePodCgroups(fixture('cgroups-v1-1.txt'), 'pod-cgroups-1');
    const second = parsePodCgroups(fixture('cgroups-v1-2.txt'), 'pod-cgroups-2');
    const [pod] = pairPodCpu(first.cgroups, second.cgroups);
    expect(pod).toMatchObject({ podUid: UID, limitCores: 0.2, first: { nrPeriods: 8, nrThrottled: 3, throttledUsec: 222546 } });
    // The pod was idle between the samples: CFS counts no period for a cgroup that does not run.
    expect(pod!.second).toEqual(pod!.first);
  });

  it.each([
    ['empty text', '', 0],
    ['garbage', 'cpu.stat nr_periods 1\n\u0000\ncgroup /sys/fs/cgroup/cpu/not-a-pod\ncpu.stat nr_periods 2\n', 3],
  ])('reads no cgroup from %s', (_what, text, skipped) => {
    const r = parsePodCgroups(text, 'pod-cgroups-1');
    expect(r.cgroups).toEqual([]);
    expect(r.issue.skipped).toBe(skipped);
  });
});
