/** Which addresses the config lets tcpcheck connect to when a user names them (directly or by convention). */
import { BlockList, isIP } from 'node:net';
import { parseCidr } from '../config/schema.js';

/** True when `address` lies in one of the CIDRs (which the config schema has validated). */
export function addressAllowed(address: string, cidrs: readonly string[]): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  for (const c of cidrs) {
    const parsed = parseCidr(c);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return isIP(address) !== 0 && list.check(address, family);
}
