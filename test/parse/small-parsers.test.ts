import { describe, expect, it } from 'vitest';
import { parseMeta } from '../../src/parse/meta.js';
import { parseOwners } from '../../src/parse/owners.js';
import { parsePs, psColumnsForFlags } from '../../src/parse/ps.js';
import { parseStateTally } from '../../src/parse/state-tally.js';
import { GARBAGE } from './garbage.js';

describe('parseMeta', () => {
  it('reads the meta section of the plan', () => {
    const { meta, issue } = parseMeta('hostname vm\nkernel 6.1.0-18-amd64\nuptime 4380.46\nuid 0\nepoch 1795535130\ninterval 5\nss ss utility, iproute2-6.1.0\n');
    expect(meta).toEqual({ hostname: 'vm', kernel: '6.1.0-18-amd64', uptimeSec: 4380.46, uid: 0, epochSec: 1795535130, intervalSec: 5, ssVersion: 'ss utility, iproute2-6.1.0' });
    expect(issue.skipped).toBe(0);
  });
  it('decodes a hex hostname into one printable line', () => {
    const hostname = Buffer.from('evil\n@@TCPCHECK BEGIN ss-all\n').toString('hex');
    expect(parseMeta(`hostname-hex ${hostname}\n`).meta.hostname).toBe('evil\\n@@TCPCHECK BEGIN ss-all');
    expect(parseMeta('hostname-hex 7g\n').issue.skipped).toBe(1);
  });
  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    expect(parseMeta(text).meta.hostname).toBeNull();
  });
});

describe('parseOwners', () => {
  it('reads comm and a padded command line', () => {
    const { processes } = parseOwners('pid 1515 comm kube-proxy\npid 1515 cmdline kube-proxy --kubeconfig=/k --v=2 \npid 2204 cmdline redis-server 127.0.0.1:6379          \n');
    expect(processes).toEqual({
      1515: { pid: 1515, name: 'kube-proxy', cmdline: 'kube-proxy --kubeconfig=/k --v=2' },
      2204: { pid: 2204, name: 'redis-server', cmdline: 'redis-server 127.0.0.1:6379' },
    });
  });
  it('decodes hex comm and command line, arguments split at NUL, control bytes escaped', () => {
    const hex = (s: string) => Buffer.from(s).toString('hex');
    const argv = 'kube-proxy\0--proxy-mode=ipvs\0--name=a b\0\n@@TCPCHECK END owners rc=0\0';
    const { processes, issue } = parseOwners(`pid 7 comm-hex ${hex('kube-proxy\n')}\npid 7 cmdline-hex ${hex(argv)}\npid 7 cmdline-bytes ${argv.length}\n`);
    expect(processes[7]).toEqual({ pid: 7, name: 'kube-proxy', cmdline: 'kube-proxy --proxy-mode=ipvs --name=a b \\n@@TCPCHECK END owners rc=0' });
    expect(issue.skipped).toBe(0);
  });
  it('redacts secrets in both encodings, in skipped examples too', () => {
    const hex = Buffer.from('app\0--db-password=hunter2\0').toString('hex');
    const { processes, issue } = parseOwners(`pid 1 cmdline-hex ${hex}\npid 2 cmdline app --token hunter3\n--api-key=hunter4 junk\n`);
    expect(processes[1]?.cmdline).toBe('app --db-password=[redacted]');
    expect(processes[2]?.cmdline).toBe('app --token [redacted]');
    expect(JSON.stringify({ processes, issue })).not.toMatch(/hunter/);
  });
  it('caps a megabyte command line and says how large it was', () => {
    const { processes } = parseOwners(`pid 3 cmdline-hex ${Buffer.from('x'.repeat(4096)).toString('hex')}\npid 3 cmdline-bytes 1100000\npid 4 cmdline ${'y'.repeat(1_100_000)}\n`);
    expect(processes[3]?.cmdline).toBe(`${'x'.repeat(4096)} …[cut at 4096 of 1100000 bytes]`);
    expect(processes[4]?.cmdline?.length).toBeLessThan(4200);
  });
  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parseOwners(text);
    expect(result.processes).toEqual({});
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '').length);
  });
});

describe('parsePs', () => {
  it('reads the kube-proxy command line from `ps ajxf | grep` without a header', () => {
    const text = ' 1495  1510  1510  1510 ?           -1 Ss       0   0:00      |   \\_ /bin/sh -c kube-proxy --v=2\n 1510  1515  1510  1510 ?           -1 Sl       0 758:14      |       \\_ kube-proxy --master=https://api --v=2\n 3841  2694  2693  3389 pts/0     2693 S+       0   0:00                      \\_ grep kube-proxy\n';
    const { processes } = parsePs(text, psColumnsForFlags('ajxf'));
    expect(processes[1515]).toEqual({ pid: 1515, name: 'kube-proxy', cmdline: 'kube-proxy --master=https://api --v=2' });
    expect(processes[2694]).toBeUndefined();
  });
  it('redacts secret-looking arguments of a pasted `ps` listing', () => {
    const text = 'root      2204     1  0 10:00 ?        00:00:01 /usr/bin/app --db-password=hunter2 --proxy-mode=ipvs\n';
    expect(parsePs(text, 7).processes[2204]?.cmdline).toBe('/usr/bin/app --db-password=[redacted] --proxy-mode=ipvs');
  });
  it('takes the columns from a `ps -eLf` header', () => {
    const text = 'UID        PID  PPID   LWP  C NLWP STIME TTY          TIME CMD\n...\nroot      1515  1510  1516  0   16  2017 ?        01:10:50 kube-proxy --v=2\n';
    expect(parsePs(text).processes).toEqual({ 1515: { pid: 1515, name: 'kube-proxy', cmdline: 'kube-proxy --v=2' } });
  });
  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    expect(parsePs(text, 9).processes).toEqual({});
  });
});

describe('parseStateTally', () => {
  it('reads a netstat | awk tally with netstat spellings', () => {
    const { totals, issue } = parseStateTally('SYN_RECV 12\nCLOSE_WAIT 577\nTIME_WAIT 10\nESTABLISHED 16\n');
    expect(totals).toEqual({ 'SYN-RECV': 12, 'CLOSE-WAIT': 577, 'TIME-WAIT': 10, ESTAB: 16 });
    expect(issue.skipped).toBe(0);
  });
  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parseStateTally(text);
    // `LISTEN 0` in the truncated input is a well-formed tally line.
    const tallies = text.includes('LISTEN 0\n') ? 1 : 0;
    expect(Object.keys(result.totals)).toHaveLength(tallies);
    expect(result.issue.skipped).toBe(text.split('\n').filter((l) => l.trim() !== '').length - tallies);
  });
});
