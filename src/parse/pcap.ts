/**
 * A classic pcap reader (the `tcpdump -w` format) that decodes IPv4/IPv6 and TCP headers. What it
 * reads, as `tcpdump -nn -r` prints it:
 *
 *     12:00:01.000000 vnode In  IP 10.99.0.1.41812 > 10.99.0.2.31493: Flags [S], seq 1, win 64240
 *     12:00:01.000041 vnode Out IP 10.99.0.2.31493 > 10.99.0.1.41812: Flags [S.], seq 2, ack 2
 *     12:00:01.000070 vnode In  IP 10.99.0.1.41812 > 10.99.0.2.31493: Flags [F.], seq 1, ack 1
 *
 * File format: pcap-savefile(5) / draft-ietf-opsawg-pcap. The magic 0xa1b2c3d4 (microseconds) or
 * 0xa1b23c4d (nanoseconds) tells the byte order by how it reads. Link types (LINKTYPE_ values,
 * tcpdump.org/linktypes.html): 1 Ethernet (with 802.1Q/802.1ad tags), 113 Linux SLL (`-i any`
 * before tcpdump 4.99), 276 Linux SLL2 (`-i any` since 4.99), 101 and 12 raw IP, 228/229 raw
 * IPv4/IPv6. pcapng is not read (tcpdump writes classic pcap with `-w`). Pure: takes bytes.
 */
import type { TcpPacket } from '../domain/deep.js';
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface PcapResult {
  /** The file's link type; null when the header could not be read. */
  linkType: number | null;
  nanosecond: boolean;
  /** Every record in the file, TCP or not. */
  records: number;
  packets: TcpPacket[];
  issue: ParseIssue;
}

const LINK = { ethernet: 1, raw: 101, rawBsd: 12, sll: 113, sll2: 276, ipv4: 228, ipv6: 229 } as const;
const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = [0x8100, 0x88a8, 0x9100];

/** Reads a classic pcap file. Never throws: a bad header or a truncated record becomes an issue. */
export function parsePcap(bytes: Uint8Array, source = 'pcap'): PcapResult {
  const issue = createIssue(source);
  const result: PcapResult = { linkType: null, nanosecond: false, records: 0, packets: [], issue };
  if (bytes.length === 0) return result;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) {
    skipLine(issue, `file of ${bytes.length} bytes is shorter than a pcap header`);
    return result;
  }
  const magic = view.getUint32(0, false);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = false;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = true;
  else {
    skipLine(issue, magic === 0x0a0d0d0a ? 'pcapng file (write it with tcpdump -w, which gives classic pcap)' : `not a pcap file (magic 0x${magic.toString(16)})`);
    return result;
  }
  result.nanosecond = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  // The upper bits of the link-type field can carry FCS information (pcap-savefile(5)).
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  result.linkType = linkType;
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) {
      skipLine(issue, `record header cut at byte ${off}`);
      break;
    }
    const sec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const incl = view.getUint32(off + 8, little);
    off += 16;
    if (off + incl > bytes.length) {
      skipLine(issue, `record of ${incl} bytes cut at byte ${off}`);
      break;
    }
    result.records++;
    const timeUs = sec * 1e6 + (result.nanosecond ? Math.floor(frac / 1000) : frac);
    const packet = decodeLink(bytes.subarray(off, off + incl), linkType, timeUs);
    if (packet) result.packets.push(packet);
    off += incl;
  }
  if (![LINK.ethernet, LINK.raw, LINK.rawBsd, LINK.sll, LINK.sll2, LINK.ipv4, LINK.ipv6].includes(linkType as never) && result.records > 0) {
    skipLine(issue, `link type ${linkType} is not read (${result.records} records)`);
  }
  return result;
}

function decodeLink(frame: Uint8Array, linkType: number, timeUs: number): TcpPacket | null {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let etherType: number;
  let at: number;
  switch (linkType) {
    case LINK.ethernet: {
      if (frame.length < 14) return null;
      at = 12;
      etherType = dv.getUint16(at);
      // Skip stacked 802.1Q / 802.1ad tags (4 bytes each) to the inner EtherType.
      while (ETH_VLAN.includes(etherType) && at + 6 <= frame.length) {
        at += 4;
        etherType = dv.getUint16(at);
      }
      at += 2;
      break;
    }
    case LINK.sll:
      // 16-byte header; protocol (EtherType) in the last two bytes.
      if (frame.length < 16) return null;
      etherType = dv.getUint16(14);
      at = 16;
      break;
    case LINK.sll2:
      // 20-byte header; protocol first.
      if (frame.length < 20) return null;
      etherType = dv.getUint16(0);
      at = 20;
      break;
    case LINK.raw:
    case LINK.rawBsd:
    case LINK.ipv4:
    case LINK.ipv6: {
      if (frame.length < 1) return null;
      const version = frame[0]! >> 4;
      etherType = version === 4 ? ETH_IPV4 : version === 6 ? ETH_IPV6 : 0;
      at = 0;
      break;
    }
    default:
      return null;
  }
  if (etherType === ETH_IPV4) return decodeIpv4(frame, dv, at, timeUs);
  if (etherType === ETH_IPV6) return decodeIpv6(frame, dv, at, timeUs);
  return null;
}

function decodeIpv4(frame: Uint8Array, dv: DataView, at: number, timeUs: number): TcpPacket | null {
  if (at + 20 > frame.length || frame[at]! >> 4 !== 4) return null;
  const ihl = (frame[at]! & 0x0f) * 4;
  const total = dv.getUint16(at + 2);
  // A fragment other than the first carries no TCP header.
  if (frame[at + 9] !== 6 || (dv.getUint16(at + 6) & 0x1fff) !== 0) return null;
  const src = frame.subarray(at + 12, at + 16).join('.');
  const dst = frame.subarray(at + 16, at + 20).join('.');
  return decodeTcp(frame, dv, at + ihl, total - ihl, src, dst, timeUs);
}

function decodeIpv6(frame: Uint8Array, dv: DataView, at: number, timeUs: number): TcpPacket | null {
  if (at + 40 > frame.length || frame[at]! >> 4 !== 6) return null;
  // Extension headers are not walked: TCP directly after the fixed header is what a capture of
  // plain TCP traffic holds.
  if (frame[at + 6] !== 6) return null;
  const payload = dv.getUint16(at + 4);
  return decodeTcp(frame, dv, at + 40, payload, formatIpv6(dv, at + 8), formatIpv6(dv, at + 24), timeUs);
}

function decodeTcp(frame: Uint8Array, dv: DataView, at: number, segmentLen: number, src: string, dst: string, timeUs: number): TcpPacket | null {
  // The snapshot length (-s 128) keeps the TCP header's first 14 bytes even with IPv6 and VLAN.
  if (at + 14 > frame.length) return null;
  const dataOffset = (frame[at + 12]! >> 4) * 4;
  return {
    timeUs,
    src,
    dst,
    srcPort: dv.getUint16(at),
    dstPort: dv.getUint16(at + 2),
    seq: dv.getUint32(at + 4),
    ack: dv.getUint32(at + 8),
    flags: frame[at + 13]! & 0x3f,
    payload: Math.max(0, segmentLen - dataOffset),
  };
}

/** RFC 5952 text: lowercase, longest run of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
function formatIpv6(dv: DataView, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(dv.getUint16(at + i * 2));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
