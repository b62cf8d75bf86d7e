/**
 * The deep plan: a fixed, read-only POSIX sh script that watches the flagged ports and their
 * owners for a bounded window, run after a standard check and only on the ports it flagged.
 *
 * What it runs, all at once for the same window (`$w` seconds):
 * - `tcpdump -i any -nn -s 128 -c N -U -w - 'tcp port P or …'` under `timeout -s INT`: headers
 *   only, at most N packets, the capture on stdout (never a file), base64-encoded so the binary
 *   crosses every transport as text;
 * - `strace -c -f -p PID` per owner under `timeout -s INT` (strace prints its table on SIGINT);
 * - at mid-window, every thread's state, wchan and /proc/PID/task/TID/stack.
 *
 * Nothing from the user reaches the script: every argument is a validated number ($1 window, $2
 * packet cap, $3 how many ports follow, then the ports, then the pids), and the filter is built
 * from those numbers inside the script. A missing tool or privilege shows in the section's exit
 * status and stderr, which the parser turns into a finding.
 *
 * Interruption (cancel, SSH drop, killed client): a watchdog writes a heartbeat mark every second;
 * when the reader is gone the write fails (EPIPE) and the watchdog kills every descendant of the
 * script, so no tcpdump or strace outlives the connection by more than about a second. The
 * heartbeat (`\n@@TCPCHECK-HB\n`, one atomic write) is removed before the sections are split.
 */
import { SECTION_MARK, type Plan } from '../plan.js';

/** Bounds of a deep probe. */
export const DEEP_LIMITS = {
  /** @defaultValue 10 */
  defaultSeconds: 10,
  maxSeconds: 60,
  /** Packets captured at most (`tcpdump -c`); with `-s 128` that caps the capture near 300 KB. */
  maxPackets: 2000,
  /** Bytes kept of each packet: enough for Ethernet/SLL2 + VLAN + IPv6 + a full TCP header. */
  snapLength: 128,
  /** Ports and owners probed at most in one run. */
  maxPorts: 16,
  maxPids: 8,
} as const;

/** The heartbeat the watchdog writes; stripped from the output before parsing. */
export const HEARTBEAT = `\n${SECTION_MARK}-HB\n`;

export interface DeepPlanOptions {
  /** Seconds to watch, 1..60. @defaultValue 10 */
  seconds: number;
  /** Flagged ports to capture on. */
  ports: number[];
  /** Owners of those ports to profile. */
  pids: number[];
}

/** Section names of the deep plan. Per-owner sections end in `-PID`. */
export const DeepSections = {
  meta: 'deep-meta',
  capture: 'capture',
  stracePrefix: 'strace-',
  stacksPrefix: 'stacks-',
} as const;

const SCRIPT = String.raw`
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
M=${SECTION_MARK}
w=$1; maxp=$2; np=$3; shift 3
case "$w$maxp$np" in ''|*[!0-9]*) exit 2 ;; esac
ports=; f=; i=0
while [ "$i" -lt "$np" ] && [ $# -gt 0 ]; do
  ports="$ports $1"
  if [ -n "$f" ]; then f="$f or tcp port $1"; else f="tcp port $1"; fi
  shift; i=$((i+1))
done
pids=$*
now() { date +%s%N 2>/dev/null; }
# timeout --foreground keeps the tool in this script's process group (GNU timeout otherwise
# starts its own); busybox has no --foreground.
TO="timeout --foreground"
timeout --foreground 1 true 2>/dev/null || TO=timeout
# sec NAME CMD...: frame one section, stderr as ERR lines, then when it started and ended.
sec() {
  n=$1; shift
  t0=$(now)
  printf '%s BEGIN %s\n' "$M" "$n"
  { e=$("$@" 2>&1 1>&3 3>&-); r=$?; } 3>&1
  printf '\n%s END %s rc=%s\n' "$M" "$n" "$r"
  [ -n "$e" ] && printf '%s\n' "$e" | sed "s/^/$M ERR $n /"
  printf '%s ERR %s @time %s %s\n' "$M" "$n" "$t0" "$(now)"
  return 0
}
meta() {
  echo "uid $(id -u)"
  echo "epoch $(date +%s)"
  echo "window $w"
  echo "ports$ports"
  echo "pids $pids"
  for t in tcpdump strace timeout base64; do command -v $t >/dev/null 2>&1 && echo "tool $t yes" || echo "tool $t no"; done
}
need() { command -v "$1" >/dev/null 2>&1 || { echo "$1: not found on the node" >&2; return 127; }; }
cap() {
  need tcpdump || return 127
  { $TO -s INT "$w" tcpdump -i any -nn -s ${DEEP_LIMITS.snapLength} -c "$maxp" -U -w - "$f"; echo "@rc $?" >&2; } | base64
}
st() {
  need strace || return 127
  $TO -s INT "$w" strace -c -f -p "$1" 2>&1
}
stk() {
  [ -d /proc/$1/task ] || { echo "process $1 is gone" >&2; return 1; }
  for t in /proc/$1/task/*; do
    s=$(sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$s" ] || s='?'
    printf 'tid %s %s %s\n' "$(basename "$t")" "$s" "$(cat "$t/wchan" 2>/dev/null || echo '?')"
    cat "$t/stack" 2>/dev/null
  done
  return 0
}
# Each owner's strace runs at the same time; sections come out one after another.
strace_all() {
  [ $# -gt 0 ] || return 0
  p=$1; shift
  sec "strace-$p" st "$p" | { r=$(strace_all "$@"); o=$(cat); printf '%s\n' "$o"; [ -z "$r" ] || printf '%s\n' "$r"; }
}
stacks_all() { for p in "$@"; do sec "stacks-$p" stk "$p"; done; }
owners() {
  strace_all $pids | { sleep $((w / 2)); s=$(stacks_all $pids); o=$(cat); [ -z "$o" ] || printf '%s\n' "$o"; [ -z "$s" ] || printf '%s\n' "$s"; }
}
# The capture streams to stdout while the owners' sections wait in a pipe until it is done.
probe() { sec deep-meta meta; owners | { sec capture cap; cat; }; }
# Every descendant of a pid, from one read of /proc/*/stat ("pid (comm) state ppid ...").
descendants() {
  tbl=$(cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/^\([0-9][0-9]*\) .*) . \([0-9][0-9]*\) .*/\1 \2/p')
  todo=$1
  while [ -n "$todo" ]; do
    next=
    for p in $todo; do next="$next $(printf '%s\n' "$tbl" | while read -r c pp; do [ "$pp" = "$p" ] && echo "$c"; done)"; done
    todo=$(echo $next)
    [ -z "$todo" ] || echo "$todo"
  done
}
me=$$
( trap '' PIPE
  self=$(sh -c 'echo $PPID')
  while sleep 1; do printf '\n%s-HB\n' "$M" 2>/dev/null || break; done
  for c in $(descendants $me); do [ "$c" = "$self" ] || kill -TERM "$c" 2>/dev/null; done ) &
hb=$!
probe
kill $hb 2>/dev/null
exit 0
`;

/** Builds the deep plan. Inputs must already be validated; they are still clamped and filtered here. */
export function buildDeepPlan(opts: DeepPlanOptions): Plan {
  const seconds = Math.max(1, Math.min(DEEP_LIMITS.maxSeconds, Math.trunc(opts.seconds)));
  const ports = [...new Set(opts.ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536).slice(0, DEEP_LIMITS.maxPorts);
  const pids = [...new Set(opts.pids)].filter((p) => Number.isInteger(p) && p > 0 && p < 2 ** 31).slice(0, DEEP_LIMITS.maxPids);
  return {
    script: SCRIPT,
    args: [String(seconds), String(DEEP_LIMITS.maxPackets), String(ports.length), ...ports.map(String), ...pids.map(String)],
    expectedSec: seconds + 10,
  };
}

/** The tcpdump command line the plan runs for these ports, as the report shows it. */
export function describeCapture(seconds: number, ports: readonly number[]): string {
  return `timeout -s INT ${seconds} tcpdump -i any -nn -s ${DEEP_LIMITS.snapLength} -c ${DEEP_LIMITS.maxPackets} -U -w - '${ports.map((p) => `tcp port ${p}`).join(' or ')}'`;
}

/** The strace command line for one owner. */
export function describeStrace(seconds: number, pid: number): string {
  return `timeout -s INT ${seconds} strace -c -f -p ${pid}`;
}

/** The stacks read for one owner. */
export function describeStacks(pid: number): string {
  return `cat /proc/${pid}/task/*/{stat,wchan,stack}`;
}
