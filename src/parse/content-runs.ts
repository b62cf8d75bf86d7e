/**
 * Cuts output shown without its command (a saved file, several outputs pasted one after another,
 * a fence with no prompt) into runs of one kind, recognised by what the lines look like:
 *
 *     Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port   → ss
 *     tcp        0      0 0.0.0.0:22      0.0.0.0:*     LISTEN        → netstat
 *        0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 …         → /proc/net/tcp
 *     net.core.somaxconn = 128                                         → sysctl
 *     TcpExt: SyncookiesSent … / #kernel / Tcp:                        → counters
 *     CLOSE_WAIT 577                                                   → a state tally
 *
 * A header line (`State …`, `Netid …`, `Active …`, `  sl  local_address …`) starts a new run
 * even after a run of the same kind, so two listings saved back to back stay two. A line of no
 * known kind joins the run it sits in, whose parser then counts it as skipped; before any run it
 * forms a run of kind null, counted as skipped by the caller. Nothing is dropped unseen.
 */
import { toTcpState } from './tcp-state.js';

export type ContentKind = 'ss' | 'netstat' | 'proc-net-tcp' | 'sysctl' | 'counters' | 'state-tally';

export interface ContentRun {
  /** null: lines of no known kind, before any recognised run. */
  kind: ContentKind | null;
  text: string;
  /** True when the run begins with its tool's header line (a listing saved whole, not a grep's excerpt). */
  header: boolean;
  /** 1-based line number of the run's first line within the text given. */
  line: number;
}

/** ss Netids that only `ss` prints (netstat's `udp`/`tcp` lines are told apart by their second column). */
const SS_NETIDS = new Set(['u_str', 'u_dgr', 'u_seq', 'nl', 'p_raw', 'p_dgr', 'mptcp', 'sctp', 'tipc', 'v_str', 'v_dgr', 'xdp', 'icmp6', '???']);
const SHARED_PROTOCOLS = new Set(['tcp', 'tcp6', 'udp', 'udp6', 'udpl', 'udpl6', 'raw', 'raw6']);
const PROC_LINE = /^\s*\d+:\s+[0-9A-Fa-f]{8,32}:[0-9A-Fa-f]{4}\s/;
const PROC_HEADER = /^\s*sl\s+local_address/;
const SYSCTL_LINE = /^(?:[a-z][\w-]*(?:\.[\w-]+)+|\/proc\/sys\/[\w./-]+)\s*[=:]/;
const COUNTER_GROUP = /^[A-Z][A-Za-z0-9]*:(?:\s|$)/;
const NSTAT_LINE = /^(?:Ip|Icmp|IcmpMsg|Tcp|Udp|UdpLite|Sctp|MPTcp|Mptcp|Xfrm|Ip6|Icmp6|Udp6|UdpLite6|TcpExt|IpExt)[A-Z][A-Za-z0-9_]*\s+-?\d+/;
const NETSTAT_S_LINE = /^\s+(?:\d+\s+[A-Za-z]|[A-Za-z][A-Za-z0-9]*:\s+-?\d+\s*$)/;
const TALLY_LINE = /^[A-Z][A-Z0-9_-]*\s+\d+\s*$/;
const SS_SINGLE_STATE = /^\d+\s+\d+\s+\S+:\S+\s+\S+:\S+/;

/** What a line is: a kind, a header of a kind, blank/continuation, or unknown. */
interface LineClass {
  kind: ContentKind | null;
  header: boolean;
  /** Blank, `...`, an indented detail line: belongs to whatever run it is in. */
  follows: boolean;
  blank: boolean;
}

const FOLLOWS: LineClass = { kind: null, header: false, follows: true, blank: false };
const BLANK: LineClass = { kind: null, header: false, follows: true, blank: true };
const UNKNOWN: LineClass = { kind: null, header: false, follows: false, blank: false };
const cls = (kind: ContentKind, header = false): LineClass => ({ kind, header, follows: false, blank: false });
const SS = cls('ss');
const NETSTAT = cls('netstat');

/** Splits text into runs by content. Linear; a million-line listing is classified by its first token, cached. */
export function splitByContent(text: string): ContentRun[] {
  const runs: ContentRun[] = [];
  let kind: ContentKind | null | undefined;
  let header = false;
  let runStart = 0;
  let runLine = 1;
  let prevHeader = false;
  // The classes of the first tokens of recent data lines (`ESTAB`, `TIME-WAIT`, `tcp`, `tcp6`):
  // a later line that starts with the same token is of the same class.
  const cache: CachedToken[] = [];
  let lineNo = 0;
  const len = text.length;

  const flush = (end: number) => {
    if (kind !== undefined && end > runStart) runs.push({ kind, text: text.slice(runStart, end), header, line: runLine });
  };

  for (let pos = 0; pos < len; ) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    lineNo++;
    let c = cachedClass(cache, text, pos, end);
    if (c === undefined) {
      c = classify(text.slice(pos, end));
      if (!c.header && !c.follows && (c.kind === 'ss' || c.kind === 'netstat') && !isSpace(text.charCodeAt(pos)) && cache.length < MAX_CACHED_TOKENS) {
        const token = text.slice(pos, firstTokenEnd(text, pos, end));
        // `tcp` starts netstat lines and `ss -a` lines alike: its class is decided by the next column.
        cache.push({ token, cls: c, shared: SHARED_PROTOCOLS.has(token) });
      }
    }
    if (c.follows && kind === undefined) {
      // Blank lines before any run belong to none; an indented line there is of no known kind.
      if (!c.blank) c = UNKNOWN;
    }
    if (c.follows) {
      pos = end + 1;
      continue;
    }
    const starts = kind === undefined || (c.kind !== null && (c.kind !== kind || (c.header && !prevHeader)));
    if (starts) {
      flush(pos);
      kind = c.kind;
      header = c.header;
      runStart = pos;
      runLine = lineNo;
    }
    prevHeader = c.header;
    pos = end + 1;
  }
  flush(len);
  return runs;
}

/**
 * `ss` or `netstat` when the text's first line is that tool's header (`State  Recv-Q …`,
 * `Active Internet connections …`); else null. Such a text is most likely one saved listing, which
 * the caller may try to read whole before cutting it into runs line by line.
 */
export function leadingListingKind(text: string): 'ss' | 'netstat' | null {
  const end = text.indexOf('\n');
  const c = classify(text.slice(0, end === -1 ? text.length : end));
  return c.header && (c.kind === 'ss' || c.kind === 'netstat') ? c.kind : null;
}

interface CachedToken {
  token: string;
  cls: LineClass;
  /** A protocol name both tools print first (`tcp`): netstat when the next column is a number. */
  shared: boolean;
}

/** Distinct first tokens remembered: the states `ss` prints and the protocols `netstat` does. */
const MAX_CACHED_TOKENS = 16;

/** The class of the line at [pos, end) when its first token is a remembered one; else undefined. */
function cachedClass(cache: readonly CachedToken[], text: string, pos: number, end: number): LineClass | undefined {
  for (let i = 0; i < cache.length; i++) {
    const entry = cache[i] as CachedToken;
    const after = pos + entry.token.length;
    if (after < end && isSpace(text.charCodeAt(after)) && text.startsWith(entry.token, pos)) {
      if (!entry.shared) return entry.cls;
      let p = after;
      while (p < end && isSpace(text.charCodeAt(p))) p++;
      const c = text.charCodeAt(p);
      return c >= 48 && c <= 57 ? NETSTAT : SS;
    }
  }
  return undefined;
}

function classify(line: string): LineClass {
  const trimmed = line.trim();
  if (trimmed === '' || /^\.+$/.test(trimmed)) return BLANK;
  if (line.charCodeAt(0) === 9) return FOLLOWS;
  if (PROC_HEADER.test(line)) return cls('proc-net-tcp', true);
  if (PROC_LINE.test(line)) return cls('proc-net-tcp');
  // `netstat -s` sentences and `Name: value` lines, indented under their group (or excerpted without it).
  if (NETSTAT_S_LINE.test(line)) return cls('counters');
  if (isSpace(line.charCodeAt(0))) return FOLLOWS;
  const words = trimmed.split(/\s+/);
  const first = words[0] as string;
  const second = words[1] ?? '';
  if ((first === 'State' || first === 'Netid') && trimmed.includes('Recv-Q')) return cls('ss', true);
  if (first === 'Active' || (first === 'Proto' && trimmed.includes('Recv-Q'))) return cls('netstat', true);
  if (first === 'Proto' && trimmed.includes('RefCnt')) return cls('netstat', true);
  if (first === 'unix') return NETSTAT;
  if (SHARED_PROTOCOLS.has(first)) return /^\d/.test(second) ? NETSTAT : SS;
  if (SS_NETIDS.has(first)) return SS;
  if (first === '#kernel' || COUNTER_GROUP.test(trimmed) || NSTAT_LINE.test(trimmed)) return cls('counters');
  if (SYSCTL_LINE.test(trimmed)) return cls('sysctl');
  if (TALLY_LINE.test(trimmed) && toTcpState(first) !== undefined) return cls('state-tally');
  if (toTcpState(first) !== undefined && words.length >= 4) return SS;
  if (SS_SINGLE_STATE.test(trimmed)) return SS;
  return UNKNOWN;
}

function firstTokenEnd(t: string, p: number, end: number): number {
  while (p < end && !isSpace(t.charCodeAt(p))) p++;
  return p;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}
