/**
 * The collection plan: one fixed, read-only POSIX sh script, run in a single round trip by every
 * transport (`sh -s` over SSH, `sh -c` in a pod, a local child process).
 *
 * Nothing from the user ever becomes part of the script. Its parameters are named positional
 * arguments of the form `name=value` ({@link PLAN_ARG}): the sampling interval and the run's nonce,
 * both validated here and again by every transport.
 *
 * The sections and their framing come from the table in src/domain/sections.ts, which the parsers
 * read too. `nstat` is never used (it writes a history file unless `-asz`); counters come from
 * /proc/net/{netstat,snmp}, which any kernel has.
 */
import { randomBytes } from 'node:crypto';
import { DESCENDANTS_FN } from './plans/shell-lib.js';
import { markerOf, NONCE_PATTERN, PLAN_SECTIONS, POD_NETNS_CAP, type SectionSpec } from '../domain/sections.js';

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
  /** Seconds between the two samples of counters and listeners; clamped to 0..60. @defaultValue 5 */
  intervalSec: number;
  /** This run's nonce ({@link NONCE_PATTERN}), chosen by the caller from a CSPRNG; the parser needs it back. */
  nonce: string;
  /** Sections to run. @defaultValue PLAN_SECTIONS */
  sections?: readonly SectionSpec[];
}

export interface Plan {
  /** The script, fed to `sh -s` on stdin or `sh -c`. */
  script: string;
  /** Positional arguments ($1…), each `name=value` matching {@link PLAN_ARG}. */
  args: string[];
  /** The interval the script will sleep, after clamping. */
  intervalSec: number;
  /** The nonce in this run's markers. */
  nonce: string;
  /** Upper bound on how long the script should take, for the caller's timeout. */
  expectedSec: number;
}

/** A fresh nonce for one run: 128 bits from the CSPRNG, so the node cannot know it in advance. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** The only shape a plan argument may have: transports refuse anything else before running. */
export const PLAN_ARG = /^[a-z]+=[0-9a-f]{1,64}$/;

const sysctlReader = SYSCTL_KEYS.map((k) => k.replace(/\./g, '/')).join(' ');

const PRELUDE = String.raw`
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
iv=5; nonce=
for a in "$@"; do
  # The value is what follows the first =, up to any second one (cut -d= -f2), without a process.
  case "$a" in interval=*) iv=${'$'}{a#*=}; iv=${'$'}{iv%%=*} ;; nonce=*) nonce=${'$'}{a#*=}; nonce=${'$'}{nonce%%=*} ;; esac
done
case "$iv" in ''|*[!0-9]*) iv=5 ;; esac
M=${markerOf(null)}
[ -n "$nonce" ] && M=$M:$nonce
SYSCTLS='${sysctlReader}'
# hex: bytes as lowercase hex on one line, for text the node's processes control (argv, comm, hostname).
hex() { od -An -v -tx1 | tr -d ' 
'; }
# sec NAME CMD...: frame one section; stdout flows through, stderr is captured and framed line by line.
sec() {
  n=$1; shift
  printf '%s BEGIN %s
' "$M" "$n"
  { e=$("$@" 2>&1 1>&3 3>&-); r=$?; } 3>&1
  printf '
%s END %s rc=%s
' "$M" "$n" "$r"
  [ -n "$e" ] && printf '%s
' "$e" | sed "s/^/$M ERR $n /"
  return 0
}
# Watchdog: when whoever runs this script goes away (the SSH connection drops, the client is
# killed), the parent chain changes; then everything the script started (the sampling sleep
# included) and the script itself are stopped within a second instead of running on unobserved.
# Only its own descendants: never the rest of the caller's process group. Reads /proc only, with
# the shell's own read: each second costs one sleep and no other process (the scripts of a whole
# sweep wait side by side on the same nodes' CPUs).
ppid_of() { { read -r s < /proc/$1/stat; } 2>/dev/null || return 1; s=${'$'}{s##*) }; set -- $s; printf %s "$2"; }
# parent_is PID PPID: true while PID's parent is PPID.
parent_is() { read -r s < /proc/$1/stat || return 1; s=${'$'}{s##*) }; q=$2; set -- $s; [ "$2" = "$q" ]; }
${DESCENDANTS_FN}
me=$$; p1=$(ppid_of $me); p2=$(ppid_of "$p1")
( self=$(sh -c 'echo $PPID')
  while sleep 1; do
    parent_is $me "$p1" && parent_is "$p1" "$p2" && continue
    for c in $(descendants $me); do [ "$c" = "$self" ] || kill -TERM "$c" 2>/dev/null; done
    kill -TERM $me 2>/dev/null; exit 0
  done ) </dev/null >/dev/null 2>&1 &
WD=$!
have_ss() { command -v ss >/dev/null 2>&1; }
# -H (no header) is newer than some iproute2 still in the field; the parser reads either.
H=-H
ss -H -ltn >/dev/null 2>&1 || H=
# The one fd walk: owners of listeners, CLOSE-WAIT and SYN-RECV, kept in $O for ss-owned and owners.
have_ss && { O=$(ss -tanp $H state listening state close-wait state syn-recv 2>/dev/null); ORC=$?; }
`;

/** Shell function name of the i-th section (section names have dashes, which sh names cannot). */
const fn = (i: number) => `s${i}`;

/** One line running a section, guarded by its `when`. */
function runLine(spec: SectionSpec, i: number): string {
  const line = `sec ${spec.name} ${fn(i)}`;
  if (spec.when === 'ss') return `have_ss && ${line}`;
  if (spec.when === 'no-ss') return `have_ss || ${line}`;
  return line;
}

/** Assembles the script from a section table: helpers, one function per section, then the runs around the sleep. */
export function buildScript(sections: readonly SectionSpec[]): string {
  const fns = sections.map((spec, i) => `${fn(i)}() {
  ${spec.sh}
}`);
  const first = sections.map((spec, i) => (spec.sample === 'first' ? runLine(spec, i) : null)).filter((l) => l !== null);
  const second = sections.map((spec, i) => (spec.sample === 'second' ? runLine(spec, i) : null)).filter((l) => l !== null);
  return [PRELUDE, ...fns, ...first, 'sleep "$iv"', ...second, 'kill "$WD" 2>/dev/null', 'exit 0', ''].join('\n');
}

const BASE_SCRIPT = buildScript(PLAN_SECTIONS);

/** Builds the plan. `intervalSec` is clamped to 0..60; a nonce of the wrong shape is refused. */
export function buildPlan(opts: PlanOptions): Plan {
  if (!NONCE_PATTERN.test(opts.nonce)) throw new Error('the plan nonce must be 32 lowercase hex digits from a CSPRNG');
  const interval = Number.isFinite(opts.intervalSec) ? Math.max(0, Math.min(60, Math.trunc(opts.intervalSec))) : 5;
  const script = opts.sections ? buildScript(opts.sections) : BASE_SCRIPT;
  const args = [`interval=${interval}`, `nonce=${opts.nonce}`];
  // The pod namespace walk may take its whole cap on a node with many pods.
  return { script, args, intervalSec: interval, nonce: opts.nonce, expectedSec: interval + 10 + POD_NETNS_CAP.totalSec + POD_NETNS_CAP.perNamespaceSec };
}
