/**
 * The typed picture of one node that the parsers build and the rules read.
 * Pure data: no I/O, no clock. Everything a rule needs is here; nothing here is formatted.
 */
import type { ClusterView } from './cluster.js';
import type { DeepSnapshot } from './deep.js';

/** TCP states as `ss` names them. `netstat` spellings (`CLOSE_WAIT`) and `/proc/net/tcp` hex codes are normalised to these. */
export type TcpState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'UNCONN'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'UNKNOWN';

/** A process that holds a socket, from `users:(("kube-proxy",pid=1515,fd=51))`. */
export interface ProcessRef {
  name: string;
  pid: number;
  fd: number | null;
}

/** One TCP socket. Addresses are kept as printed but without brackets, zone (`%eth0`) or port. */
export interface Socket {
  state: TcpState;
  /** LISTEN: current accept-queue length. Others: bytes received and not yet read by the application. */
  recvQ: number;
  /** LISTEN: the backlog (min(listen() argument, somaxconn)). Others: bytes sent and not yet acknowledged. */
  sendQ: number;
  /**
   * LISTEN from a source that prints no backlog (netstat, /proc/net/tcp) with nothing in the input
   * to settle it: `sendQ` is then only the queue length, and the backlog is unknown.
   */
  backlogUnknown?: true;
  localAddress: string;
  localPort: number;
  /** `*` for a wildcard peer (listeners). An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is reduced to `1.2.3.4`. */
  peerAddress: string;
  /** null for a wildcard peer port (`*`). */
  peerPort: number | null;
  /** Owners; empty when `ss` printed none (no owner, or owners were not asked for). See {@link SocketTable.ownersKnown}. */
  processes: ProcessRef[];
}

/** Which sockets a table is known to hold, so rules never draw conclusions from a partial view. */
export type Coverage =
  /** Every TCP socket on the node. */
  | { kind: 'full' }
  /** Only those on these local ports (e.g. a transcript's `ss -antp | grep 31493`). */
  | { kind: 'ports'; ports: number[] }
  /** An unknown subset. */
  | { kind: 'partial' };

/**
 * States a full-table source (the plan's `ss-all`, `/proc/net/tcp`) only counts. A busy node holds
 * hundreds of thousands of them, and no rule or view reads more of them than how many there are
 * (peer views list CLOSE-WAIT, SYN-RECV, LAST-ACK, FIN-WAIT-1 and CLOSING; see
 * src/analyze/peers.ts): building an object per socket was most of the cost of a large table.
 */
export const COUNTED_ONLY_STATES: readonly TcpState[] = ['ESTAB', 'TIME-WAIT', 'FIN-WAIT-2'];

export interface SocketTable {
  /** Every socket in the table except those in the {@link SocketTable.countedOnly} states, which are only counted. */
  sockets: Socket[];
  /** Sockets per state in the table, the counted-only states included; a state with none is absent. Rules read totals here, not from `sockets`. */
  counts: Partial<Record<TcpState, number>>;
  /**
   * States counted in `counts` but left out of `sockets`: {@link COUNTED_ONLY_STATES} for a
   * full-table source, empty for a transcript (small, so kept whole).
   */
  countedOnly: readonly TcpState[];
  coverage: Coverage;
  /** True when the source asked for owners (`ss -p`) for the states it printed, so an empty `processes` means "no owner". */
  ownersKnown: boolean;
}

/** One reading of the listen sockets. Sampled twice so a backlog that stays is told from a transient one. */
export interface ListenSample {
  /** Seconds since the first sample; null when unknown (a transcript). */
  atSec: number | null;
  listeners: Socket[];
}

/** One reading of the kernel counters, by nstat name: `TcpExtListenOverflows`, `TcpRetransSegs`, `IpExtInOctets`. */
export interface CounterSample {
  atSec: number | null;
  values: Record<string, number>;
}

export interface ProcessInfo {
  pid: number;
  name: string;
  /** Full command line, arguments joined by single spaces; null when not readable. */
  cmdline: string | null;
}

/** Something the collection or the parsing could not do. Never fatal: it becomes an info finding. */
export interface CollectionNote {
  /** The section or source it concerns, e.g. `ss-owned`, `sysctl`. */
  source: string;
  message: string;
  /** True when the output's framing was broken (forged, duplicated or misplaced markers): tampering or corruption, not a gap. */
  tampered?: boolean;
}

/** Lines a parser could not read: counted, with a few examples, never thrown. */
export interface ParseIssue {
  source: string;
  skipped: number;
  examples: string[];
}

export interface NodeMeta {
  /** The name the user asked for (inventory name), or the hostname. */
  node: string;
  hostname: string | null;
  /** `uname -r`, e.g. `4.4.0-1092-aws`. */
  kernel: string | null;
  uptimeSec: number | null;
  /** ISO 8601, when the first sample was taken. */
  collectedAt: string | null;
  /** Seconds between the two samples; null when unknown. */
  intervalSec: number | null;
  /** Effective uid of the collection script; null when unknown. Non-root cannot see other users' process names. */
  uid: number | null;
  /** How the data came: `local`, `ssh`, `kube`, `bundle`, `transcript`. */
  source: string;
}

export interface Snapshot {
  meta: NodeMeta;
  sockets: SocketTable;
  /** Totals per state when a source printed them directly (a transcript's `netstat -n | awk` tally); otherwise counted from `sockets`. */
  stateTotals: Partial<Record<TcpState, number>> | null;
  /** Chronological; usually two. */
  listenSamples: ListenSample[];
  /** Chronological; usually two. */
  counterSamples: CounterSample[];
  /** `net.core.somaxconn` → `128`. Values as printed (ranges stay `32768\t60999`, normalised to single spaces). */
  sysctl: Record<string, string>;
  /** Keyed by pid. */
  processes: Record<number, ProcessInfo>;
  notes: CollectionNote[];
  parseIssues: ParseIssue[];
  /**
   * What the Kubernetes API said about the cluster around this node; absent when the cluster
   * source is not configured (the report is then exactly the node's own).
   */
  cluster?: ClusterView;
  /** Pod network namespaces and pod cgroups, when the plan read them; absent for older bundles and transcripts. */
  pods?: PodsView;
  /** What a deep probe saw (`--deep`, a bundle's deep sections, a transcript's capture/strace/stacks); absent without one. */
  deep?: DeepSnapshot;
}

/*
 * What the node shows about its pods from the inside: sockets in each pod's network namespace
 * (the host's `ss` cannot see them) and each pod cgroup's CFS bandwidth, sampled twice. Pods are
 * known here by UID (from cgroup paths); the cluster context turns a UID into `namespace/name`.
 */

/** CFS bandwidth counters of one cgroup (`cpu.stat`). */
export interface CpuStat {
  nrPeriods: number;
  nrThrottled: number;
  /** Time throttled, in microseconds (v1's nanoseconds converted). */
  throttledUsec: number;
}

/** One pod network namespace, entered once through one of its processes. */
export interface PodNetns {
  /** `net:[4026532890]`. */
  netns: string;
  /** The process it was entered through. */
  pid: number;
  /** null when the process's cgroup names no pod. */
  podUid: string | null;
  /** Listeners, CLOSE-WAIT and SYN-RECV sockets, with owners (host pids). */
  sockets: Socket[];
}

/** One pod cgroup's CPU limit and counters at the two samples. */
export interface PodCpu {
  podUid: string;
  /** The cgroup directory, as printed. */
  cgroup: string;
  /** quota / period in cores; null when unlimited. */
  limitCores: number | null;
  first: CpuStat | null;
  second: CpuStat | null;
}

export interface PodsView {
  netns: PodNetns[];
  /** True when the namespace count or time cap stopped the walk before every pod was entered. */
  netnsCapped: boolean;
  cpu: PodCpu[];
  /**
   * Pod names by UID from the container runtime's configs on the node (`pod-labels`): what names
   * a pod when the Kubernetes API cannot be read. Empty when the runtime keeps none readable.
   */
  runtimeNames: Record<string, { namespace: string; name: string }>;
}
