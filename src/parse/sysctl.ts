/**
 * Parser for `sysctl` output and the plan's /proc/sys reader, which prints the same shape.
 *
 *     net.core.somaxconn = 128
 *     net.ipv4.ip_local_port_range = 32768	60999
 *
 * `k: v` (what some wrappers print) is read too. Tabs and runs of spaces inside a value become one
 * space, so `32768\t60999` reads `32768 60999` whichever tool printed it.
 */
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface SysctlParseResult {
  values: Record<string, string>;
  issue: ParseIssue;
}

const LINE = /^([A-Za-z0-9_][A-Za-z0-9_.\-/]*)\s*(?:=|:)\s?(.*)$/;

/** True for a dotted sysctl key such as `net.core.somaxconn`. */
export function isSysctlKey(key: string): boolean {
  return /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/.test(key);
}

/** Reads `key = value` lines. Keys written with slashes (`net/core/somaxconn`) get dots. */
export function parseSysctl(text: string, source = 'sysctl'): SysctlParseResult {
  const values: Record<string, string> = {};
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    const key = m?.[1]?.replace(/\//g, '.');
    if (!m || !key || !isSysctlKey(key)) {
      skipLine(issue, line);
      continue;
    }
    values[key] = (m[2] ?? '').trim().replace(/\s+/g, ' ');
  }
  return { values, issue };
}
