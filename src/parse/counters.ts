/**
 * Parser for kernel TCP/IP counters in the three shapes tools print them, all to nstat names
 * (`TcpExtListenOverflows`, `TcpRetransSegs`, `IpExtInOctets`).
 *
 * /proc/net/netstat and /proc/net/snmp: a header line and a value line per group.
 *
 *     TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled
 *     TcpExt: 0 0 0 0 12
 *
 * `nstat -az` / `nstat -asz`: one counter a line, with a rate column.
 *
 *     #kernel
 *     TcpExtListenOverflows           7203095            0.0
 *
 * `netstat -st`: sentences under group headers, or `Name: value` for counters net-tools has no
 * sentence for.
 *
 *     TcpExt:
 *         7203095 times the listen queue of a socket overflowed
 *         TCPSynRetrans: 2254002
 *
 * Lines with no section header (an excerpt pasted into a report) are looked up in every group.
 */
import type { ParseIssue } from '../domain/snapshot.js';
import { ICMP_HISTOGRAM, NETSTAT_SENTENCES } from './netstat-s-names.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface CountersParseResult {
  values: Record<string, number>;
  issue: ParseIssue;
}

const GROUP_LINE = /^([A-Za-z][A-Za-z0-9]*):(?:\s+(.*))?$/;
/** nstat names always start with their group, which keeps `LISTEN 0` from reading as a counter. */
const NSTAT_LINE = /^((?:Ip|Icmp|IcmpMsg|Tcp|Udp|UdpLite|Sctp|MPTcp|Mptcp|Xfrm|Ip6|Icmp6|Udp6|UdpLite6|TcpExt|IpExt)[A-Z][A-Za-z0-9_]*)\s+(-?\d+)(?:\s+-?[\d.]+)?$/;
const NAMED_VALUE = /^([A-Za-z][A-Za-z0-9_]*):\s+(-?\d+)$/;
const NUMBER = /\d+/;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const INTEGER = /^-?\d+$/;
/** Groups tried, in order, for a sentence printed without its group header. */
const GUESS_ORDER = ['TcpExt', 'Tcp', 'Ip', 'Udp', 'Icmp'];

/** Reads counters from any of the three shapes, also mixed. Never throws; unknown lines are counted. */
export function parseCounters(text: string, source = 'counters'): CountersParseResult {
  const values: Record<string, number> = {};
  const issue = createIssue(source);
  let pending: { group: string; names: string[] } | null = null;
  let section: string | null = null;
  let icmpDirection: 'In' | 'Out' | null = null;

  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const body = line.trim();
    if (body === '' || body.startsWith('#') || /^\.+$/.test(body)) continue;
    const indented = line !== body && (line.startsWith(' ') || line.startsWith('\t'));

    if (!indented) {
      const group = GROUP_LINE.exec(line);
      if (group) {
        const name = group[1] as string;
        const rest = group[2]?.trim() ?? '';
        if (rest === '') {
          section = name;
          icmpDirection = null;
          continue;
        }
        const tokens = rest.split(/\s+/);
        if (tokens.every((tok) => INTEGER.test(tok))) {
          if (pending && pending.group === name && pending.names.length === tokens.length) {
            pending.names.forEach((field, i) => (values[name + field] = Number(tokens[i])));
          } else {
            skipLine(issue, line);
          }
          pending = null;
          continue;
        }
        if (tokens.every((tok) => IDENTIFIER.test(tok))) {
          pending = { group: name, names: tokens };
          continue;
        }
        // `InCsumErrors: 4` at column 0 would land here in unindented netstat output.
        const named = NAMED_VALUE.exec(line);
        if (named && section) {
          values[section + named[1]] = Number(named[2]);
          continue;
        }
        skipLine(issue, line);
        continue;
      }
      const nstat = NSTAT_LINE.exec(line);
      if (nstat) {
        values[nstat[1] as string] = Number(nstat[2]);
        continue;
      }
    }

    if (readSentence(body, section, icmpDirection, values)) continue;
    if (body === 'ICMP input histogram:') icmpDirection = 'In';
    else if (body === 'ICMP output histogram:') icmpDirection = 'Out';
    else skipLine(issue, line);
  }
  return { values, issue };
}

function readSentence(body: string, section: string | null, icmp: 'In' | 'Out' | null, values: Record<string, number>): boolean {
  const text = body.endsWith('.') ? body.slice(0, -1) : body;
  const named = NAMED_VALUE.exec(text);
  if (named) {
    const field = named[1] as string;
    // An excerpt without its group header: TCP* names are all TcpExt counters.
    const group = section ?? (field.startsWith('TCP') ? 'TcpExt' : null);
    if (!group) return false;
    values[group + field] = Number(named[2]);
    return true;
  }
  const colon = text.lastIndexOf(': ');
  if (icmp && colon > 0) {
    const field = ICMP_HISTOGRAM[text.slice(0, colon)];
    const value = text.slice(colon + 2);
    if (field && INTEGER.test(value)) {
      values[`Icmp${icmp}${field}`] = Number(value);
      return true;
    }
  }
  const number = NUMBER.exec(text);
  if (!number) return false;
  const key = text.slice(0, number.index) + '#' + text.slice(number.index + number[0].length);
  for (const group of section ? [section] : GUESS_ORDER) {
    const field = NETSTAT_SENTENCES[group]?.[key];
    if (field) {
      values[group + field] = Number(number[0]);
      return true;
    }
  }
  return false;
}
