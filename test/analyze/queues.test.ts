import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { SnapshotBuilder } from '../helpers/snapshot-builder.js';

const APP = { name: 'java', pid: 700, fd: 9 };
const rules = (r: ReturnType<typeof analyze>, id: string) => r.findings.filter((f) => f.rule === id);

describe('analyze', () => {
  describe('when every listener is idle', () => {
    const snap = new SnapshotBuilder()
      .listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } })
      .listener(8080, 0, { owner: APP, samples: [0] })
      .socket('ESTAB', 8080, '198.18.0.7', { count: 20 })
      .socket('TIME-WAIT', 8080, '198.18.0.7', { count: 30 })
      .counters({ TcpExtListenOverflows: 0, TcpRetransSegs: 10, TcpOutSegs: 100000 }, 0)
      .counters({ TcpExtListenOverflows: 0, TcpRetransSegs: 11, TcpOutSegs: 101000 }, 5)
      .sysctl({ 'net.core.somaxconn': 128, 'net.ipv4.tcp_abort_on_overflow': 0 })
      .build();

    it('flags nothing and exits 0', () => {
      const report = analyze(snap);
      expect(report.findings).toEqual([]);
      expect(report.exitCode).toBe(0);
      expect(report.verdict).toEqual({ severity: 'ok', headline: 'healthy: 2 listeners, no full or stuck queues', cause: null });
      expect(report.states).toEqual({ LISTEN: 2, 'TIME-WAIT': 30, ESTAB: 20 });
    });

    it('is pure: the same snapshot gives the same report and is not changed', () => {
      const before = structuredClone(snap);
      expect(analyze(snap)).toEqual(analyze(snap));
      expect(snap).toEqual(before);
    });
  });

  it('exits 3 when the snapshot holds no socket data at all', () => {
    const report = analyze(new SnapshotBuilder().with({ notes: [{ source: 'ss-all', message: 'could not read the socket table: ss: not found' }] }).build());
    expect(report.exitCode).toBe(3);
    expect(report.verdict.headline).toMatch(/could not diagnose/);
    expect(rules(report, 'collection-gap').map((f) => f.title)).toEqual(['could not read the socket table: ss: not found']);
  });

  describe('accept-queue-full', () => {
    const report = analyze(
      new SnapshotBuilder()
        .listener(8080, 129, { owner: APP, samples: [129] })
        .listener(9090, 11, { owner: APP, samples: [11], sendQ: 10 })
        .listener(7070, 10, { owner: APP, sendQ: 10 })
        .build(),
    );

    it('lists every full port (Recv-Q > Send-Q) in one critical finding with the owner', () => {
      const [full, ...rest] = rules(report, 'accept-queue-full');
      expect(rest).toEqual([]);
      expect(full).toMatchObject({ severity: 'critical', ports: [8080, 9090] });
      expect(full?.title).toContain('java (pid 700)');
      expect(full?.evidence[0]).toBe('LISTEN [::]:8080 Recv-Q 129 Send-Q 128 (samples 129 → 129), owner java (pid 700)');
      expect(report.exitCode).toBe(2);
    });

    it('does not call a queue at its backlog full (it holds backlog+1)', () => {
      expect(rules(report, 'accept-queue-backlog').flatMap((f) => f.ports)).toEqual([7070]);
    });

    it('words the kernel behaviour both ways when the kernel is unknown', () => {
      expect(rules(report, 'accept-queue-full')[0]?.detail).toMatch(/kernel version is unknown: a kernel before 4.10 .* 4.10 and later drops the SYN/);
    });
  });

  it.each([
    ['4.4.0-1092-aws', /Kernel 4.4.0-1092-aws \(before 4.10\) lets most SYNs through/],
    ['5.15.0-105-generic', /Kernel 5.15.0-105-generic \(4.10 or later\) drops the SYN itself/],
  ])('words a full queue for kernel %s', (kernel, wording) => {
    const report = analyze(new SnapshotBuilder().meta({ kernel }).listener(80, 129).build());
    expect(rules(report, 'accept-queue-full')[0]?.detail).toMatch(wording);
  });

  describe('accept-queue-backlog', () => {
    it('warns when the queue stays non-empty across samples and notes a single-sample one', () => {
      const report = analyze(new SnapshotBuilder().listener(8080, 5, { owner: APP, samples: [6] }).listener(8081, 3).listener(8082, 4, { samples: [0] }).build());
      const found = rules(report, 'accept-queue-backlog').map((f) => [f.severity, f.ports]);
      expect(found).toEqual([
        ['warning', [8080]],
        ['info', [8081]],
      ]);
      expect(report.exitCode).toBe(1);
    });
  });

  describe('syn-recv-stuck', () => {
    const build = (retries: number | null) => {
      const b = new SnapshotBuilder()
        .listener(8080, 129, { owner: APP })
        .listener(9000, 0)
        .socket('SYN-RECV', 8080, '198.18.0.7', { count: 3 })
        .socket('SYN-RECV', 8080, '198.18.0.8')
        .socket('SYN-RECV', 9000, '198.18.0.9')
        .sysctl({ 'net.ipv4.tcp_abort_on_overflow': 0 });
      if (retries !== null) b.sysctl({ 'net.ipv4.tcp_synack_retries': retries });
      return rules(analyze(b.build()), 'syn-recv-stuck');
    };

    it('lists the peers of SYN-RECV on full queues only', () => {
      const [f] = build(5);
      expect(f?.ports).toEqual([8080]);
      expect(f?.evidence[0]).toBe('8080: 4 SYN-RECV sockets from 198.18.0.7 (3), 198.18.0.8 (1)');
      expect(f?.detail).toContain('tcp_synack_retries=5 retransmissions (about 63 s)');
    });

    it.each([
      [2, 'about 7 s'],
      [null, 'about 63 s'],
    ])('computes the lifetime for tcp_synack_retries=%s', (retries, text) => {
      expect(build(retries)[0]?.detail).toContain(text);
    });
  });

  describe('listen-overflow', () => {
    it('gives a rate when the samples are timed', () => {
      const report = analyze(
        new SnapshotBuilder()
          .listener(80, 129)
          .counters({ TcpExtListenOverflows: 1000, TcpExtListenDrops: 1000 }, 0)
          .counters({ TcpExtListenOverflows: 1850, TcpExtListenDrops: 1850 }, 5)
          .build(),
      );
      const [f] = rules(report, 'listen-overflow');
      expect(f?.severity).toBe('warning');
      expect(f?.title).toBe('170 listen overflows/s (+850 between samples; 1850 since boot)');
      expect(report.counters.TcpExtListenOverflows).toEqual({ value: 1850, delta: 850, perSecond: 170 });
      expect(report.verdict.headline).toBe('1 accept queue full (an unknown process), 170 listen overflows/s');
    });

    it('gives the change without a rate when the samples carry no time', () => {
      const report = analyze(new SnapshotBuilder().listener(80, 0).counters({ TcpExtListenOverflows: 7203095 }, null).counters({ TcpExtListenOverflows: 7203944 }, null).build());
      expect(rules(report, 'listen-overflow')[0]?.title).toBe('849 listen overflows between samples (7203944 since boot)');
      expect(report.counters.TcpExtListenOverflows).toEqual({ value: 7203944, delta: 849, perSecond: null });
    });

    it('says none happened between the samples, as info, when the counter stood still', () => {
      const report = analyze(new SnapshotBuilder().meta({ uptimeSec: 5400 }).listener(80, 0).counters({ TcpExtListenOverflows: 16 }, 0).counters({ TcpExtListenOverflows: 16 }, 5).build());
      const [f] = rules(report, 'listen-overflow');
      expect([f?.severity, f?.title]).toEqual(['info', '16 listen overflows since boot, none between samples']);
      expect(f?.evidence).toContain('0/s on average over 2 hours of uptime');
    });

    it('notes overflows since boot with a single sample, as info', () => {
      const report = analyze(new SnapshotBuilder().listener(80, 0).counters({ TcpExtListenOverflows: 42 }).build());
      expect(rules(report, 'listen-overflow').map((f) => [f.severity, f.title])).toEqual([['info', '42 listen overflows since boot']]);
      expect(report.exitCode).toBe(0);
    });
  });

  describe('somaxconn-low', () => {
    it('speaks only when a full queue sits at the somaxconn cap', () => {
      const full = analyze(new SnapshotBuilder().listener(80, 129).sysctl({ 'net.core.somaxconn': 128 }).build());
      expect(rules(full, 'somaxconn-low')[0]?.title).toBe('net.core.somaxconn = 128 caps the full 1 accept queue (80) at 129');
      const idle = analyze(new SnapshotBuilder().listener(80, 3).sysctl({ 'net.core.somaxconn': 128 }).build());
      expect(rules(idle, 'somaxconn-low')).toEqual([]);
    });
  });
});
