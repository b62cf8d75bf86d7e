import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/report.js';
import { renderSlackThread } from '../../src/render/slack-blocks.js';
import { parseCommandText } from '../../src/slack/command-text.js';
import { checkBlocks } from '../doubles/slack/server.js';

function report(peers: number, findings: number): Report {
  return {
    schemaVersion: 1,
    node: 'ip-172-1-52-100',
    hostname: 'ip-172-1-52-100',
    kernel: '4.4.0-1092-aws',
    collectedAt: '2024-01-01T00:00:00.000Z',
    intervalSec: 5,
    source: 'ssh',
    states: { 'CLOSE-WAIT': 577, LISTEN: 3 },
    listeners: [{ address: '::', port: 31493, process: { name: 'kube-proxy', pid: 1515 }, acceptQueue: 129, backlog: 128, acceptQueueSamples: [129, 129], status: 'full', flagged: true }],
    flaggedPorts: [31493],
    peers: Array.from({ length: peers }, (_, i) => ({ localPort: 31493, ip: `172.1.${i >> 8}.${i & 255}`, state: 'CLOSE-WAIT' as const, count: 1 + (i % 7), unreadBytes: i, maxRecvQ: 1 })),
    counters: { TcpExtListenOverflows: { value: 100000, delta: 850, perSecond: 170 } },
    sysctl: { 'net.core.somaxconn': '128' },
    findings: Array.from({ length: findings }, (_, i) => ({
      rule: 'accept-queue-full',
      severity: 'critical' as const,
      ports: [31493],
      title: `Accept queue full <&> ${i}`,
      detail: 'x'.repeat(4000),
      evidence: [],
      recommendation: 'Give the service endpoints.',
      commands: ['systemctl restart kube-proxy'],
      explains: [],
      facts: {},
    })),
    verdict: { severity: 'critical', headline: '1 accept queue full (kube-proxy NodePorts), 577 CLOSE-WAIT, 170 listen overflows/s', cause: 'kube-proxy holds NodePort 31493 and never accepts.' },
    skipped: {},
  probes: [],
    exitCode: 2,
  };
}

describe('renderSlackThread', () => {
  it('puts the verdict, the cause and the buttons in the parent', () => {
    const { parent } = renderSlackThread(report(3, 1), { buttons: { rerun: 'r', raw: 'w', deep: 'd' } });
    expect(parent.text).toBe('CRITICAL on ip-172-1-52-100: 1 accept queue full (kube-proxy NodePorts), 577 CLOSE-WAIT, 170 listen overflows/s — kube-proxy holds NodePort 31493 and never accepts.');
    expect(checkBlocks(parent.blocks)).toEqual([]);
    expect(JSON.stringify(parent.blocks)).toContain('tcpcheck_deep');
  });

  describe('when the node is huge', () => {
    it('stays within Block Kit limits in every message and says what was left out', () => {
      const { parent, replies } = renderSlackThread(report(5000, 120));
      for (const m of [parent, ...replies]) expect(checkBlocks(m.blocks)).toEqual([]);
      const all = JSON.stringify(replies);
      expect(all).toContain('more rows in the raw file');
      expect(all).toContain('left out to stay within Slack');
      expect(all).toContain('&lt;&amp;&gt;');
    });
  });
});

describe('parseCommandText', () => {
  it.each([
    ['lab-node-0', { kind: 'check', node: 'lab-node-0', deep: false, intervalSec: null }],
    ['IP-172-1-52-100 --deep --interval=10', { kind: 'check', node: 'ip-172-1-52-100', deep: true, intervalSec: 10 }],
    ['198.18.0.100 --interval 0', { kind: 'check', node: '198.18.0.100', deep: false, intervalSec: 0 }],
    ['help', { kind: 'help' }],
  ])('reads %j', (text, value) => {
    expect(parseCommandText(text)).toEqual({ ok: true, value });
  });
  it.each(['', 'a;b', '$(id)', 'a'.repeat(400), 'nöde', 'a --interval', 'a --interval 61', '--deep', 'a..b', 'a_b'])('refuses %j', (text) => {
    expect(parseCommandText(text).ok).toBe(false);
  });
});
