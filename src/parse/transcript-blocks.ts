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
  /** Output lines, without the prompt line. */
  lines: string[];
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

/** Splits the transcript into output blocks. Never throws. */
export function splitTranscript(text: string): SplitTranscript {
  const lines = text.split(/\r?\n/);
  const fenced = lines.some((l) => FENCE.test(l));
  const blocks: TranscriptBlock[] = [];
  let hostname: string | null = null;
  let user: string | null = null;
  let inFence = !fenced;
  let current: TranscriptBlock | null = null;

  const close = () => {
    if (current && (current.lines.length > 0 || current.command !== null)) blocks.push(current);
    current = null;
  };

  for (const line of lines) {
    if (FENCE.test(line)) {
      close();
      inFence = !inFence;
      if (inFence) current = { command: null, lines: [] };
      continue;
    }
    if (!inFence) continue;
    const prompt = USER_PROMPT.exec(line);
    if (prompt) {
      close();
      user = prompt[1] ?? user;
      hostname = prompt[2] ?? hostname;
      const command = prompt[3]?.trim() ?? '';
      current = command === '' ? { command: null, lines: [] } : { command, lines: [] };
      continue;
    }
    const bare = BARE_PROMPT.exec(line);
    if (bare) {
      close();
      current = { command: (bare[1] as string).trim(), lines: [] };
      continue;
    }
    current ??= { command: null, lines: [] };
    current.lines.push(line);
  }
  close();
  return { blocks: blocks.filter((b) => b.lines.some((l) => l.trim() !== '')), hostname, user };
}
