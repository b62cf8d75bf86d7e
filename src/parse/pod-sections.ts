/**
 * The plan's pod sections. `pod-cgroups-1` / `pod-cgroups-2`: each pod cgroup's CFS files, under
 * a `cgroup` header line:
 *
 * ```
 * cgroup /sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f
 * cpu.stat nr_periods 4211
 * cpu.cfs_quota_us 20000
 * ```
 *
 * `pod-netns`: each pod network namespace entered once, its process's /proc/PID/cgroup (in hex), what
 * `ss -tane` printed inside it, and the socket inodes (`fd:inode`) each of its processes holds,
 * with the process's comm in hex; `cap N` when the walk stopped at its namespace or time cap:
 *
 * ```
 * netns net:[4026532890] pid 4242
 * cgroup-hex 303a3a2f6b756265706f64732f627572737461626c652f706f64306237633366346528…0a
 * ss CLOSE-WAIT 1 0 198.18.7.10:8080 198.18.7.2:41234 ino:1453990 sk:6283 cgroup:/ <->
 * owner 4242 6e656f2d7765620a 12:1453990 3:1453771
 * ```
 */
import type { ParseIssue, PodCpu, PodNetns, ProcessRef, Socket, TcpState } from '../domain/snapshot.js';
import { podUidFromCgroup, podUidFromProcCgroup } from './cgroup-pod.js';
import { parseCpuBandwidth, type CpuBandwidth } from './cpu-stat.js';
import { createIssue, skipLine } from './parse-issue.js';
import { parseSs } from './ss.js';
import { decodeHex, printable } from './untrusted-text.js';

export interface PodCgroupReading {
  podUid: string;
  cgroup: string;
  bandwidth: CpuBandwidth;
}

/** Reads a `pod-cgroups-N` section; cgroups whose path names no pod are skipped as lines. */
export function parsePodCgroups(text: string, source: string): { cgroups: PodCgroupReading[]; issue: ParseIssue } {
  const issue = createIssue(source);
  const groups: { cgroup: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('cgroup ')) groups.push({ cgroup: line.slice(7).trim(), lines: [] });
    else if (groups.length > 0 && /^cpu\.\S+ /.test(line)) groups.at(-1)!.lines.push(line);
    else skipLine(issue, line);
  }
  const cgroups: PodCgroupReading[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    const podUid = podUidFromCgroup(g.cgroup);
    if (!podUid) {
      skipLine(issue, `cgroup ${g.cgroup}`);
      continue;
    }
    // One reading per pod: a v1 node can show the same pod under more than one hierarchy.
    if (seen.has(podUid)) continue;
    seen.add(podUid);
    cgroups.push({ podUid, cgroup: g.cgroup, bandwidth: parseCpuBandwidth(g.lines) });
  }
  return { cgroups, issue };
}

/** Pairs the two cgroup samples by pod: counters from both, the limit from the later one. */
export function pairPodCpu(first: readonly PodCgroupReading[], second: readonly PodCgroupReading[]): PodCpu[] {
  const later = new Map(second.map((r) => [r.podUid, r]));
  return first.map((r) => {
    const s = later.get(r.podUid);
    return { podUid: r.podUid, cgroup: r.cgroup, limitCores: (s ?? r).bandwidth.limitCores, first: r.bandwidth.stat, second: s?.bandwidth.stat ?? null };
  });
}

const OWNED: ReadonlySet<TcpState> = new Set(['LISTEN', 'CLOSE-WAIT', 'SYN-RECV']);

/** `ss -e` prints the socket's inode as `ino:N`. */
const INODE = /(?:^|\s)ino:(\d+)(?:\s|$)/;

interface NetnsEntry {
  netns: string;
  pid: number;
  cgroup: string;
  ss: string[];
  /** Socket inode → its owners. */
  owners: Map<string, ProcessRef[]>;
}

/** Reads an `owner PID COMM-HEX FD:INODE…` line into the entry's inode map; false when it is not one. */
function readOwner(line: string, entry: NetnsEntry): boolean {
  const m = /^owner (\d+) ([0-9a-f]*)((?: \d+:\d+)+) ?$/.exec(line);
  const comm = m ? decodeHex(m[2]!) : null;
  if (!m || comm === null) return false;
  const pid = Number(m[1]);
  const name = printable(comm.toString('utf8').trim());
  for (const pair of m[3]!.trim().split(' ')) {
    const [fd, inode] = pair.split(':') as [string, string];
    entry.owners.set(inode, [...(entry.owners.get(inode) ?? []), { name, pid, fd: Number(fd) }]);
  }
  return true;
}

/** Reads the `pod-netns` section. */
export function parsePodNetns(text: string, source: string): { netns: PodNetns[]; capped: boolean; issues: ParseIssue[] } {
  const issue = createIssue(source);
  const entries: NetnsEntry[] = [];
  let capped = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const head = /^netns (\S+) pid (\d+)$/.exec(line);
    const current = entries.at(-1);
    const cgroup = current && line.startsWith('cgroup-hex ') ? decodeHex(line.slice(11).trim()) : null;
    if (head) entries.push({ netns: head[1]!, pid: Number(head[2]), cgroup: '', ss: [], owners: new Map() });
    else if (/^cap \d+$/.test(line)) capped = true;
    else if (current && cgroup) current.cgroup += cgroup.toString('utf8');
    else if (current && line.startsWith('ss ')) current.ss.push(line.slice(3));
    else if (!current || !readOwner(line, current)) skipLine(issue, line);
  }
  const issues = [issue];
  const netns = entries.map((e) => {
    const sockets: Socket[] = [];
    // Line by line (a pod has few sockets): each socket is tied to its own line's inode.
    for (const line of e.ss) {
      const parsed = parseSs(line, source);
      issues.push(parsed.issue);
      const socket = parsed.sockets[0];
      if (!socket || !OWNED.has(socket.state)) continue;
      const inode = INODE.exec(line)?.[1];
      sockets.push(inode && e.owners.has(inode) ? { ...socket, processes: e.owners.get(inode)! } : socket);
    }
    return { netns: e.netns, pid: e.pid, podUid: podUidFromProcCgroup(e.cgroup), sockets };
  });
  return { netns, capped, issues };
}
