import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TcpFlag, type TcpPacket } from '../../src/domain/deep.js';
import { parsePcap } from '../../src/parse/pcap.js';
import { GARBAGE } from './garbage.js';

const DIR = join(import.meta.dirname, '../fixtures/pcap');
const read = (name: string) => readFileSync(join(DIR, name));

/** tcpdump's own reading of a fixture (`tcpdump -tt -nn -S -r`, see make-fixtures.sh), as packets. */
function tcpdumpReading(name: string): Array<Omit<TcpPacket, 'timeUs'> & { time: string }> {
  return readFileSync(join(DIR, name), 'utf8').trim().split('\n').map((line) => {
    const m = /^(\d+\.\d+) .*?IP ([\d.]+)\.(\d+) > ([\d.]+)\.(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::\d+)?)?(?:, ack (\d+))?.*length (\d+)/.exec(line);
    if (!m) throw new Error(`unexpected tcpdump line: ${line}`);
    const letters = m[6]!;
    const flags = (letters.includes('F') ? TcpFlag.fin : 0) | (letters.includes('S') ? TcpFlag.syn : 0) | (letters.includes('R') ? TcpFlag.rst : 0)
      | (letters.includes('P') ? TcpFlag.psh : 0) | (letters.includes('.') ? TcpFlag.ack : 0);
    return { time: m[1]!, src: m[2]!, srcPort: Number(m[3]), dst: m[4]!, dstPort: Number(m[5]), flags, seq: Number(m[7] ?? -1), ack: Number(m[8] ?? -1), payload: Number(m[9]) };
  });
}

/** Swaps the byte order of a little-endian capture's file and record headers (what a big-endian host writes). */
function toBigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  for (const at of [0, 8, 12, 16, 20]) be.writeUInt32BE(le.readUInt32LE(at), at);
  be.writeUInt16BE(le.readUInt16LE(4), 4);
  be.writeUInt16BE(le.readUInt16LE(6), 6);
  for (let off = 24; off < le.length; ) {
    const incl = le.readUInt32LE(off + 8);
    for (let i = 0; i < 16; i += 4) be.writeUInt32BE(le.readUInt32LE(off + i), off + i);
    off += 16 + incl;
  }
  return be;
}

describe('parsePcap', () => {
  describe.each([
    ['any-sll2', 276, false, 'tcpdump -i any (4.99: Linux cooked v2)'],
    ['any-sll', 113, false, 'tcpdump -i any -y LINUX_SLL (cooked v1)'],
    ['eth-usec', 1, false, 'tcpdump -i <veth>, microseconds'],
    ['eth-nsec', 1, true, 'tcpdump -i <veth> --time-stamp-precision nano'],
    ['vlan-usec', 1, false, '802.1Q-tagged Ethernet frames'],
    ['raw-usec', 101, false, 'a tun device (raw IP)'],
  ])('on a capture of %s', (name, linkType, nanosecond, what) => {
    const result = parsePcap(read(`${name}.pcap`));
    const expected = tcpdumpReading(`${name}.txt`);

    it(`reads the link type and precision of ${what}`, () => {
      expect(result.linkType).toBe(linkType);
      expect(result.nanosecond).toBe(nanosecond);
      expect(result.issue.skipped).toBe(0);
    });

    it('decodes every TCP segment as tcpdump does', () => {
      expect(result.packets).toHaveLength(expected.length);
      result.packets.forEach((p, i) => {
        const e = expected[i]!;
        expect({ src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort, flags: p.flags, payload: p.payload }).toEqual({
          src: e.src, srcPort: e.srcPort, dst: e.dst, dstPort: e.dstPort, flags: e.flags, payload: e.payload,
        });
        if (e.seq >= 0) expect(p.seq).toBe(e.seq);
        if (e.ack >= 0) expect(p.ack).toBe(e.ack);
        // tcpdump prints as many fraction digits as the file holds; compare to the microsecond.
        const [sec, frac] = e.time.split('.');
        expect(p.timeUs).toBe(Number(sec) * 1e6 + Math.floor(Number(frac!.padEnd(9, '0')) / 1000));
      });
    });
  });

  it('reads a big-endian file as the little-endian one it was written from', () => {
    const le = read('eth-nsec.pcap');
    const be = parsePcap(toBigEndian(le));
    expect(be.nanosecond).toBe(true);
    expect(be.packets).toEqual(parsePcap(le).packets);
  });

  it('keeps the records before a cut and counts the cut', () => {
    const whole = read('eth-usec.pcap');
    const cut = parsePcap(whole.subarray(0, whole.length - 10));
    expect(cut.packets).toHaveLength(parsePcap(whole).packets.length - 1);
    expect(cut.issue.skipped).toBe(1);
  });

  it('says a pcapng file is not classic pcap', () => {
    const ng = Buffer.alloc(28);
    ng.writeUInt32BE(0x0a0d0d0a, 0);
    const result = parsePcap(ng);
    expect(result.linkType).toBeNull();
    expect(result.issue.examples[0]).toMatch(/pcapng/);
  });

  it.each(GARBAGE)('does not throw on %s', (_what, text) => {
    const result = parsePcap(Buffer.from(text, 'latin1'));
    expect(result.packets).toEqual([]);
    expect(result.issue.skipped).toBe(text === '' ? 0 : 1);
  });
});
