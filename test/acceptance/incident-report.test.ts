/**
 * The incident report (a Chinese terminal transcript of a kube-proxy NodePort outage) analyzed
 * unaided must reach the conclusions the investigation reached by hand, and name the root cause
 * it only suspected.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { parseTranscript } from '../../src/parse/transcript.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';

const text = readFileSync(new URL('../fixtures/transcript/incident-report.txt', import.meta.url), 'utf8');
const report = analyze(parseTranscript(text));
const byRule = (rule: string) => report.findings.filter((f) => f.rule === rule);
const peersOf = (port: number, state: string) => report.peers.filter((p) => p.localPort === port && p.state === state);

describe('tcpcheck analyze on the incident report', () => {
  it('finds accept queues full on exactly 31493, 32430 and 30899', () => {
    expect(byRule('accept-queue-full').flatMap((f) => f.ports)).toEqual([30899, 31493, 32430]);
    expect(report.exitCode).toBe(2);
  });

  it('finds a lasting backlog on the ten other listeners with Recv-Q > 0', () => {
    const backlog = byRule('accept-queue-backlog');
    expect(backlog.flatMap((f) => f.ports)).toEqual([30140, 30381, 30605, 30613, 30966, 31095, 31460, 31591, 32078, 32420]);
    expect(backlog.map((f) => f.severity)).toEqual(['warning']);
  });

  it('names the owner kube-proxy pid 1515', () => {
    const full = report.listeners.filter((l) => l.status === 'full');
    expect(full.map((l) => l.process)).toEqual(Array(3).fill({ name: 'kube-proxy', pid: 1515 }));
    expect(byRule('accept-queue-full')[0]?.title).toContain('kube-proxy (pid 1515)');
  });

  it('names the kube-proxy NodePort trap as the cause', () => {
    const [trap] = byRule('kube-proxy-nodeport-trap');
    expect(trap?.severity).toBe('critical');
    expect(report.findings[0]?.rule).toBe('kube-proxy-nodeport-trap');
    expect(report.verdict.cause).toBe(trap?.title);
    expect(trap?.explains).toEqual(expect.arrayContaining(['accept-queue-full', 'accept-queue-backlog', 'syn-recv-stuck', 'close-wait-leak', 'listen-overflow', 'somaxconn-low']));
    expect(report.verdict.headline).toBe('3 accept queues full (kube-proxy NodePorts), 577 CLOSE-WAIT, 849 listen overflows between samples');
  });

  it('lists the CLOSE-WAIT peers of 32430', () => {
    expect(peersOf(32430, 'CLOSE-WAIT').map((p) => p.ip).sort()).toEqual(['172.1.48.252', '172.1.58.151']);
    expect(byRule('close-wait-leak')[0]?.ports).toContain(32430);
  });

  it('finds unread bytes on 31591, up to 10507 from 172.1.55.148', () => {
    const [unread] = byRule('close-wait-unread');
    expect(unread?.ports).toEqual([31591]);
    expect(unread?.evidence.join('\n')).toContain('largest Recv-Q 10507 from 172.1.55.148');
    expect(Math.max(...peersOf(31591, 'CLOSE-WAIT').map((p) => p.maxRecvQ))).toBe(10507);
    expect(peersOf(31591, 'CLOSE-WAIT').find((p) => p.maxRecvQ === 10507)?.ip).toBe('172.1.55.148');
  });

  it('lists the SYN-RECV peers of 31493', () => {
    const [stuck] = byRule('syn-recv-stuck');
    expect(stuck?.ports).toEqual([31493]);
    expect(peersOf(31493, 'SYN-RECV').map((p) => p.ip).sort()).toEqual(['172.1.42.207', '172.1.61.192']);
    expect(stuck?.detail).toContain('about 63 s');
  });

  it('reads the listen-overflow counters', () => {
    expect(report.counters.TcpExtListenOverflows).toEqual({ value: 7203944, delta: 849, perSecond: null });
    expect(byRule('listen-overflow')[0]?.evidence).toContain('TcpExtListenOverflows 7203095 → 7203944 (+849 between samples)');
  });

  it('names somaxconn 128 and tcp_abort_on_overflow 0', () => {
    expect(byRule('somaxconn-low')[0]?.evidence).toContain('net.core.somaxconn = 128');
    expect(byRule('sysctl-audit')[0]?.evidence).toContain('net.ipv4.tcp_abort_on_overflow = 0');
  });

  it('renders in every format', () => {
    expect(renderText(report, { color: false })).toContain('CRITICAL  3 accept queues full');
    expect(renderMarkdown(report)).toContain('#### CRITICAL `kube-proxy-nodeport-trap`');
    expect(JSON.parse(renderJson(report)).findings[0].rule).toBe('kube-proxy-nodeport-trap');
  });
});
