import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTranscript } from '../../src/parse/transcript.js';
import { GARBAGE } from './garbage.js';

const incident = readFileSync(new URL('../fixtures/transcript/incident-report.txt', import.meta.url), 'utf8');

describe('parseTranscript', () => {
  describe('when the incident report is read as it is', () => {
    const snap = parseTranscript(incident);
    const on = (port: number, state: string) => snap.sockets.sockets.filter((s) => s.localPort === port && s.state === state);

    it('names the node from the prompt', () => {
      expect(snap.meta).toMatchObject({ node: 'ip-172-1-52-100', hostname: 'ip-172-1-52-100', uid: 0, source: 'transcript', intervalSec: null });
    });
    it('reads the netstat | awk tally as state totals', () => {
      expect(snap.stateTotals).toEqual({ 'SYN-RECV': 12, 'CLOSE-WAIT': 577, 'TIME-WAIT': 10, ESTAB: 16 });
    });
    it('takes the full listener listing and the filtered one as two listen samples', () => {
      expect(snap.listenSamples.map((l) => [l.atSec, l.listeners.length])).toEqual([[null, 69], [null, 13]]);
      const full = snap.listenSamples[0]?.listeners.filter((l) => l.recvQ > l.sendQ).map((l) => l.localPort);
      expect(full).toEqual([31493, 32430, 30899]);
    });
    it('covers only the grepped ports, with owners known', () => {
      expect(snap.sockets.coverage).toEqual({ kind: 'ports', ports: [30613, 30899, 31493, 31591, 32430] });
      expect(snap.sockets.ownersKnown).toBe(true);
    });
    it.each([
      [31493, 'SYN-RECV', 12],
      [31493, 'CLOSE-WAIT', 4],
      [32430, 'CLOSE-WAIT', 125],
      [30899, 'CLOSE-WAIT', 129],
      [30613, 'CLOSE-WAIT', 68],
      [31591, 'CLOSE-WAIT', 72],
      [31591, 'LISTEN', 1],
    ])('counts on port %i %i sockets in %s', (port, state, count) => {
      expect(on(port, state)).toHaveLength(count);
    });
    it('reads the peers and unread bytes with IPv4-mapped addresses reduced', () => {
      expect(new Set(on(32430, 'CLOSE-WAIT').map((s) => s.peerAddress))).toEqual(new Set(['172.1.48.252', '172.1.58.151']));
      expect(new Set(on(31493, 'SYN-RECV').map((s) => s.peerAddress))).toEqual(new Set(['172.1.42.207', '172.1.61.192']));
      expect(Math.max(...on(31591, 'CLOSE-WAIT').map((s) => s.recvQ))).toBe(10507);
      expect(on(31591, 'CLOSE-WAIT').find((s) => s.recvQ === 10507)?.peerAddress).toBe('172.1.55.148');
    });
    it('reads the netstat -st output and the later excerpt as two counter samples', () => {
      expect(snap.counterSamples.map((c) => [c.atSec, c.values.TcpExtListenOverflows, c.values.TcpExtTCPSynRetrans])).toEqual([
        [null, 7203095, 2254002],
        [null, 7203944, 2254301],
      ]);
    });
    it('reads sysctls from the prompt-less block and the sysctl -a block', () => {
      expect(snap.sysctl).toMatchObject({ 'net.core.somaxconn': '128', 'net.ipv4.tcp_abort_on_overflow': '0', 'net.ipv4.tcp_synack_retries': '5', 'net.netfilter.nf_conntrack_tcp_timeout_close_wait': '3600' });
    });
    it('reads the kube-proxy owner and its command line from ps', () => {
      expect(snap.processes[1515]).toEqual({ pid: 1515, name: 'kube-proxy', cmdline: 'kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --resource-container= --master=https://api.prod0-cluster-cn-north1a.llsops.com --v=2' });
    });
    it('skips nothing it was asked to read', () => {
      expect(snap.parseIssues).toEqual([]);
    });
  });

  it('reads a plain terminal log without fences, deduplicating sockets seen twice', () => {
    const text = [
      '$ ss -tan',
      'State  Recv-Q Send-Q Local Address:Port Peer Address:Port',
      'LISTEN 0 128 0.0.0.0:80 0.0.0.0:*',
      'ESTAB 0 0 10.0.0.1:80 10.0.0.2:5000',
      '$ ss -tan | grep 80',
      'ESTAB 0 0 10.0.0.1:80 10.0.0.2:5000',
    ].join('\n');
    const snap = parseTranscript(text, { node: 'web-1' });
    expect(snap.meta.node).toBe('web-1');
    // ESTAB is only counted; the listing and the grep's excerpt are the same socket, counted once.
    expect(snap.sockets.sockets.map((s) => s.state)).toEqual(['LISTEN']);
    expect(snap.sockets.counts).toEqual({ LISTEN: 1, ESTAB: 1 });
    expect(snap.sockets.coverage).toEqual({ kind: 'full' });
    expect(snap.sockets.ownersKnown).toBe(false);
  });

  it('does not take a markdown heading for a prompt', () => {
    const snap = parseTranscript('# tcp report\n\n```\nnet.core.somaxconn = 128\n```\n');
    expect(snap.sysctl).toEqual({ 'net.core.somaxconn': '128' });
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const snap = parseTranscript(text);
    expect(snap.sockets.coverage).toEqual({ kind: 'partial' });
    expect(snap.meta.node).toBe('transcript');
  });
});

describe('a saved listing that starts with its header', () => {
  const read = (folder: string, name: string) => readFileSync(new URL(`../fixtures/${folder}/${name}.txt`, import.meta.url), 'utf8');
  // A leading blank line sends the same text through the line-by-line cut by content.
  const same = (text: string) => {
    const whole = parseTranscript(text);
    const cut = parseTranscript(`\n${text}`);
    expect(whole.sockets).toEqual(cut.sockets);
    expect(whole.stateTotals).toEqual(cut.stateTotals);
    expect(whole.listenSamples).toEqual(cut.listenSamples);
    expect(whole.notes).toEqual(cut.notes);
    expect(whole.sysctl).toEqual(cut.sysctl);
    expect(whole.parseIssues.map((i) => [i.skipped, i.examples])).toEqual(cut.parseIssues.map((i) => [i.skipped, i.examples]));
    return whole;
  };

  it.each([
    ['ss', 'real-tan'],
    ['ss', 'real-tupna'],
    ['ss', 'real-a-names'],
    ['netstat', 'tanp'],
    ['netstat', 'plain-names'],
  ])('is read whole exactly as it is read cut by content: %s/%s', (folder, name) => {
    expect(same(read(folder, name)).sockets.sockets.length).toBeGreaterThan(0);
  });

  it('falls back to the cut by content for two listings saved back to back and for a listing followed by sysctls', () => {
    const listing = read('ss', 'real-tan');
    same(`${listing}${listing}`);
    const withSysctls = same(`${listing}net.core.somaxconn = 4096\n`);
    expect(withSysctls.sysctl['net.core.somaxconn']).toBe('4096');
  });
});
