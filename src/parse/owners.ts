/**
 * Parser for the plan's `owners` section: name and command line of each listener's process.
 *
 *     pid 1515 comm-hex 6b7562652d70726f78790a
 *     pid 1515 cmdline-hex 6b7562652d70726f7879002d2d763d3200
 *     pid 1515 cmdline-bytes 17
 *
 * comm and cmdline are hex of the raw bytes (the process chose them: any byte, newlines included);
 * the command line is cut at CMDLINE_MAX_BYTES by the script and `cmdline-bytes` says its full size.
 * Output from before the hex encoding is read too:
 *
 *     pid 1515 comm kube-proxy
 *     pid 1515 cmdline kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --v=2
 *
 * Secret-looking arguments are redacted here (src/parse/redact.ts), so no later stage sees them.
 */
import { CMDLINE_MAX_BYTES } from '../domain/sections.js';
import type { ParseIssue, ProcessInfo } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';
import { redactArgs, redactCmdline } from './redact.js';
import { decodeHex, printable, splitCmdline } from './untrusted-text.js';

export interface OwnersParseResult {
  processes: Record<number, ProcessInfo>;
  issue: ParseIssue;
}

const LINE = /^pid (\d+) (comm|cmdline|comm-hex|cmdline-hex|cmdline-bytes)(?: (.*))?$/;

/** Reads the owners lines into processes keyed by pid, command lines redacted and capped. */
export function parseOwners(text: string, source = 'owners'): OwnersParseResult {
  const processes: Record<number, ProcessInfo> = {};
  const fullSize = new Map<number, number>();
  const issue = createIssue(source);
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    const value = m?.[3] ?? '';
    const bytes = m?.[2]?.endsWith('-hex') ? decodeHex(value) : null;
    if (!m || (m[2]?.endsWith('-hex') && !bytes)) {
      // An example line may be a piece of a command line split by a newline (output from before the hex encoding).
      skipLine(issue, line, redactCmdline);
      continue;
    }
    const pid = Number(m[1]);
    const proc = (processes[pid] ??= { pid, name: '', cmdline: null });
    switch (m[2]) {
      case 'comm':
        proc.name = printable(value.trim());
        break;
      case 'comm-hex':
        proc.name = printable((bytes as Buffer).toString('utf8').trim());
        break;
      case 'cmdline':
        proc.cmdline = redactCmdline(capped(printable(value.trim())));
        break;
      case 'cmdline-hex':
        proc.cmdline = capped(redactArgs(splitCmdline(bytes as Buffer)).join(' '));
        break;
      case 'cmdline-bytes':
        if (/^\d+$/.test(value)) fullSize.set(pid, Number(value));
        break;
    }
  }
  for (const proc of Object.values(processes)) {
    if (proc.cmdline === '') proc.cmdline = null;
    const size = fullSize.get(proc.pid);
    if (proc.cmdline !== null && size !== undefined && size > CMDLINE_MAX_BYTES) proc.cmdline += ` …[cut at ${CMDLINE_MAX_BYTES} of ${size} bytes]`;
    // A process whose comm could not be read still has a name: the first word of its command line.
    if (proc.name === '' && proc.cmdline) proc.name = commandName(proc.cmdline);
  }
  return { processes, issue };
}

/** Output from before the script capped command lines can hold megabytes of one: keep the head. */
function capped(cmdline: string): string {
  return cmdline.length > CMDLINE_MAX_BYTES ? `${cmdline.slice(0, CMDLINE_MAX_BYTES)} …[cut at ${CMDLINE_MAX_BYTES} of ${cmdline.length} characters]` : cmdline;
}

/** The program name of a command line: `/usr/sbin/sshd -D` → `sshd`. */
export function commandName(cmdline: string): string {
  const first = cmdline.trim().split(/\s+/, 1)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

/**
 * The owners section as a person reads it (raw file, saved bundle): one `pid N comm NAME` and one
 * `pid N cmdline ARGS` line per process, decoded, redacted and capped as {@link parseOwners} reads
 * them. Lines it cannot read are dropped: they may hold anything.
 */
export function ownersAsText(text: string): string {
  const { processes } = parseOwners(text);
  return Object.values(processes)
    .map((p) => `pid ${p.pid} comm ${p.name}\npid ${p.pid} cmdline ${p.cmdline ?? ''}\n`)
    .join('');
}
