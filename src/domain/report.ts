/**
 * What the analysis concludes. Platform-neutral data: renderers format it and never decide severity;
 * rules decide severity and never format for a platform.
 */
import type { ProbeRecord } from './deep.js';
import type { TcpState } from './snapshot.js';

export type Severity = 'critical' | 'warning' | 'info';

/** Rule ids are a public contract: tests, automation and Slack digests key on them. */
export type RuleId =
  | 'accept-queue-full'
  | 'accept-queue-backlog'
  | 'listen-overflow'
  | 'syn-recv-stuck'
  | 'close-wait-leak'
  | 'close-wait-unread'
  | 'close-wait-unaccepted'
  | 'kube-proxy-nodeport-trap'
  | 'kube-proxy-rules-missing'
  | 'nodeport-local-policy'
  | 'cpu-throttling'
  | 'somaxconn-low'
  | 'sysctl-audit'
  | 'time-wait-pressure'
  | 'conntrack-near-max'
  | 'socket-memory-pressure'
  | 'retransmission-rate'
  | 'collection-gap'
  | 'output-tampered'
  | 'capture-handshake-retransmits'
  | 'capture-immediate-close'
  | 'capture-fin-unanswered'
  | 'owner-never-accepts'
  | 'owner-syscall-profile'
  | (string & {});

/**
 * Structured facts beside a finding's prose. Renderers, the verdict, sweeps and automation read
 * these; nothing parses a finding's title or detail.
 */
export interface FindingFacts {
  /** Processes that own the sockets this finding is about. */
  owners?: Array<{ name: string; pid: number }>;
  /** Named figures behind the finding, e.g. `{ closeWait: 298, acceptQueue: 129, backlog: 128 }`. */
  counts?: Record<string, number>;
  /** Remote peers involved, with their socket counts, most first. */
  peers?: Array<{ ip: string; count: number }>;
  /** True when an independent source (the Kubernetes API, the owner's own syscalls) confirmed it. */
  confirmed?: boolean;
  /** The data source when it is not the node's standard collection, e.g. `cluster`, `capture`. */
  source?: string;
  [key: string]: unknown;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Local ports this finding is about, ascending; empty for node-wide findings. */
  ports: number[];
  /** One line: what is wrong. */
  title: string;
  /** A few sentences: why it matters and how it connects to the other findings. */
  detail: string;
  /** The lines of data that prove it, as a reader would check them. */
  evidence: string[];
  /** What to do, in words. */
  recommendation: string;
  /** Exact commands to run on the node, if any. Never executed by tcpcheck. */
  commands: string[];
  /** Structured facts (owners, counts, peers…); the prose above is written from these. */
  facts: FindingFacts;
  /** Rule ids of findings this one explains (a cause points at its symptoms). */
  explains: RuleId[];
  /** Rule ids of the causes that explain this finding; set by analyze() from their `explains`. Absent when none does. */
  explainedBy?: RuleId[];
}

export interface ListenerView {
  address: string;
  port: number;
  process: { name: string; pid: number } | null;
  /** Accept-queue length in the last sample. */
  acceptQueue: number;
  /** null when the input printed none (netstat, /proc/net/tcp with nothing to settle it). */
  backlog: number | null;
  /** Accept-queue length per sample, oldest first. */
  acceptQueueSamples: number[];
  /** `full`: no room (Recv-Q > Send-Q); `backlogged`: connections waiting now or in a sample; `empty`. */
  status: ListenerStatus;
  /** In the report's `flaggedPorts`: every renderer shows exactly these listeners. */
  flagged: boolean;
}

export type ListenerStatus = 'full' | 'backlogged' | 'empty';

export interface PeerView {
  localPort: number;
  ip: string;
  state: TcpState;
  count: number;
  /** Sum of Recv-Q over these sockets, less the one byte per socket that stands for the FIN in CLOSE-WAIT. */
  unreadBytes: number;
  /** Largest single Recv-Q among these sockets. */
  maxRecvQ: number;
  /**
   * Who the peer is, from the cluster context: `namespace/pod`, the node name, or
   * `namespace/service`; null when the IP matches none. Absent when the cluster was not read.
   */
  name?: string | null;
  /** What {@link PeerView.name} names; absent when the cluster was not read. */
  kind?: PeerKind;
}

export type PeerKind = 'pod' | 'node' | 'service' | 'unknown';

export interface CounterView {
  value: number;
  /** Change between the first and last sample; null with a single sample. */
  delta: number | null;
  /** delta / interval; null when either is unknown. */
  perSecond: number | null;
}

export interface Verdict {
  severity: Severity | 'ok';
  /** e.g. "3 accept queues full (kube-proxy NodePorts), 577 CLOSE-WAIT, 170 listen overflows/s". */
  headline: string;
  /** The most likely cause in one sentence; null when healthy. */
  cause: string | null;
}

/** Exit codes for scripts and cron. */
export const ExitCode = { healthy: 0, warning: 1, critical: 2, failed: 3 } as const;

export interface Report {
  schemaVersion: 1;
  node: string;
  hostname: string | null;
  kernel: string | null;
  collectedAt: string | null;
  intervalSec: number | null;
  source: string;
  states: Partial<Record<TcpState, number>>;
  listeners: ListenerView[];
  peers: PeerView[];
  counters: Record<string, CounterView>;
  sysctl: Record<string, string>;
  findings: Finding[];
  /**
   * Ports worth a reader's eye, ascending: those of every warning or critical finding, and every
   * listener with a queue now or in any sample. Decided once here, so text, markdown, JSON and
   * Slack show the same selection.
   */
  flaggedPorts: number[];
  verdict: Verdict;
  /** Parser lines skipped, per source. */
  skipped: Record<string, number>;
  /** What the deep probe ran and what it cost; empty without one. */
  probes: ProbeRecord[];
  exitCode: 0 | 1 | 2 | 3;
}
