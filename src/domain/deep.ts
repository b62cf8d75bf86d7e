/**
 * What a deep probe saw: packets on the flagged ports, the owners' syscall profile and thread
 * stacks, and what each probe cost. Pure data, like the rest of the Snapshot.
 */

/** One TCP segment from a capture. */
export interface TcpPacket {
  /** Microseconds since the epoch (nanosecond captures are rounded down). */
  timeUs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10. */
  flags: number;
  /** TCP payload length from the IP header (not what the snapshot length kept). */
  payload: number;
}

/** TCP flag bits (RFC 9293 §3.1). */
export const TcpFlag = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

/** A client that closes this soon after its handshake, having sent nothing, is a health check. @defaultValue 1000 */
export const DEFAULT_IMMEDIATE_CLOSE_MS = 1000;

/** One row of an `strace -c` summary. */
export interface SyscallRow {
  name: string;
  /** Share of the traced time, percent, as strace printed it. */
  percent: number;
  seconds: number;
  calls: number;
  errors: number;
}

/** One thread of a process: its state and where in the kernel it waits. */
export interface ThreadStack {
  /** null in a hand-made dump that did not print it. */
  tid: number | null;
  /** `R`, `S`, `D`…; null when not printed. */
  state: string | null;
  /** Kernel function the thread sleeps in; null when unknown. */
  wchan: string | null;
  /** Function names, innermost first, without offsets. */
  frames: string[];
}

/** What the probe learnt about one listener owner. */
export interface OwnerProbe {
  pid: number;
  /** Syscalls over the window, most time first; null when strace did not run or printed no table. */
  syscalls: SyscallRow[] | null;
  /** Total seconds strace counted; null when unknown. */
  syscallSeconds: number | null;
  /** Threads with their stacks; empty when unreadable. */
  threads: ThreadStack[];
}

/** The cost and outcome of one probe; `probes` in the JSON report (docs/report-schema.md). */
export interface ProbeRecord {
  name: 'capture' | 'strace' | 'stacks';
  /** The command as it ran on the node. */
  command: string;
  ports: number[];
  /** The process probed; null for the capture. */
  pid: number | null;
  /** ISO 8601 from the node's clock; null when unknown (a replayed transcript). */
  startedAt: string | null;
  durationMs: number | null;
  /** Bytes the probe brought back (the capture file, the table, the stacks). */
  bytes: number | null;
  /** Packets captured; null for other probes. */
  packets: number | null;
  /** Packets the kernel dropped before tcpdump read them (tcpdump's own count); null when not printed. */
  droppedByKernel: number | null;
  ok: boolean;
  /** Why it failed or fell short (missing tool, no privilege), in words; null when it did not. */
  error: string | null;
}

export interface DeepSnapshot {
  /** Ports the probe watched (those the standard check flagged). */
  ports: number[];
  /** Seconds the probe watched; null when unknown. */
  windowSec: number | null;
  /** A client close this soon after its handshake, with no data sent, counts as immediate. */
  immediateCloseMs: number;
  /** TCP segments on those ports; null when there was no capture. */
  packets: TcpPacket[] | null;
  owners: OwnerProbe[];
  probes: ProbeRecord[];
}
