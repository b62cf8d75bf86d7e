/**
 * Reads a command line typed in a transcript to know what its output is and how much of it the
 * pipeline let through:
 *
 *     ss -antp | grep "31493"                 → ss listing, owners, only sockets mentioning 31493
 *     ss -nltp | awk '{ if ($2 > 0) print $0 }' → ss listeners, filtered
 *     netstat -n | awk '/^tcp/ {++S[$NF]} …'   → state tally
 *     netstat -tanp                            → netstat socket table, owners
 *
 * The command is only read, never run.
 */
import type { TcpState } from '../domain/snapshot.js';
import { psColumnsForFlags } from './ps.js';
import { toTcpState } from './tcp-state.js';

export type CommandKind = 'ss' | 'netstat' | 'counters' | 'sysctl' | 'state-tally' | 'ps' | 'proc-net-tcp' | 'kernel' | 'hostname' | 'strace' | 'stacks' | 'other';

export interface CommandInfo {
  kind: CommandKind;
  /** ss: `-l`, only listeners. */
  listenOnly: boolean;
  /** ss: `-p`, owners asked for. */
  owners: boolean;
  /** ss: a single-state filter (`state close-wait`): lines carry no State column. */
  state: TcpState | null;
  /** Local ports a `grep PORT` stage kept; null when not filtered by port. */
  ports: number[] | null;
  /** True when some stage drops lines for another reason (`awk '$2 > 0'`, `head`, `grep ESTAB`). */
  filtered: boolean;
  /** ps: columns before the command, from the flags. */
  psColumns: number | null;
  /** nstat without `-a`: values are increments since nstat's previous run, not totals since boot. */
  increments: boolean;
  /** `strace -c -p PID` and a dump of /proc/PID/task/TID/stack: the process it reads. */
  pid: number | null;
}

/** What a command line prints, and how it was filtered. */
export function readCommand(command: string): CommandInfo {
  const info: CommandInfo = { kind: 'other', listenOnly: false, owners: false, state: null, ports: null, filtered: false, psColumns: null, increments: false, pid: null };
  // A loop over a process's threads (`for i in $(ls /proc/1515/task/); do cat /proc/1515/task/$i/stack; done`).
  const stacks = /\/proc\/(\d+)\/task\/.*\bstack\b/.exec(command);
  if (stacks) return { ...info, kind: 'stacks', pid: Number(stacks[1]) };
  const stages = splitPipeline(command).map((s) => words(s.replace(/^sudo\s+/, '')));
  const [first, ...rest] = stages;
  if (!first || first.length === 0) return info;
  const tool = (first[0] as string).replace(/^.*\//, '');
  const args = first.slice(1);
  const flags = args.filter((a) => /^-[A-Za-z]+$/.test(a)).join('').replace(/-/g, '');
  const joined = args.join(' ');

  switch (tool) {
    case 'ss': {
      info.kind = 'ss';
      info.listenOnly = flags.includes('l');
      info.owners = flags.includes('p');
      const states = args.flatMap((a, i) => (args[i - 1] === 'state' ? [a] : []));
      if (states.length === 1) info.state = toTcpState((states[0] as string).toUpperCase()) ?? (states[0] === 'listening' ? 'LISTEN' : null);
      if (states.length > 0) info.filtered = true;
      break;
    }
    case 'netstat':
      if (flags.includes('s')) info.kind = 'counters';
      else if (rest.some((s) => s[0] === 'awk' && s.join(' ').includes('[$NF]'))) return { ...info, kind: 'state-tally' };
      else {
        info.kind = 'netstat';
        info.listenOnly = flags.includes('l');
        info.owners = flags.includes('p');
        // Without -a (or -l) netstat leaves the listeners out: the table is not the whole one.
        if (!flags.includes('a') && !info.listenOnly) info.filtered = true;
      }
      break;
    case 'nstat':
      info.kind = 'counters';
      // nstat keeps its last reading in a history file and prints the change since then unless -a.
      info.increments = !flags.includes('a');
      break;
    case 'cat':
    case 'head':
      if (/\/proc\/net\/(netstat|snmp)\b/.test(joined)) info.kind = 'counters';
      else if (/\/proc\/net\/tcp6?\b/.test(joined)) info.kind = 'proc-net-tcp';
      else if (/\/proc\/sys\/kernel\/hostname/.test(joined)) info.kind = 'hostname';
      break;
    case 'sysctl':
      info.kind = 'sysctl';
      break;
    case 'ps':
      info.kind = 'ps';
      info.psColumns = psColumnsForFlags(args.join(' '));
      break;
    case 'uname':
      if (flags.includes('r')) info.kind = 'kernel';
      break;
    case 'hostname':
      info.kind = 'hostname';
      break;
    case 'strace': {
      // Only the summary (-c) of one attached process is read.
      const p = args.findIndex((a) => a === '-p');
      const pid = p >= 0 ? /^\d+$/.exec(args[p + 1] ?? '') : null;
      if (flags.includes('c') && pid) return { ...info, kind: 'strace', pid: Number(pid[0]) };
      return info;
    }
    default:
      return info;
  }
  for (const stage of rest) readFilter(stage, info);
  return info;
}

/** Stages that pass every line through unchanged. */
function isPassThrough(stage: string[]): boolean {
  const [tool, ...args] = stage;
  if (tool === 'cat' || tool === 'less' || tool === 'more' || tool === 'sort') return args.every((a) => a.startsWith('-'));
  if (tool === 'awk') {
    const program = args.filter((a) => !a.startsWith('-')).join(' ').replace(/\s+/g, '');
    return program === '{print$0}' || program === '{print}';
  }
  return false;
}

function readFilter(stage: string[], info: CommandInfo): void {
  if (stage.length === 0 || isPassThrough(stage)) return;
  if (stage[0] === 'grep') {
    const patterns = stage.slice(1).filter((a) => !a.startsWith('-'));
    const port = patterns.length === 1 ? /^:?(\d{1,5})$/.exec(patterns[0] as string) : null;
    const n = port ? Number(port[1]) : NaN;
    if (!stage.includes('-v') && n > 0 && n <= 65535) {
      info.ports = info.ports ? info.ports.filter((p) => p === n) : [n];
      return;
    }
  }
  info.filtered = true;
}

/** Splits on `|` outside quotes. */
function splitPipeline(command: string): string[] {
  const out: string[] = [];
  let quote: string | null = null;
  let cur = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '|' && command[i + 1] !== '|' && command[i - 1] !== '|') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Shell-like words: quotes group and are removed. */
function words(stage: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(stage); m; m = re.exec(stage)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
