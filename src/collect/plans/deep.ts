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
 * Nothing from the user reaches the script: its arguments are `name=value` ({@link PLAN_ARG}) with
 * decimal values, checked again by the script (`window=10 packets=2000 nonce=… port=31493 pid=1515`),
 * and the filter is built from those numbers inside the script. Sections are framed with the run's
 * nonce like the standard plan's (src/domain/sections.ts). A missing tool or privilege shows in the section's exit
 * status and stderr, which the parser turns into a finding.
 *
 * Interruption (cancel, SSH drop, killed client): a watchdog writes a heartbeat mark every second;
 * when the reader is gone the write fails (EPIPE) and the watchdog kills every descendant of the
 * script, so no tcpdump or strace outlives the connection by more than about a second. The
 * heartbeat (`\n@@TCPCHECK:NONCE HB\n`, one atomic write) is removed before the sections are split.
 */
import { DEEP_LIMITS, DeepSections } from '../../domain/deep-sections.js';
import { markerOf, NONCE_PATTERN } from '../../domain/sections.js';
import type { Plan } from '../plan.js';
import { DESCENDANTS_FN } from './shell-lib.js';

/** The heartbeat the watchdog writes in a run with this nonce; removed from the output before splitting. */
export function heartbeatOf(nonce: string): string {
  return `\n${markerOf(nonce)} HB\n`;
}

export interface DeepPlanOptions {
  /** Seconds to watch, 1..60. @defaultValue 10 */
  seconds: number;
  /** Flagged ports to capture on. */
  ports: number[];
  /** Owners of those ports to profile. */
  pids: number[];
  /** This run's nonce (src/collect/plan.ts newNonce). */
  nonce: string;
}

const SCRIPT = String.raw`
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
w=10; maxp=${DEEP_LIMITS.maxPackets}; nonce=; ports=; pids=; f=
for a in "$@"; do
  v=$(printf %s "$a" | cut -d= -f2)
  case "$v" in ''|*[!0-9a-f]*) exit 2 ;; esac
  case "$a" in window=*) w=$v ;; packets=*) maxp=$v ;; nonce=*) nonce=$v ;; port=*) ports="$ports $v" ;; pid=*) pids="$pids $v" ;; esac
done
for v in "$w" "$maxp" $ports $pids; do case "$v" in *[!0-9]*) exit 2 ;; esac; done
for p in $ports; do
  if [ -n "$f" ]; then f="$f or tcp port $p"; else f="tcp port $p"; fi
done
M=${markerOf(null)}
[ -n "$nonce" ] && M=$M:$nonce
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
  sec "${DeepSections.stracePrefix}$p" st "$p" | { r=$(strace_all "$@"); o=$(cat); printf '%s\n' "$o"; [ -z "$r" ] || printf '%s\n' "$r"; }
}
stacks_all() { for p in "$@"; do sec "${DeepSections.stacksPrefix}$p" stk "$p"; done; }
owners() {
  strace_all $pids | { sleep $((w / 2)); s=$(stacks_all $pids); o=$(cat); [ -z "$o" ] || printf '%s\n' "$o"; [ -z "$s" ] || printf '%s\n' "$s"; }
}
# The capture streams to stdout while the owners' sections wait in a pipe until it is done.
probe() { sec ${DeepSections.meta} meta; owners | { sec ${DeepSections.capture} cap; cat; }; }
${DESCENDANTS_FN}
me=$$
( trap '' PIPE
  self=$(sh -c 'echo $PPID')
  while sleep 1; do printf '\n%s HB\n' "$M" 2>/dev/null || break; done
  for c in $(descendants $me); do [ "$c" = "$self" ] || kill -TERM "$c" 2>/dev/null; done ) &
hb=$!
probe
kill $hb 2>/dev/null
exit 0
`;

/** Builds the deep plan. Ports and pids are filtered to valid numbers and capped; the window is clamped to 1..60. */
export function buildDeepPlan(opts: DeepPlanOptions): Plan {
  if (!NONCE_PATTERN.test(opts.nonce)) throw new Error('the plan nonce must be 32 lowercase hex digits from a CSPRNG');
  const seconds = Number.isFinite(opts.seconds) ? Math.max(1, Math.min(DEEP_LIMITS.maxSeconds, Math.trunc(opts.seconds))) : DEEP_LIMITS.defaultSeconds;
  const ports = [...new Set(opts.ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536).slice(0, DEEP_LIMITS.maxPorts);
  const pids = [...new Set(opts.pids)].filter((p) => Number.isInteger(p) && p > 0 && p < 2 ** 31).slice(0, DEEP_LIMITS.maxPids);
  return {
    script: SCRIPT,
    args: [`window=${seconds}`, `packets=${DEEP_LIMITS.maxPackets}`, `nonce=${opts.nonce}`, ...ports.map((p) => `port=${p}`), ...pids.map((p) => `pid=${p}`)],
    intervalSec: seconds,
    nonce: opts.nonce,
    expectedSec: seconds + 10,
  };
}
