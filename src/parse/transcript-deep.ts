/**
 * The deep part of a transcript: what an investigator ran by hand (`strace -c -f -p 1515`, a loop
 * over /proc/1515/task/TID/stack) and a capture file given beside it (`analyze --pcap FILE`), read
 * as a deep probe would have brought them back. The incident report's own table and stacks
 * replay this way to `owner-never-accepts`.
 */
import { DEFAULT_IMMEDIATE_CLOSE_MS, TcpFlag, type DeepSnapshot, type OwnerProbe, type ProbeRecord } from '../domain/deep.js';
import type { ParseIssue, Socket } from '../domain/snapshot.js';
import { parsePcap } from './pcap.js';
import { parseStraceSummary } from './strace-summary.js';
import { parseThreadStacks } from './thread-stacks.js';

/** Collects the deep blocks of a transcript as they are met. */
export class TranscriptDeep {
  private readonly owners = new Map<number, OwnerProbe>();
  private readonly probes: ProbeRecord[] = [];
  readonly issues: ParseIssue[] = [];

  private owner(pid: number): OwnerProbe {
    let o = this.owners.get(pid);
    if (!o) this.owners.set(pid, (o = { pid, syscalls: null, syscallSeconds: null, threads: [] }));
    return o;
  }

  private record(name: ProbeRecord['name'], command: string, pid: number | null, body: string, ok: boolean, error: string | null): void {
    this.probes.push({ name, command, ports: [], pid, startedAt: null, durationMs: null, bytes: Buffer.byteLength(body), packets: null, droppedByKernel: null, ok, error });
  }

  /** An `strace -c -p PID` block. */
  addStrace(pid: number, command: string, body: string): void {
    const summary = parseStraceSummary(body, 'transcript:strace');
    this.issues.push(summary.issue);
    if (summary.found) {
      const o = this.owner(pid);
      o.syscalls = summary.rows;
      o.syscallSeconds = summary.total?.seconds ?? null;
    }
    this.record('strace', command, pid, body, summary.found, summary.found ? null : 'no strace -c table in the output');
  }

  /** A dump of a process's thread stacks. */
  addStacks(pid: number, command: string, body: string): void {
    const parsed = parseThreadStacks(body, 'transcript:stacks');
    this.issues.push(parsed.issue);
    this.owner(pid).threads.push(...parsed.threads);
    this.record('stacks', command, pid, body, parsed.threads.length > 0, parsed.threads.length > 0 ? null : 'no stacks in the output');
  }

  /**
   * The deep snapshot, or null when the transcript had no deep block and no capture was given.
   * Watched ports: the listeners of the probed processes, and the ports the capture's SYNs went to.
   */
  build(listeners: readonly Socket[], capture: Uint8Array | undefined): DeepSnapshot | null {
    if (this.owners.size === 0 && !capture) return null;
    const ports = new Set<number>();
    for (const l of listeners) if (l.processes.some((p) => this.owners.has(p.pid))) ports.add(l.localPort);
    let packets: DeepSnapshot['packets'] = null;
    const probes = [...this.probes];
    if (capture) {
      const pcap = parsePcap(capture, 'pcap');
      this.issues.push(pcap.issue);
      if (pcap.linkType !== null) {
        packets = pcap.packets;
        for (const p of pcap.packets) if ((p.flags & (TcpFlag.syn | TcpFlag.ack)) === TcpFlag.syn) ports.add(p.dstPort);
      }
      probes.unshift({
        name: 'capture', command: 'tcpdump (a capture file given with --pcap)', ports: [], pid: null, startedAt: null, durationMs: null,
        bytes: capture.length, packets: pcap.records, droppedByKernel: null, ok: pcap.linkType !== null, error: pcap.linkType === null ? (pcap.issue.examples[0] ?? 'not a pcap file') : null,
      });
    }
    const watched = [...ports].sort((a, b) => a - b);
    for (const p of probes) p.ports = watched;
    return { ports: watched, windowSec: null, immediateCloseMs: DEFAULT_IMMEDIATE_CLOSE_MS, packets, owners: [...this.owners.values()], probes };
  }
}
