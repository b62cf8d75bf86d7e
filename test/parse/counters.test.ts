import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCounters } from '../../src/parse/counters.js';
import { GARBAGE } from './garbage.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/counters/${name}.txt`, import.meta.url), 'utf8');

describe('parseCounters', () => {
  describe.each([
    ['proc-netstat-snmp', { TcpExtListenOverflows: 0, TcpRetransSegs: 0, TcpOutSegs: 8728, IpExtInOctets: 354728900, TcpMaxConn: -1, IcmpMsgInType3: 1 }],
    ['netstat-st-old', {
      TcpExtListenOverflows: 7203095, TcpExtListenDrops: 7203095, TcpRetransSegs: 2254328, TcpOutSegs: 15341092,
      TcpExtPruneCalled: 509, TcpExtTCPRcvCollapsed: 203324, TcpExtTCPTimeouts: 2702307, TcpExtTCPSynRetrans: 2254002,
      TcpExtTCPBacklogDrop: 22, TcpExtPAWSEstab: 1, TcpExtDelayedACKLost: 56, TcpInErrs: 51, TcpInCsumErrors: 4,
      TcpActiveOpens: 924259, IpExtInOctets: 1700387324043, IcmpMsgOutType5: 9115, TcpExtTCPAbortOnData: 96702, TcpExtTCPAbortOnTimeout: 5,
    }],
    ['netstat-st-excerpt', { TcpExtListenOverflows: 7203944, TcpExtListenDrops: 7203944, TcpExtTCPTimeouts: 2702643, TcpExtTCPSynRetrans: 2254301 }],
  ])('when %s is read', (variant, expected) => {
    const result = parseCounters(fixture(variant), variant);
    it('maps every line to its nstat name', () => {
      expect(result.values).toMatchObject(expected);
      expect(result.issue.skipped).toBe(0);
    });
  });

  it.each(['nstat-asz', 'netstat-st-new'])('reads the %s output of this machine without skipping', (variant) => {
    const result = parseCounters(fixture(variant), variant);
    expect(result.issue).toEqual({ source: variant, skipped: 0, examples: [] });
    expect(Object.keys(result.values).length).toBeGreaterThan(10);
    expect(result.values.TcpOutSegs).toBeGreaterThan(0);
  });

  it('gives /proc and netstat -st the same names for the same counters', () => {
    const proc = parseCounters(fixture('proc-netstat-snmp')).values;
    const human = parseCounters(fixture('netstat-st-new')).values;
    for (const name of ['TcpActiveOpens', 'TcpPassiveOpens', 'TcpAttemptFails', 'TcpExtTW', 'TcpExtDelayedACKs']) {
      expect(Object.keys(human)).toContain(name);
      expect(Object.keys(proc)).toContain(name);
    }
  });

  it('reads the ICMP histograms of old netstat', () => {
    const text = 'Icmp:\n    45 ICMP messages received\n    ICMP input histogram:\n        destination unreachable: 40\n        echo requests: 5\n    ICMP output histogram:\n        echo replies: 5\n';
    expect(parseCounters(text).values).toEqual({ IcmpInMsgs: 45, IcmpInDestUnreachs: 40, IcmpInEchos: 5, IcmpOutEchoReps: 5 });
  });

  it('counts a sentence it has no name for as skipped', () => {
    const result = parseCounters('TcpExt:\n    12 packets eaten by a grue\n    7 times the listen queue of a socket overflowed\n');
    expect(result.values).toEqual({ TcpExtListenOverflows: 7 });
    expect(result.issue.skipped).toBe(1);
    expect(result.issue.examples).toEqual(['    12 packets eaten by a grue']);
  });

  it('counts a value line whose header is missing or of another length', () => {
    const result = parseCounters('TcpExt: A B\nTcpExt: 1 2 3\nIp: 1 2\n');
    expect(result.values).toEqual({});
    expect(result.issue.skipped).toBe(2);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parseCounters(text);
    expect(result.values).toEqual({});
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '').length - (text.includes('TcpExt: ListenOverflows') ? 1 : 0));
  });
});
