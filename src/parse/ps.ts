/**
 * Parser for `ps` listings pasted into a transcript, for the command lines of socket owners.
 *
 *      1510  1515  1510  1510 ?           -1 Sl       0 758:14      |       \_ kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --v=2
 *     root      1515  1510  1516  0   16  2017 ?        01:10:50 kube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig --v=2
 *
 * Every common format has the PID second; the command starts after a fixed number of columns that
 * the header tells (`ps ajxf` and `ps -eLf` 9, `ps -ef` 7, `ps aux` 10) or the caller passes when
 * the header was filtered away (`ps ajxf | grep kube-proxy`).
 */
import type { ParseIssue, ProcessInfo } from '../domain/snapshot.js';
import { commandName } from './owners.js';
import { redactCmdline } from './redact.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface PsParseResult {
  processes: Record<number, ProcessInfo>;
  issue: ParseIssue;
}

/** Columns before the command for the `ps` flags people use; null when unknown. */
export function psColumnsForFlags(args: string): number | null {
  const flags = args.replace(/[\s-]/g, '');
  if (/^[a-z]*j/.test(flags) && !flags.includes('u')) return 9;
  if (/L/.test(flags) && /f/.test(flags)) return 9;
  if (/^(ef|eF|aux|auxf|auxww|efww)$/.test(flags)) return flags.startsWith('a') ? 10 : 7;
  return null;
}

/** Reads ps lines into processes keyed by pid (threads of one pid keep the first line). */
export function parsePs(text: string, columnsBeforeCommand: number | null = null, source = 'ps'): PsParseResult {
  const processes: Record<number, ProcessInfo> = {};
  const issue = createIssue(source);
  let columns = columnsBeforeCommand;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const body = line.trim();
    if (body === '' || /^\.+$/.test(body)) continue;
    const tokens = body.split(/\s+/);
    if (/^(PID|UID|USER|PPID)$/.test(tokens[0] ?? '') && /^(CMD|COMMAND)$/.test(tokens[tokens.length - 1] ?? '')) {
      columns = tokens.length - 1;
      continue;
    }
    const pid = Number(tokens[1]);
    if (columns === null || tokens.length <= columns || !Number.isInteger(pid) || pid <= 0) {
      skipLine(issue, line, redactCmdline);
      continue;
    }
    // `ps f` draws the process tree in front of the command: `|   \_ kube-proxy …`.
    const cmdline = tokens.slice(columns).join(' ').replace(/^[|\\_\s]+/, '');
    if (cmdline === '' || /^grep\b/.test(cmdline)) continue;
    processes[pid] ??= { pid, name: commandName(cmdline), cmdline: redactCmdline(cmdline) };
  }
  return { processes, issue };
}
