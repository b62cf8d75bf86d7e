import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/capture.js';
import { TcpFlag, type TcpPacket } from '../../src/domain/deep.js';
import { parseDeepSections } from '../../src/parse/deep.js';

const { syn, ack, fin, rst } = TcpFlag;
const SERVER = '10.0.0.2';

/** A segment at `ms` between client `peer:cport` and the server's `port`; `out` when the server sends it. */
function seg(ms: number, peer: string, cport: number, flags: number, o: { out?: boolean; seq?: number; ack?: number; payload?: number; port?: number } = {}): TcpPacket {
  const port = o.port ?? 31493;
  return o.out
    ? { timeUs: ms * 1000, src: SERVER, dst: peer, srcPort: port, dstPort: cport, seq: o.seq ?? 5000, ack: o.ack ?? 0, flags, payload: o.payload ?? 0 }
    : { timeUs: ms * 1000, src: peer, dst: SERVER, srcPort: cport, dstPort: port, seq: o.seq ?? 100, ack: o.ack ?? 0, flags, payload: o.payload ?? 0 };
}

/** A handshake at `t` ms: SYN, SYN-ACK (seq 5000), the client's ACK. */
const handshake = (t: number, peer: string, cport: number) => [
  seg(t, peer, cport, syn), seg(t + 1, peer, cport, syn | ack, { out: true, ack: 101 }), seg(t + 2, peer, cport, ack, { seq: 101, ack: 5001 }),
];

describe('analyzeCapture', () => {
  it('counts SYN-ACKs sent again when the final ACK is not taken, with their intervals (tcp_abort_on_overflow=0)', () => {
    const packets = [seg(0, 'a', 1, syn), ...[1, 1001, 3001, 7001].map((t) => seg(t, 'a', 1, syn | ack, { out: true, ack: 101 }))];
    const [p] = analyzeCapture(packets, [31493], { immediateCloseMs: 1000 });
    expect(p).toMatchObject({ synRetransmits: 0, synAckRetransmits: 3, handshakeIntervalsMs: [1000, 2000, 4000], handshakes: 0 });
    expect([...p!.retransmitPeers]).toEqual([['a', 1]]);
  });

  it('tells a health check (close at once, no data) from a client that sends a request', () => {
    const packets = [
      ...handshake(0, 'lb', 1), seg(10, 'lb', 1, fin | ack, { seq: 101 }),
      ...handshake(20, 'lb', 2), seg(25, 'lb', 2, rst, { seq: 101 }),
      ...handshake(40, 'app', 3), seg(41, 'app', 3, ack, { seq: 101, payload: 80 }), seg(50, 'app', 3, fin | ack, { seq: 181 }),
      // Closed after the threshold: not "at once".
      ...handshake(60, 'slow', 4), seg(2000, 'slow', 4, fin | ack, { seq: 101 }),
    ];
    const [p] = analyzeCapture(packets, [31493], { immediateCloseMs: 1000 });
    expect(p!.handshakes).toBe(4);
    expect([...p!.immediateClosePeers]).toEqual([['lb', 2]]);
    expect(p!.resets).toBe(1);
  });

  it('finds FINs retransmitted with no answer, and not those the server acknowledged', () => {
    const packets = [
      ...handshake(0, 'c', 1), ...[200, 400, 800].map((t) => seg(t, 'c', 1, fin | ack, { seq: 101 })),
      ...handshake(0, 'd', 2), seg(200, 'd', 2, fin | ack, { seq: 101 }), seg(400, 'd', 2, fin | ack, { seq: 101 }), seg(401, 'd', 2, ack, { out: true, seq: 5001, ack: 102 }),
    ];
    const [p] = analyzeCapture(packets, [31493], { immediateCloseMs: 1000 });
    expect(p).toMatchObject({ finUnanswered: 1, finIntervalsMs: [200, 400] });
    expect([...p!.finUnansweredPeers]).toEqual([['c', 1]]);
  });

  it('keeps ports apart and gives an unwatched port nothing', () => {
    const packets = [seg(0, 'a', 1, syn, { port: 80 }), seg(1000, 'a', 1, syn, { port: 80 }), seg(0, 'b', 2, syn, { port: 31493 })];
    const result = analyzeCapture(packets, [31493, 30080], { immediateCloseMs: 1000 });
    expect(result.map((p) => [p.port, p.packets, p.synRetransmits])).toEqual([[31493, 1, 0], [30080, 0, 0]]);
  });
});

describe('parseDeepSections', () => {
  it('turns a missing tcpdump and a refused strace into failed probes and notes, never an exception', () => {
    const { deep, notes } = parseDeepSections([
      { name: 'deep-meta', stdout: 'window 10\nports 31493\npids 1515\n', stderr: '', exitCode: 0 },
      { name: 'capture', stdout: '', stderr: 'tcpdump: not found on the node\n@time 1795638327689901348 1795638327699901348\n', exitCode: 127 },
      { name: 'strace-1515', stdout: 'strace: attach: ptrace(PTRACE_SEIZE, 1515): Operation not permitted\n', stderr: '', exitCode: 1 },
    ]);
    expect(deep.packets).toBeNull();
    expect(deep.owners).toEqual([{ pid: 1515, syscalls: null, syscallSeconds: null, threads: [] }]);
    expect(deep.probes.map((p) => [p.name, p.ok, p.error])).toEqual([
      ['capture', false, 'tcpdump: not found on the node'],
      ['strace', false, 'strace: attach: ptrace(PTRACE_SEIZE, 1515): Operation not permitted'],
    ]);
    expect(deep.probes[0]).toMatchObject({ startedAt: '2026-11-25T20:25:27.689Z', durationMs: 10 });
    expect(notes.map((n) => n.source)).toEqual(['capture', 'strace-1515']);
  });

  it('reads a window with no syscall at all as an empty profile (no accept), not as no data', () => {
    const { deep } = parseDeepSections([
      { name: 'deep-meta', stdout: 'window 3\nports 31493\npids 7\n', stderr: '', exitCode: 0 },
      { name: 'strace-7', stdout: 'strace: Process 7 attached\nstrace: Process 7 detached\n', stderr: '@time 1 2\n', exitCode: 124 },
    ]);
    expect(deep.owners[0]!.syscalls).toEqual([]);
    expect(deep.probes[0]).toMatchObject({ name: 'strace', ok: true, startedAt: null, durationMs: null });
  });
});
