/**
 * Node names as users type them (Slack, CLI). Only RFC 1123 host names and IP addresses pass:
 * anything with shell syntax, spaces, a leading "-" (option injection) or over 253 characters is
 * refused here, before any lookup.
 */
import { isIP } from 'node:net';
import { inputInvalid } from '../errors.js';
import { isHostOrAddress } from '../config/names.js';

/** Returns the name normalised (trimmed, lower case) or throws `input_invalid`. */
export function validateNodeName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (name === '' || name.length > 253 || !isHostOrAddress(name)) {
    const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
    throw inputInvalid(`${shown} is not a node name: use a host name (letters, digits, "-", ".") or an IP address.`);
  }
  return name;
}

/** True when the (validated) name is an IPv4 or IPv6 address. */
export const isAddress = (name: string): boolean => isIP(name) !== 0;
