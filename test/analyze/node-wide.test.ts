import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { orderRules, type Rule } from '../../src/analyze/rule.js';
import { RULES } from '../../src/analyze/rules/index.js';
import { SnapshotBuilder } from '../helpers/snapshot-builder.js';

const rules = (r: ReturnType<typeof analyze>, id: string) => r.findings.filter((f) => f.rule === id);
const base = () => new SnapshotBuilder().listener(80, 0);

describe('node-wide rules', () => {
  it.each([
    [700, 1000, 'conntrack table 70.0% full (700 of 1000)', null],
    [850, 1000, 'conntrack table 85.0% full (850 of 1000)', 'warning'],
    [990, 1000, 'conntrack table 99.0% full (990 of 1000)', 'critical'],
  ])('conntrack-near-max: %i of %i', (count, max, title, severity) => {
    const found = rules(analyze(base().sysctl({ 'net.netfilter.nf_conntrack_count': count, 'net.netfilter.nf_conntrack_max': max }).build()), 'conntrack-near-max');
    expect(found.map((f) => [f.title, f.severity])).toEqual(severity ? [[title, severity]] : []);
  });

  it('time-wait-pressure: TIME-WAIT over half the ephemeral range, and TimeWaitOverflow rising', () => {
    const snap = base()
      .socket('TIME-WAIT', 80, '198.18.0.9', { count: 600 })
      .sysctl({ 'net.ipv4.ip_local_port_range': '32768 33767', 'net.ipv4.tcp_max_tw_buckets': 262144 })
      .counters({ TcpExtTCPTimeWaitOverflow: 5 }, 0)
      .counters({ TcpExtTCPTimeWaitOverflow: 9 }, 5)
      .build();
    const [f] = rules(analyze(snap), 'time-wait-pressure');
    expect(f?.title).toBe(
      'TIME-WAIT pressure: TIME-WAIT sockets are 60.0% of the ephemeral port range; the kernel is destroying TIME-WAIT sockets early (TcpExtTCPTimeWaitOverflow rising)',
    );
    expect(f?.severity).toBe('warning');
  });

  it('time-wait-pressure and the state totals read the same from a table that only counts TIME-WAIT and ESTAB', () => {
    const kept = base()
      .socket('TIME-WAIT', 80, '198.18.0.9', { count: 600 })
      .socket('ESTAB', 80, '198.18.0.10', { count: 7 })
      .sysctl({ 'net.ipv4.ip_local_port_range': '32768 33767' })
      .build();
    const counted = { ...kept, sockets: { ...kept.sockets, sockets: kept.sockets.sockets.filter((s) => s.state === 'LISTEN'), countedOnly: ['ESTAB', 'TIME-WAIT'] as const } };
    const [a, b] = [analyze(kept), analyze(counted)];
    expect(b.states).toEqual({ LISTEN: 1, 'TIME-WAIT': 600, ESTAB: 7 });
    expect(b.states).toEqual(a.states);
    expect(rules(b, 'time-wait-pressure').map((f) => f.title)).toEqual(['TIME-WAIT pressure: TIME-WAIT sockets are 60.0% of the ephemeral port range']);
    expect(b.findings).toEqual(a.findings);
  });

  it('socket-memory-pressure: warns when pruning rises, stays quiet when it stopped', () => {
    const rising = base().counters({ TcpExtPruneCalled: 5, TcpExtTCPRcvCollapsed: 10 }, 0).counters({ TcpExtPruneCalled: 9, TcpExtTCPRcvCollapsed: 10 }, 5).build();
    expect(rules(analyze(rising), 'socket-memory-pressure').map((f) => [f.severity, f.title])).toEqual([['warning', 'socket memory pressure now: PruneCalled rising']]);
    const stopped = base().counters({ TcpExtPruneCalled: 5 }, 0).counters({ TcpExtPruneCalled: 5 }, 5).build();
    expect(rules(analyze(stopped), 'socket-memory-pressure')).toEqual([]);
  });

  it('retransmission-rate: a live ratio warns; a lifetime ratio of handshakes is explained by SYN-RECV', () => {
    const live = base().counters({ TcpRetransSegs: 0, TcpOutSegs: 0 }, 0).counters({ TcpRetransSegs: 50, TcpOutSegs: 1000 }, 5).build();
    expect(rules(analyze(live), 'retransmission-rate').map((f) => [f.severity, f.title])).toEqual([['warning', '5.0% of sent segments retransmitted between samples']]);
    const stuck = new SnapshotBuilder()
      .listener(80, 129)
      .socket('SYN-RECV', 80, '198.18.0.7')
      .counters({ TcpRetransSegs: 2254328, TcpOutSegs: 15341092, TcpExtTCPSynRetrans: 2254002 })
      .build();
    const report = analyze(stuck);
    const [f] = rules(report, 'retransmission-rate');
    expect(f?.title).toBe('14.7% of sent segments retransmitted since boot');
    expect(f?.detail).toContain('100.0% of them are SYN/SYN-ACK retransmissions');
    expect(f?.explainedBy).toEqual(['syn-recv-stuck']);
  });

  it('sysctl-audit: reports abort_on_overflow=0 and synack_retries only alongside full queues and stuck handshakes', () => {
    const settings = { 'net.ipv4.tcp_abort_on_overflow': 0, 'net.ipv4.tcp_synack_retries': 5, 'net.ipv4.tcp_syncookies': 1 };
    const sick = analyze(new SnapshotBuilder().listener(80, 129).socket('SYN-RECV', 80, '198.18.0.7').sysctl(settings).build());
    expect(rules(sick, 'sysctl-audit')[0]?.evidence).toEqual(['net.ipv4.tcp_abort_on_overflow = 0', 'net.ipv4.tcp_synack_retries = 5']);
    expect(rules(analyze(base().sysctl(settings).build()), 'sysctl-audit')).toEqual([]);
  });

  it('collection-gap: notes and a partial table become info findings, skipped lines of a socket listing a warning', () => {
    const snap = base()
      .with({
        notes: [{ source: 'sysctl', message: 'could not read sysctl settings: permission denied' }],
        parseIssues: [{ source: 'ss-all', skipped: 2, examples: ['garbage', 'more garbage'] }],
      })
      .build();
    snap.sockets.coverage = { kind: 'ports', ports: [80] };
    const report = analyze(snap);
    expect(rules(report, 'collection-gap').map((f) => f.title)).toEqual([
      // The warning sorts first.
      '2 lines could not be read in ss-all',
      'could not read sysctl settings: permission denied',
      'socket listings cover only 1 port: 80',
    ]);
    expect(rules(report, 'collection-gap').map((f) => f.severity)).toEqual(['warning', 'info', 'info']);
    expect(report.skipped).toEqual({ 'ss-all': 2 });
    // Sockets on the unread lines may be the trouble: never "healthy" on a partly read listing.
    expect(report.exitCode).toBe(1);
  });
});

describe('orderRules', () => {
  const rule = (id: string, needs: string[]): Rule => ({ id, needs, run: () => [] });

  it('runs every rule after the rules it needs', () => {
    const order = orderRules(RULES).map((r) => r.id);
    for (const r of RULES) for (const need of r.needs) expect(order.indexOf(need)).toBeLessThan(order.indexOf(r.id));
  });

  it('refuses a cycle', () => {
    expect(() => orderRules([rule('a', ['b']), rule('b', ['a'])])).toThrow(/cycle/);
  });
});
