/**
 * The collection plan's section table and output framing, shared by the script builder
 * (collect/plan.ts) and the parsers (parse/sections.ts, parse/bundle.ts). Adding a section is one
 * entry in {@link PLAN_SECTIONS}: the builder frames it, the splitter accepts it in its place, and
 * notes about it use its `reads` words.
 *
 * Framing, as the script prints it (NONCE is chosen per run by the caller):
 *
 *     @@TCPCHECK:3f9c…e1 BEGIN ss-all
 *     ...stdout of the section...
 *     @@TCPCHECK:3f9c…e1 END ss-all rc=0
 *     @@TCPCHECK:3f9c…e1 ERR ss-all ...one line of stderr...
 *
 * Everything a node prints is untrusted: a process on the node can put any bytes in its argv,
 * comm or the hostname. The nonce is unknown to the node before the run, so no text prepared in
 * advance can forge a marker; untrusted text is hex-encoded by the script, so it cannot even start
 * a line. Raw files from before the nonce use the bare marker ({@link SECTION_MARK}).
 */

/** The marker every framing line starts with; followed by `:NONCE` when the run has one. */
export const SECTION_MARK = '@@TCPCHECK';

/** A per-run nonce: 128 random bits in lowercase hex, chosen by the caller (never by the node). */
export const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/** The marker prefix of one run: `@@TCPCHECK:NONCE`, or the bare marker for raw files from before the nonce. */
export function markerOf(nonce: string | null): string {
  return nonce === null ? SECTION_MARK : `${SECTION_MARK}:${nonce}`;
}

/** Pseudo-section the splitter adds when the framing was broken (duplicates, out of order): tampering or corruption. */
export const FRAMING_SECTION = 'framing';
/** Pseudo-section the collector adds for what the transport itself printed on stderr. */
export const TRANSPORT_STDERR_SECTION = 'transport-stderr';

/** Most bytes of one process's command line the script prints (hex-encoded, so twice this on the wire). */
export const CMDLINE_MAX_BYTES = 4096;

/** One section of the plan. */
export interface SectionSpec {
  /** Name in the markers and in saved bundles: `[a-z0-9-]+`. */
  name: string;
  /** What the section reads, in words for a note ("could not read …"). */
  reads: string;
  /**
   * POSIX sh body of the function that prints the section on stdout. Its stderr is captured and
   * framed as ERR lines. It may use what the plan's prelude (src/collect/plan.ts) defines: `hex`, `have_ss`, `$O`/`$ORC`
   * (the one `ss -tanp` walk), `$H`, `$iv`, `$SYSCTLS`.
   */
  sh: string;
  /** `first` runs before the interval's sleep, `second` after. */
  sample: 'first' | 'second';
  /** Runs only when `ss` is present (`ss`) or only when it is missing (`no-ss`). @defaultValue always */
  when?: 'ss' | 'no-ss';
  /** A note says so when this section is absent from the output. @defaultValue false */
  required?: boolean;
}

/** Pod network namespaces entered at most, and the time the walk may take in all and per namespace (seconds). */
export const POD_NETNS_CAP = { namespaces: 64, totalSec: 15, perNamespaceSec: 5 } as const;

/**
 * Pod cgroups (kubelet's cgroupfs and systemd drivers, cgroup v1 and v2): directories named after
 * the pod UID under kubepods, with their CFS bandwidth files. find does not follow symlinks, so a
 * v1 `cpu -> cpu,cpuacct` link does not list a pod twice. At most 512 pods.
 */
const POD_CGROUPS_SH = `find /sys/fs/cgroup -maxdepth 5 -type d -name '*pod*' 2>/dev/null |
    grep -E 'kubepods.*pod[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}(\\.slice)?$' | head -n 512 |
    while read -r d; do
      [ -r "$d/cpu.stat" ] || continue
      echo "cgroup $d"
      sed 's/^/cpu.stat /' "$d/cpu.stat"
      for f in cpu.max cpu.cfs_quota_us cpu.cfs_period_us; do [ -r "$d/$f" ] && echo "$f $(cat "$d/$f")"; done
    done
  return 0`;

/**
 * Pod names from the container runtime, for when the Kubernetes API cannot be read: the kubelet
 * puts each pod's UID, name and namespace in its containers' OCI configs (containerd:
 * `io.kubernetes.cri.sandbox-*` annotations; CRI-O: `io.kubernetes.pod.*`; Docker with
 * cri-dockerd: the same as labels). One line per container with the matching `"key":"value"`
 * pairs; JSON strings hold no raw newline, so a line can never become a marker. At most 1024.
 */
const POD_LABELS_SH = `for f in /run/containerd/io.containerd.runtime.v2.task/k8s.io/*/config.json /run/containers/storage/overlay-containers/*/userdata/config.json /var/lib/docker/containers/*/config.v2.json; do
    [ -r "$f" ] || continue
    grep -o '"io\\.kubernetes\\.\\(cri\\.sandbox-\\|pod\\.\\)\\(uid\\|name\\|namespace\\)" *: *"[^"]*"' "$f" 2>/dev/null | tr '\\n' ' '
    echo
  done | grep -v '^ *$' | sort -u | head -n 1024
  return 0`;

/**
 * Pod network namespaces, whose sockets the node's ss cannot see: each distinct namespace whose
 * first process's cgroup is a pod's is entered once (network namespace only) for `ss -tane`, within
 * {@link POD_NETNS_CAP}. Owners come from the socket inodes in the fd tables of that namespace's
 * processes only: `ss -p` would walk every process on the node once per pod. comm and
 * /proc/PID/cgroup (a privileged process names its cgroups) are hex, as in the owners section.
 */
const POD_NETNS_SH = `for c in nsenter timeout stat; do command -v $c >/dev/null 2>&1 || { echo "$c not found" >&2; return 1; }; done
  hn=$(stat -L -c %i /proc/self/ns/net) || return 1
  N=$(stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null | awk -v h="$hn" '$1 != h {
      p = $2; sub("^/proc/", "", p); sub("/.*", "", p)
      if (!($1 in ps)) { o[++m] = $1; ps[$1] = p } else ps[$1] = ps[$1] " " p
    }
    END {
      for (j = 1; j <= m; j++) {
        i = o[j]; split(ps[i], a, " "); f = "/proc/" a[1] "/cgroup"; k = 0
        while ((getline l < f) > 0) if (l ~ /kubepods/) k = 1
        close(f)
        if (k) print i, ps[i]
      }
    }')
  n=0; t0=$(date +%s)
  [ -n "$N" ] && while read -r i ps; do
    p=\${ps%%[!0-9]*}
    if [ $n -ge ${POD_NETNS_CAP.namespaces} ] || [ $(( $(date +%s) - t0 )) -ge ${POD_NETNS_CAP.totalSec} ]; then echo "cap $n"; break; fi
    n=$((n+1))
    echo "netns net:[$i] pid $p"
    echo "cgroup-hex $(hex < "/proc/$p/cgroup")"
    timeout ${POD_NETNS_CAP.perNamespaceSec} nsenter -t "$p" -n ss -tane $H state listening state close-wait state syn-recv 2>/dev/null </dev/null | sed 's/^/ss /'
    for q in $ps; do
      f=$(ls -l "/proc/$q/fd" 2>/dev/null | sed -n 's/.* \\([0-9]*\\) -> socket:\\[\\([0-9]*\\)\\]$/\\1:\\2/p' | tr '\\n' ' ')
      [ -n "$f" ] && [ -r "/proc/$q/comm" ] && echo "owner $q $(hex < "/proc/$q/comm") $f"
    done
  done <<EOF
$N
EOF
  return 0`;

/**
 * The plan's sections, in the order the script prints them and the splitter expects them.
 * `ss -p` walks every process's file descriptors, so owners are asked for once (`$O`, read before
 * the first sample) and the owners section reuses that listing.
 */
export const PLAN_SECTIONS = [
  {
    name: 'meta',
    reads: 'hostname, kernel and uptime',
    sample: 'first',
    required: true,
    sh: `echo "hostname-hex $({ hostname 2>/dev/null || cat /proc/sys/kernel/hostname; } | hex)"
  echo "kernel $(uname -r)"
  up=; read -r up _ < /proc/uptime; echo "uptime $up"
  echo "uid $(id -u)"
  echo "epoch $(date +%s)"
  echo "interval $iv"
  command -v ss >/dev/null 2>&1 && echo "ss $(ss -V 2>/dev/null | head -n1)"
  return 0`,
  },
  {
    name: 'sysctl',
    reads: 'sysctl settings',
    sample: 'first',
    required: true,
    // One awk reads every file (a process per key costs more than the rest of the section): the
    // value as a command substitution would give it (trailing newlines dropped), tabs as spaces
    // for $SYSCTLS (net.ipv4.tcp_mem), conntrack timeouts as they are.
    sh: `{ for k in $SYSCTLS; do [ -r "/proc/sys/$k" ] && echo "t /proc/sys/$k"; done
    for f in /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_*; do [ -r "$f" ] && echo "c $f"; done
  } | awk '{ f = $2; v = ""; j = 0
    while ((getline l < f) > 0) v = j++ ? v "\\n" l : l
    close(f); sub(/\\n+$/, "", v)
    if ($1 == "t") { gsub(/\\t/, " ", v); n = substr(f, 11); gsub("/", ".", n) } else { n = f; sub(/.*\\//, "", n); n = "net.netfilter." n }
    print n " = " v }'
  return 0`,
  },
  { name: 'counters-1', reads: 'kernel counters (/proc/net/netstat, /proc/net/snmp)', sample: 'first', required: true, sh: 'cat /proc/net/netstat /proc/net/snmp' },
  {
    name: 'ss-owned',
    reads: 'socket owners (ss -tanp)',
    sample: 'first',
    when: 'ss',
    // $O was read once before the first sample; only when that failed is ss run again, for its stderr.
    sh: `[ "$ORC" = 0 ] || { ss -tanp $H state listening state close-wait state syn-recv; return; }
  printf '%s\\n' "$O"`,
  },
  { name: 'ss-all', reads: 'the socket table (ss -tan)', sample: 'first', when: 'ss', sh: 'ss -tan $H' },
  {
    name: 'owners',
    reads: 'command lines of listener owners',
    sample: 'first',
    when: 'ss',
    // comm and cmdline are whatever the process set (prctl, argv rewriting): hex, so no byte of
    // them can start a line; the command line is cut at CMDLINE_MAX_BYTES, its full size said apart.
    sh: `for p in $(printf '%s\\n' "$O" | grep '^LISTEN' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    [ -r /proc/$p/comm ] || continue
    printf 'pid %s comm-hex %s\\n' "$p" "$(hex < /proc/$p/comm)"
    printf 'pid %s cmdline-hex %s\\n' "$p" "$(head -c ${CMDLINE_MAX_BYTES} /proc/$p/cmdline | hex)"
    printf 'pid %s cmdline-bytes %s\\n' "$p" "$(wc -c < /proc/$p/cmdline | tr -d ' ')"
  done`,
  },
  {
    name: 'proc-net-tcp',
    reads: 'the socket table (/proc/net/tcp)',
    sample: 'first',
    when: 'no-ss',
    sh: `cat /proc/net/tcp; [ -r /proc/net/tcp6 ] && cat /proc/net/tcp6; return 0`,
  },
  { name: 'pod-cgroups-1', reads: 'pod cgroups (cpu.stat)', sample: 'first', sh: POD_CGROUPS_SH },
  { name: 'pod-netns', reads: 'sockets inside pod network namespaces (nsenter ss)', sample: 'first', when: 'ss', sh: POD_NETNS_SH },
  { name: 'pod-labels', reads: "pod names from the container runtime's container configs", sample: 'first', sh: POD_LABELS_SH },
  { name: 'counters-2', reads: 'kernel counters, second sample', sample: 'second', required: true, sh: 'cat /proc/net/netstat /proc/net/snmp' },
  { name: 'ss-listen-2', reads: 'listen sockets, second sample (ss -ltn)', sample: 'second', when: 'ss', sh: 'ss -ltn $H' },
  { name: 'sockstat', reads: 'socket summary (/proc/net/sockstat)', sample: 'second', sh: 'cat /proc/net/sockstat' },
  { name: 'pod-cgroups-2', reads: 'pod cgroups (cpu.stat), second sample', sample: 'second', sh: POD_CGROUPS_SH },
] as const satisfies readonly SectionSpec[];

/** A section name of the plan. */
export type SectionName = (typeof PLAN_SECTIONS)[number]['name'];

/** Section names by role, for the parsers: `Sections.ssAll` is `'ss-all'`. */
export const Sections = {
  meta: 'meta',
  sysctl: 'sysctl',
  counters1: 'counters-1',
  ssOwned: 'ss-owned',
  ssAll: 'ss-all',
  owners: 'owners',
  procNetTcp: 'proc-net-tcp',
  counters2: 'counters-2',
  ssListen2: 'ss-listen-2',
  sockstat: 'sockstat',
  podCgroups1: 'pod-cgroups-1',
  podNetns: 'pod-netns',
  podCgroups2: 'pod-cgroups-2',
  podLabels: 'pod-labels',
} as const satisfies Record<string, SectionName>;

/** What a section reads, in words; the name itself for sections not in the table. */
export function describeSection(name: string): string {
  return PLAN_SECTIONS.find((s) => s.name === name)?.reads ?? name;
}
