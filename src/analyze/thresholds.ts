/**
 * The numbers the rules judge by, in one place so a reader can see what "too many" means.
 * They are deliberately conservative: a healthy node must never be flagged.
 */

/** CLOSE-WAIT sockets on one local port that make a leak a warning rather than a note. @defaultValue 10 */
export const CLOSE_WAIT_WARN_PER_PORT = 10;

/** Fraction of nf_conntrack_max in use that is a warning. @defaultValue 0.8 */
export const CONNTRACK_WARN_RATIO = 0.8;

/** Fraction of nf_conntrack_max in use that is critical: new flows are about to be dropped. @defaultValue 0.95 */
export const CONNTRACK_CRITICAL_RATIO = 0.95;

/** Retransmitted / sent segments between samples that is a warning. @defaultValue 0.01 */
export const RETRANS_WARN_RATIO = 0.01;

/** Lifetime retransmitted / sent segments worth a note. @defaultValue 0.01 */
export const RETRANS_NOTE_RATIO = 0.01;

/** TIME-WAIT sockets as a fraction of the ephemeral port range that is a warning. @defaultValue 0.5 */
export const TIME_WAIT_RANGE_RATIO = 0.5;

/** TIME-WAIT sockets as a fraction of tcp_max_tw_buckets that is a warning. @defaultValue 0.8 */
export const TIME_WAIT_BUCKETS_RATIO = 0.8;

/** SYN-RECV sockets as a fraction of tcp_max_syn_backlog worth a note. @defaultValue 0.5 */
export const SYN_BACKLOG_RATIO = 0.5;

/**
 * somaxconn at or below this caps every listen() backlog low. 128 was the kernel default before
 * 5.4, 4096 since (torvalds/linux@19f92a030ca6). @defaultValue 1024
 */
export const SOMAXCONN_LOW = 1024;

/** Peers listed per port in a finding's evidence. @defaultValue 5 */
export const TOP_PEERS = 5;

/** Default NodePort range (kube-apiserver --service-node-port-range). */
export const NODEPORT_RANGE = { min: 30000, max: 32767 } as const;

/**
 * A pod throttled in more than this share of its CFS periods between the two samples is flagged:
 * past it, latency-sensitive work (accept(), request handling) regularly waits for the next period
 * (kubernetes/kubernetes#67577). @defaultValue 0.25
 */
export const THROTTLED_SHARE_WARN = 0.25;

/** CFS periods (100 ms each by default) a pod must have run between the samples for its share to count. @defaultValue 10 */
export const THROTTLE_MIN_PERIODS = 10;
