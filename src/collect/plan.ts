/**
 * The collection plan: one fixed, read-only POSIX sh script, run in a single round trip by every
 * transport (`sh -s` over SSH, `sh -c` in a pod, a local child process).
 *
 * Nothing from the user ever becomes part of the script: the only parameter is the sampling
 * interval, a validated integer passed as a positional argument ($1).
 *
 * Output framing (parsed by {@link splitSections}):
 *
 *     @@TCPCHECK BEGIN ss-all
 *     ...stdout of the section...
 *     @@TCPCHECK END ss-all rc=0
 *     @@TCPCHECK ERR ss-all ...one line of stderr...
 *
 * Cost on a busy node: `ss -p` walks every process's file descriptors, so owners are asked for once
 * (the owners section reuses that listing), and only for the states that matter (listeners, CLOSE-WAIT, SYN-RECV), with the kernel filtering.
 * The full table is read without `-p`. `nstat` is never used (it writes a history file unless
 * `-asz`); counters come from /proc/net/{netstat,snmp}, which any kernel has.
 */

export const SECTION_MARK = '@@TCPCHECK';

/** Sysctls read (from /proc/sys, so no `sysctl` binary is needed). */
export const SYSCTL_KEYS = [
  'net.core.somaxconn',
  'net.core.netdev_max_backlog',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_abort_on_overflow',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_max_orphans',
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_keepalive_time',
  'net.netfilter.nf_conntrack_max',
  'net.netfilter.nf_conntrack_count',
] as const;

export interface PlanOptions {
  /** Seconds between the two samples of counters and listeners. @defaultValue 5 */
  intervalSec: number;
}

export interface Plan {
  /** The script, fed to `sh -s` on stdin or `sh -c`. */
  script: string;
  /** Positional arguments ($1…); validated numbers only. */
  args: string[];
  /** Upper bound on how long the script should take, for the caller's timeout. */
  expectedSec: number;
}

/** Section names, in the order the script prints them. Parsers look sections up by these names. */
export const Sections = {
  meta: 'meta',
  sysctl: 'sysctl',
  counters1: 'counters-1',
  ssOwned: 'ss-owned',
  ssAll: 'ss-all',
  procNetTcp: 'proc-net-tcp',
  owners: 'owners',
  counters2: 'counters-2',
  ssListen2: 'ss-listen-2',
  sockstat: 'sockstat',
} as const;

const sysctlReader = SYSCTL_KEYS.map((k) => k.replace(/\./g, '/')).join(' ');

const SCRIPT = String.raw`
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
iv=$1
case "$iv" in ''|*[!0-9]*) iv=5 ;; esac
M=${SECTION_MARK}
# sec NAME CMD...: frame one section; stdout flows through, stderr is captured and prefixed.
sec() {
  n=$1; shift
  printf '%s BEGIN %s\n' "$M" "$n"
  { e=$("$@" 2>&1 1>&3 3>&-); r=$?; } 3>&1
  printf '\n%s END %s rc=%s\n' "$M" "$n" "$r"
  [ -n "$e" ] && printf '%s\n' "$e" | sed "s/^/$M ERR $n /"
  return 0
}
meta() {
  echo "hostname $(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
  echo "kernel $(uname -r)"
  echo "uptime $(cut -d' ' -f1 /proc/uptime)"
  echo "uid $(id -u)"
  echo "epoch $(date +%s)"
  echo "interval $iv"
  command -v ss >/dev/null 2>&1 && echo "ss $(ss -V 2>/dev/null | head -n1)"
  return 0
}
sysctls() {
  for k in ${sysctlReader}; do
    f=/proc/sys/$k
    [ -r "$f" ] && printf '%s = %s\n' "$(echo "$k" | tr / .)" "$(tr '\t' ' ' < "$f")"
  done
  for f in /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_*; do
    [ -r "$f" ] && printf 'net.netfilter.%s = %s\n' "$(basename "$f")" "$(cat "$f")"
  done
  return 0
}
counters() { cat /proc/net/netstat /proc/net/snmp; }
have_ss() { command -v ss >/dev/null 2>&1; }
# -H (no header) is newer than some iproute2 still in the field; the parser reads either.
H=-H
ss -H -ltn >/dev/null 2>&1 || H=
all() { ss -tan $H; }
listen2() { ss -ltn $H; }
proctcp() { cat /proc/net/tcp; [ -r /proc/net/tcp6 ] && cat /proc/net/tcp6; return 0; }
# The one fd walk: owners of listeners, CLOSE-WAIT and SYN-RECV, read once and kept in $O so the
# owners section reuses it. Only when it fails is it run again, to capture its stderr.
owned() {
  [ "$ORC" = 0 ] || { ss -tanp $H state listening state close-wait state syn-recv; return; }
  printf '%s\n' "$O"
}
# Owners of the listeners (every pid on a LISTEN line): command lines, so kube-proxy's
# --proxy-mode can be read.
owners() {
  for p in $(printf '%s\n' "$O" | grep '^LISTEN' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    [ -r /proc/$p/comm ] || continue
    printf 'pid %s comm %s\n' "$p" "$(cat /proc/$p/comm)"
    printf 'pid %s cmdline %s\n' "$p" "$(tr '\0' ' ' < /proc/$p/cmdline)"
  done
}
sec meta meta
sec sysctl sysctls
sec counters-1 counters
if have_ss; then
  O=$(ss -tanp $H state listening state close-wait state syn-recv 2>/dev/null); ORC=$?
  sec ss-owned owned
  sec ss-all all
  sec owners owners
else
  sec proc-net-tcp proctcp
fi
sleep "$iv"
sec counters-2 counters
have_ss && sec ss-listen-2 listen2
sec sockstat cat /proc/net/sockstat
exit 0
`;

/** Builds the plan. `intervalSec` must already be validated; it is still clamped to 0..60 here. */
export function buildPlan(opts: PlanOptions): Plan {
  const interval = Math.max(0, Math.min(60, Math.trunc(opts.intervalSec)));
  return { script: SCRIPT, args: [String(interval)], expectedSec: interval + 10 };
}
