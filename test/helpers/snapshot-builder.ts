/**
 * Builds Snapshots for rule and renderer tests, the shape the parsers produce, without text.
 *
 *     const snap = new SnapshotBuilder()
 *       .listener(31493, 129, { owner: KUBE_PROXY })
 *       .socket('CLOSE-WAIT', 31493, '172.1.42.207', { recvQ: 1 })
 *       .counters({ TcpExtListenOverflows: 100 }, 0)
 *       .build();
 */
import type { CounterSample, ListenSample, ProcessInfo, ProcessRef, Snapshot, Socket, TcpState } from '../../src/domain/snapshot.js';

export const KUBE_PROXY: ProcessRef = { name: 'kube-proxy', pid: 1515, fd: 51 };

export interface SocketOptions {
  recvQ?: number;
  sendQ?: number;
  localAddress?: string;
  peerPort?: number | null;
  owner?: ProcessRef;
}

export class SnapshotBuilder {
  private readonly snap: Snapshot = {
    meta: { node: 'node-a', hostname: 'node-a', kernel: null, uptimeSec: null, collectedAt: '2024-05-01T10:00:00.000Z', intervalSec: 5, uid: 0, source: 'test' },
    sockets: { sockets: [], counts: {}, countedOnly: [], coverage: { kind: 'full' }, ownersKnown: true },
    stateTotals: null,
    listenSamples: [],
    counterSamples: [],
    sysctl: {},
    processes: {},
    notes: [],
    parseIssues: [],
  };
  private nextPeerPort = 40000;

  /** Adds a listener to the table and to the first listen sample (`samples` adds later ones). */
  listener(port: number, recvQ: number, opts: SocketOptions & { samples?: number[] } = {}): this {
    const s = this.makeSocket('LISTEN', port, '*', { sendQ: 128, localAddress: '::', peerPort: null, ...opts, recvQ });
    this.add(s);
    const queues = [recvQ, ...(opts.samples ?? [])];
    queues.forEach((q, i) => {
      const sample = this.sample(i);
      sample.listeners.push({ ...s, recvQ: q, processes: i === 0 ? s.processes : [] });
    });
    return this;
  }

  /** Adds `count` sockets in a state on a local port from one peer. */
  socket(state: TcpState, localPort: number, peer: string, opts: SocketOptions & { count?: number } = {}): this {
    for (let i = 0; i < (opts.count ?? 1); i++) this.add(this.makeSocket(state, localPort, peer, opts));
    return this;
  }

  counters(values: Record<string, number>, atSec: number | null = 0): this {
    this.snap.counterSamples.push({ atSec, values } satisfies CounterSample);
    return this;
  }

  sysctl(values: Record<string, string | number>): this {
    for (const [k, v] of Object.entries(values)) this.snap.sysctl[k] = String(v);
    return this;
  }

  process(pid: number, name: string, cmdline: string | null): this {
    this.snap.processes[pid] = { pid, name, cmdline } satisfies ProcessInfo;
    return this;
  }

  meta(meta: Partial<Snapshot['meta']>): this {
    Object.assign(this.snap.meta, meta);
    return this;
  }

  with(patch: Partial<Omit<Snapshot, 'meta'>>): this {
    Object.assign(this.snap, patch);
    return this;
  }

  build(): Snapshot {
    return structuredClone(this.snap);
  }

  /** Keeps the table's counts in step with its sockets, as the parsers do. */
  private add(s: Socket): void {
    const table = this.snap.sockets;
    table.sockets.push(s);
    table.counts[s.state] = (table.counts[s.state] ?? 0) + 1;
  }

  private sample(i: number): ListenSample {
    while (this.snap.listenSamples.length <= i) this.snap.listenSamples.push({ atSec: this.snap.listenSamples.length * 5, listeners: [] });
    return this.snap.listenSamples[i] as ListenSample;
  }

  private makeSocket(state: TcpState, localPort: number, peer: string, opts: SocketOptions): Socket {
    return {
      state,
      recvQ: opts.recvQ ?? 0,
      sendQ: opts.sendQ ?? 0,
      localAddress: opts.localAddress ?? '10.0.0.1',
      localPort,
      peerAddress: peer,
      peerPort: opts.peerPort === undefined ? this.nextPeerPort++ : opts.peerPort,
      processes: opts.owner ? [opts.owner] : [],
    };
  }
}
