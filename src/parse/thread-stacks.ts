/**
 * Parser for kernel stacks of a process's threads, as the deep plan prints them (one header line
 * per thread: tid, state letter from /proc/PID/task/TID/stat, wchan; then /proc/PID/task/TID/stack):
 *
 *     tid 22169 S do_epoll_wait
 *     [<0>] do_epoll_wait+0x548/0x5a0
 *     [<0>] __x64_sys_epoll_pwait+0x7a/0x140
 *
 * and as a person dumps them by hand (the incident report: stacks separated by `----`, with the
 * addresses older kernels still showed):
 *
 *     [<ffffffff810eff3f>] futex_wait_queue_me+0xcf/0x130
 *     [<ffffffff810f071f>] futex_wait+0xff/0x260
 *     ----
 *
 * A thread's wait site is its innermost frame's function (or its wchan when the stack was not
 * readable, as for a non-root reader). Pure: takes text.
 */
import type { ThreadStack } from '../domain/deep.js';
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

export interface ThreadStacks {
  threads: ThreadStack[];
  issue: ParseIssue;
}

const FRAME = /^\[<[0-9a-fx]+>\]\s+([^\s+]+)(\+0x[0-9a-f]+\/0x[0-9a-f]+)?/;
/** A shell prompt (`root@ip-172-1-52-100:~#`) or the command typed after it. */
const PROMPT = /^\S+@\S+[#$](\s|$)/;
const HEADER = /^tid (\d+) (\S+)(?: (\S+))?$/;

/** Reads thread stacks; lines that are neither a header, a frame nor a separator are counted as skipped. */
export function parseThreadStacks(text: string, source = 'stacks'): ThreadStacks {
  const issue = createIssue(source);
  const threads: ThreadStack[] = [];
  let current: ThreadStack | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const header = HEADER.exec(line);
    if (header) {
      const wchan = header[3] && header[3] !== '0' ? header[3] : null;
      current = { tid: Number(header[1]), state: header[2]!, wchan, frames: [] };
      threads.push(current);
      continue;
    }
    if (/^-{4,}$/.test(line)) {
      current = null;
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame) {
      // The end-of-stack marker older kernels print (`[<ffffffffffffffff>] 0xffffffffffffffff`).
      if (frame[1]!.startsWith('0x')) continue;
      if (!current) {
        current = { tid: null, state: null, wchan: null, frames: [] };
        threads.push(current);
      }
      current.frames.push(frame[1]!);
      continue;
    }
    // A shell prompt or the command that printed the dump.
    if (PROMPT.test(line)) continue;
    skipLine(issue, line);
  }
  return { threads, issue };
}

/** Where a thread waits: its innermost frame, else its wchan; null when neither is known. */
export function waitSiteOf(t: ThreadStack): string | null {
  return t.frames[0] ?? t.wchan;
}
