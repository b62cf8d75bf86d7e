/**
 * The deep plan's sections, bounds and command lines, shared by the script builder
 * (collect/plans/deep.ts) and its parser (parse/deep.ts), as src/domain/sections.ts is for the
 * standard plan. Per-owner sections end in `-PID`, printed in the order {@link deepSectionOrder} gives.
 */

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

export const DeepSections = {
  meta: 'deep-meta',
  capture: 'capture',
  stracePrefix: 'strace-',
  stacksPrefix: 'stacks-',
  /** Pseudo-section for what the transport printed on stderr during the deep run. */
  transportStderr: 'deep-transport-stderr',
} as const;

/** Section names in the order the deep script prints them. */
export function deepSectionOrder(pids: readonly number[]): string[] {
  return [DeepSections.meta, DeepSections.capture, ...pids.map((p) => `${DeepSections.stracePrefix}${p}`), ...pids.map((p) => `${DeepSections.stacksPrefix}${p}`)];
}

/** The tcpdump command line the plan runs for these ports, as the report shows it. */
export function describeCapture(seconds: number, ports: readonly number[]): string {
  return `timeout -s INT ${seconds} tcpdump -i any -nn -s ${DEEP_LIMITS.snapLength} -c ${DEEP_LIMITS.maxPackets} -U -w - '${ports.map((p) => `tcp port ${p}`).join(' or ')}'`;
}

/** The strace command line for one owner. */
export function describeStrace(seconds: number, pid: number): string {
  return `timeout -s INT ${seconds} strace -c -f -p ${pid}`;
}

/** What is read for one owner's threads. */
export function describeStacks(pid: number): string {
  return `cat /proc/${pid}/task/*/{stat,wchan,stack}`;
}
