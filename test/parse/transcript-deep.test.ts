import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { parseTranscript } from '../../src/parse/transcript.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const incident = readFileSync(join(FIXTURES, 'transcript/incident-report.txt'), 'utf8');

describe('a transcript with the investigator\'s own strace and stacks', () => {
  const report = analyze(parseTranscript(incident));
  const never = report.findings.find((f) => f.rule === 'owner-never-accepts');

  it('replays the incident report to owner-never-accepts: no accept in the table', () => {
    expect(never?.severity).toBe('critical');
    expect(never?.facts.owners).toEqual([{ name: 'kube-proxy', pid: 1515 }]);
    expect(never?.facts.counts?.acceptCalls).toBe(0);
    expect(never?.ports).toEqual(expect.arrayContaining([31493, 32430, 30899]));
  });

  it('gives the futex share (79%) and where the 16 threads wait', () => {
    expect(never?.facts.counts?.futexPercent).toBe(79.46);
    expect(never?.facts.counts?.threads).toBe(16);
    expect(never?.facts.waitSites).toMatchObject({ futex_wait_queue_me: 15 });
  });

  it('explains the full queues it causes and lists what was run by hand as probes', () => {
    expect(report.findings.find((f) => f.rule === 'accept-queue-full')?.explainedBy).toContain('owner-never-accepts');
    expect(report.probes.map((p) => [p.name, p.pid, p.ok])).toEqual([['stacks', 1515, true], ['strace', 1515, true]]);
  });
});

describe('a transcript with a capture given beside it', () => {
  const capture = readFileSync(join(FIXTURES, 'pcap/eth-usec.pcap'));
  const report = analyze(parseTranscript('root@vm:~# uname -r\n6.1.0\n', { capture }));

  it('watches the port the capture\'s SYNs went to', () => {
    expect(report.probes[0]).toMatchObject({ name: 'capture', ok: true, ports: [31493], packets: 18 });
  });

  it('finds the clients that close at once and the SYNs retransmitted against the full queue', () => {
    const close = report.findings.find((f) => f.rule === 'capture-immediate-close');
    expect(close?.facts.peers).toEqual([{ ip: '10.99.0.1', count: 2 }]);
    // No listener was seen in the transcript: the capture alone does not make it a warning.
    expect(close?.severity).toBe('info');
    const retrans = report.findings.find((f) => f.rule === 'capture-handshake-retransmits');
    expect(retrans?.facts.counts).toMatchObject({ synRetransmits: 6, synAckRetransmits: 0 });
    expect(retrans?.facts.peers).toEqual([{ ip: '10.99.0.1', count: 2 }]);
  });

  it('says so when the file is not a capture', () => {
    const bad = analyze(parseTranscript('', { capture: Buffer.from('<html>not a capture</html>') }));
    expect(bad.probes[0]).toMatchObject({ name: 'capture', ok: false });
    expect(bad.probes[0]?.error).toMatch(/not a pcap file/);
  });
});
