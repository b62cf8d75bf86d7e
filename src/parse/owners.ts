/**
 * Parser for the plan's `owners` section: name and command line of each listener's process.
 *
 *     pid 1515 comm kube-proxy
 *     pid 1515 cmdline kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --v=2
 *
 * The command line comes from /proc/PID/cmdline with NULs turned into spaces, so it ends in a
 * space, and processes that rewrite their title (redis-server) pad it with more: both are trimmed.
 */
import type { ParseIssue, ProcessInfo } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface OwnersParseResult {
  processes: Record<number, ProcessInfo>;
  issue: ParseIssue;
}

const LINE = /^pid (\d+) (comm|cmdline)(?: (.*))?$/;

/** Reads `pid N comm NAME` / `pid N cmdline ARGS` lines into processes keyed by pid. */
export function parseOwners(text: string, source = 'owners'): OwnersParseResult {
  const processes: Record<number, ProcessInfo> = {};
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      skipLine(issue, line);
      continue;
    }
    const pid = Number(m[1]);
    const value = (m[3] ?? '').trim();
    const proc = (processes[pid] ??= { pid, name: '', cmdline: null });
    if (m[2] === 'comm') proc.name = value;
    else proc.cmdline = value === '' ? null : value;
  }
  for (const proc of Object.values(processes)) {
    // A process whose comm could not be read still has a name: the first word of its command line.
    if (proc.name === '' && proc.cmdline) proc.name = commandName(proc.cmdline);
  }
  return { processes, issue };
}

/** The program name of a command line: `/usr/sbin/sshd -D` → `sshd`. */
export function commandName(cmdline: string): string {
  const first = cmdline.trim().split(/\s+/, 1)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}
