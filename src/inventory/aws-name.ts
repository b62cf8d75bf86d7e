/**
 * The EC2 private DNS convention: `ip-172-1-52-100` (optionally `.ec2.internal` or
 * `.<region>.compute.internal`) is the host at 172.1.52.100, as in the incident's prompt
 * `root@ip-172-1-52-100`.
 */

const AWS_NAME = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.[a-z0-9.-]+)?$/;

/** The IPv4 address an EC2-style name stands for, or null when the name is not one. */
export function addressFromAwsName(name: string): string | null {
  const m = AWS_NAME.exec(name);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.join('.');
}
