/**
 * Parser for the plan's `meta` section: one `key value` pair a line. The hostname is hex (any byte
 * can be in it: sethostname(2) takes any), plain in output from before the encoding.
 *
 *     hostname-hex 69702d3137322d312d35322d3130300a
 *     hostname ip-172-1-52-100
 *     kernel 4.4.0-1092-aws
 *     uptime 4380.46
 *     uid 0
 *     epoch 1795535130
 *     interval 5
 *     ss ss utility, iproute2-6.1.0
 */
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';
import { decodeHex, printable } from './untrusted-text.js';

export interface MetaFacts {
  hostname: string | null;
  kernel: string | null;
  uptimeSec: number | null;
  uid: number | null;
  /** The node's clock at collection, seconds since 1970; null when not printed. */
  epochSec: number | null;
  /** Seconds the script slept between its two samples, as it printed them; null when not printed. */
  intervalSec: number | null;
  /** `ss -V` first line, e.g. `ss utility, iproute2-6.1.0`; null when ss is missing. */
  ssVersion: string | null;
}

export interface MetaParseResult {
  meta: MetaFacts;
  issue: ParseIssue;
}

/** Reads the meta section. Unknown keys are counted as skipped; missing keys stay null. */
export function parseMeta(text: string, source = 'meta'): MetaParseResult {
  const meta: MetaFacts = { hostname: null, kernel: null, uptimeSec: null, uid: null, epochSec: null, intervalSec: null, ssVersion: null };
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1).trim();
    switch (key) {
      case 'hostname':
        meta.hostname = printable(value) || null;
        break;
      case 'hostname-hex': {
        const bytes = decodeHex(value);
        if (bytes) meta.hostname = printable(bytes.toString('utf8').trim()) || null;
        else skipLine(issue, line);
        break;
      }
      case 'kernel':
        meta.kernel = value || null;
        break;
      case 'uptime':
        meta.uptimeSec = toNumber(value);
        break;
      case 'uid':
        meta.uid = toNumber(value);
        break;
      case 'epoch':
        meta.epochSec = toNumber(value);
        break;
      case 'interval':
        meta.intervalSec = toNumber(value);
        break;
      case 'ss':
        meta.ssVersion = value || null;
        break;
      default:
        skipLine(issue, line);
    }
  }
  return { meta, issue };
}

function toNumber(value: string): number | null {
  if (!/^\d+(\.\d+)?$/.test(value)) return null;
  return Number(value);
}
