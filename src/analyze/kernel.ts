/**
 * What a full accept queue does to new connections depends on the kernel.
 *
 * Before 4.10 the SYN of a new connection was dropped only while the SYN queue also held young
 * request sockets; most SYNs got a SYN-ACK, and the handshake's final ACK was then dropped because
 * the accept queue was full, leaving the socket in SYN-RECV. Since 4.10 (torvalds/linux@5ea8ea2cb7f1,
 * "tcp/dccp: drop SYN packets if accept queue is full") the SYN itself is dropped whenever the
 * accept queue is full, so fewer SYN-RECV sockets appear and clients retry their SYN instead.
 */

/** Kernel major.minor from `uname -r` (`4.4.0-1092-aws` → [4, 4]); null when unreadable. */
export function parseKernelVersion(release: string | null): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** True for kernels older than 4.10, null when the version is unknown. */
export function dropsFinalAck(release: string | null): boolean | null {
  const v = parseKernelVersion(release);
  if (!v) return null;
  return v[0] < 4 || (v[0] === 4 && v[1] < 10);
}

/** One or two sentences on what this node's kernel does when an accept queue is full. */
export function describeFullQueueBehaviour(release: string | null): string {
  const old = dropsFinalAck(release);
  const before =
    'lets most SYNs through and then drops the handshake\'s final ACK, so the server keeps the connection in SYN-RECV while the client believes it is connected';
  const after = 'drops the SYN itself, so the client retransmits its SYN and waits';
  if (old === true) return `Kernel ${release} (before 4.10) ${before}.`;
  if (old === false) return `Kernel ${release} (4.10 or later) ${after}; a handshake already under way still loses its final ACK and stays in SYN-RECV.`;
  return `The kernel version is unknown: a kernel before 4.10 ${before}; 4.10 and later ${after}.`;
}
