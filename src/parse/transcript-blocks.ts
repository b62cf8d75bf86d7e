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
  /** Where the body lies in the transcript: `body === text.slice(from, to)`, for parsers that read in place. */
  from: number;
  to: number;
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
 * Splits the transcript into output blocks. Never throws. `gap`: lines cut out of the text at
 * offset `at` (src/parse/listing-cut.ts), so blocks after it keep the line numbers of the file.
 *
 * Hands each block out as one slice of the text: a saved million-line listing is one block, so it
 * must cost a few native scans, not a million strings or a JavaScript loop per line. Only lines
 * that could be a prompt or a fence (found by searching for `@ # $ \` ~`) are looked at.
 */
export function splitTranscript(text: string, gap?: { at: number; lines: number }): SplitTranscript {
  const fenced = (text.includes('```') || text.includes('~~~')) && hasFenceLine(text);
  const blocks: TranscriptBlock[] = [];
  let hostname: string | null = null;
  let user: string | null = null;
  let inFence = !fenced;
  let command: string | null = null;
  let open = false;
  let bodyStart = 0;
  // Line numbers, counted forward only as far as needed.
  let counted = 0;
  let countedLine = 1;
  const lineAt = (offset: number): number => {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < offset; nl = text.indexOf('\n', counted)) {
      countedLine++;
      counted = nl + 1;
    }
    return gap !== undefined && offset >= gap.at ? countedLine + gap.lines : countedLine;
  };

  const close = (end: number) => {
    if (open) {
      const to = Math.max(bodyStart, end - 1);
      const body = text.slice(bodyStart, to);
      // Numbered only when kept: the empty block after a listing's closing prompt would count every line.
      if (/\S/.test(body)) blocks.push({ command, body, line: lineAt(bodyStart), from: bodyStart, to });
    }
    open = false;
  };
  /** Opens a block whose output starts at offset `from`. */
  const start = (cmd: string | null, from: number) => {
    command = cmd;
    open = true;
    bodyStart = from;
  };

  let pos = 0;
  for (const c of candidateLines(text, fenced)) {
    // Lines before the candidate are output.
    if (pos < c && inFence && !open) start(null, pos);
    let end = text.indexOf('\n', c);
    if (end === -1) end = text.length;
    const next = end + 1;
    pos = next;
    const line = text.slice(c, end);
    if (FENCE.test(line)) {
      close(c);
      inFence = !inFence;
      if (inFence) start(null, next);
      continue;
    }
    const prompt = inFence ? USER_PROMPT.exec(line) : null;
    if (prompt) {
      close(c);
      user = prompt[1] ?? user;
      hostname = prompt[2] ?? hostname;
      const cmd = prompt[3]?.trim() ?? '';
      start(cmd === '' ? null : cmd, next);
      continue;
    }
    const bare = inFence ? BARE_PROMPT.exec(line) : null;
    if (bare) {
      close(c);
      start((bare[1] as string).trim(), next);
      continue;
    }
    if (inFence && !open) start(null, c);
  }
  if (pos < text.length && inFence && !open) start(null, pos);
  close(text.length + 1);
  return { blocks, hostname, user };
}

/**
 * Offsets of the lines that could be a fence or a prompt, ascending: those whose first
 * non-blank character is one of `` ` ~ # $ ``, or with an `@` within 40 characters of it.
 * Without fences in the text (`fenced` false), `` ` `` and `~` start nothing and are not searched.
 */
function candidateLines(text: string, fenced: boolean): number[] {
  const starts = new Set<number>();
  for (const ch of fenced ? ['@', '#', '$', '`', '~'] : ['@', '#', '$']) {
    for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) {
      const lineStart = text.lastIndexOf('\n', i) + 1;
      let p = lineStart;
      while (p < i && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
      if (ch === '@' ? i - p < 40 : p === i) starts.add(lineStart);
    }
  }
  return [...starts].sort((x, y) => x - y);
}

function hasFenceLine(text: string): boolean {
  return /^\s*(```|~~~)/m.test(text);
}
