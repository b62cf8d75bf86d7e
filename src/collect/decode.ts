/**
 * Decodes what a node printed. Nearly all of it (`ss`, /proc) is pure ASCII: such output is decoded
 * as Latin-1, which for ASCII gives the same string without a UTF-8 pass and lets V8 keep it as a
 * one-byte string. On a 1M-socket table that halves the decode. Anything else is UTF-8.
 */
import { isAscii } from 'node:buffer';

export function decodeOutput(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
