/**
 * Cuts a free-form terminal transcript into blocks of command output.
 *
 *     ```
 *     root@ip-172-1-52-100:~# ss -nltp | awk '{ print $0 }'
 *     State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port
 *     LISTEN     0      128               127.0.0.1:10248                    *:*
 *     root@ip-172-1-52-100:~#
 *     ```
 *
 * A block starts at a prompt line or at an opening markdown fence and ends at the next prompt or
 * fence. When the text has fences (a report written in markdown), only what is inside them is
 * output; the prose between them is not. Without fences the whole text is terminal output.
 */

export interface TranscriptBlock {
  /** The command after the prompt; null for output shown without one. */
  command: string | null;
  /** The output, without the prompt line: one slice of the transcript, lines joined by `\n`. */
  body: string;
  /** 1-based line number of the block's first output line in the transcript, for messages. */
  line: number;
}

export interface SplitTranscript {
  blocks: TranscriptBlock[];
  /** Host name from the prompts (`root@ip-172-1-52-100:~#` → `ip-172-1-52-100`), the last one seen. */
  hostname: string | null;
  /** User name from the prompts. */
  user: string | null;
}

/** `user@host:cwd#`, `[user@host cwd]$`, `user@host$`. */
const USER_PROMPT = /^\s*\[?([A-Za-z_][\w.-]*)@([A-Za-z0-9][\w.-]*)(?:[: ][^#$\]]*)?\]?\s*[#$](?:\s(.*))?$/;
/** A bare `$ cmd` or `# cmd`: only with a command name we know, so a markdown heading is never taken for one. */
const BARE_PROMPT = /^\s*[#$]\s+((?:sudo\s+)?(?:ss|netstat|nstat|sysctl|cat|ps|uname|hostname|uptime|grep|awk|watch|lsof|conntrack|ip|tcpdump|strace|for|id|date|sort|head|tail)\b.*)$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Splits the transcript into output blocks. Never throws.
 *
 * Walks the text by offsets and hands each block out as one slice: a saved million-line listing
 * is one block, so it must cost a scan, not a million strings. A line is only matched against a
 * prompt or fence pattern when its first characters could start one.
 */
export function splitTranscript(text: string): SplitTranscript {
  const fenced = (text.includes('```') || text.includes('~~~')) && hasFenceLine(text);
  const blocks: TranscriptBlock[] = [];
  let hostname: string | null = null;
  let user: string | null = null;
  let inFence = !fenced;
  let command: string | null = null;
  let open = false;
  let bodyStart = 0;
  let bodyLine = 1;
  let lineNo = 0;

  const close = (end: number) => {
    if (open) {
      const body = text.slice(bodyStart, Math.max(bodyStart, end - 1));
      if (/\S/.test(body)) blocks.push({ command, body, line: bodyLine });
    }
    open = false;
  };
  /** Opens a block whose output starts at offset `from`, on line `line`. */
  const start = (cmd: string | null, from: number, line = lineNo + 1) => {
    command = cmd;
    open = true;
    bodyStart = from;
    bodyLine = line;
  };

  for (let pos = 0; pos <= text.length; ) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    lineNo++;
    const next = end + 1;
    const kind = lineKind(text, pos, end);
    if (kind !== 0) {
      const line = text.slice(pos, end);
      if (kind === FENCE_LINE && FENCE.test(line)) {
        close(pos);
        inFence = !inFence;
        if (inFence) start(null, next);
        pos = next;
        continue;
      }
      const prompt = inFence && kind === PROMPT_LINE ? USER_PROMPT.exec(line) : null;
      if (prompt) {
        close(pos);
        user = prompt[1] ?? user;
        hostname = prompt[2] ?? hostname;
        const cmd = prompt[3]?.trim() ?? '';
        start(cmd === '' ? null : cmd, next);
        pos = next;
        continue;
      }
      const bare = inFence && kind === PROMPT_LINE ? BARE_PROMPT.exec(line) : null;
      if (bare) {
        close(pos);
        start((bare[1] as string).trim(), next);
        pos = next;
        continue;
      }
    }
    if (inFence && !open) start(null, pos, lineNo);
    pos = next;
  }
  close(text.length + 1);
  return { blocks, hostname, user };
}

const FENCE_LINE = 1;
const PROMPT_LINE = 2;

/** 0 for a line that can be neither a fence nor a prompt, judged from its first characters and an `@`. */
function lineKind(t: string, pos: number, end: number): number {
  let p = pos;
  while (p < end && (t.charCodeAt(p) === 32 || t.charCodeAt(p) === 9)) p++;
  const c = t.charCodeAt(p);
  if (c === 96 || c === 126) return FENCE_LINE; // ` ~
  if (c === 35 || c === 36) return PROMPT_LINE; // # $
  const at = t.indexOf('@', p);
  return at !== -1 && at < end && at - p < 40 ? PROMPT_LINE : 0;
}

function hasFenceLine(text: string): boolean {
  return /^\s*(```|~~~)/m.test(text);
}
