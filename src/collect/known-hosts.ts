/**
 * OpenSSH `known_hosts` files, read the way `ssh` reads them (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 *
 *     198.18.0.100 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...
 *     [198.18.0.101]:2222,lab-node-1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...
 *     |1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM= ssh-ed25519 AAAAC3Nza...
 *
 * Pure: no file access here, so the rules (hashed names, `[host]:port`, negation, markers) are
 * tested with plain strings; the SSH transport reads and appends the file.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  /** `@revoked` keys are refused even when they match; `@cert-authority` lines are not host keys. */
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash` entry. */
  hosts: string;
  /** Key algorithm as written, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The public key blob (base64-decoded). */
  key: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Line numbers that are neither comments nor valid entries (OpenSSH ignores them too). */
  skipped: number[];
}

/** What the file says about a host key a server presented. */
export type HostKeyVerdict =
  | { status: 'match'; line: number }
  | { status: 'revoked'; line: number }
  /** The host is listed with a different key of the same type: possibly a man in the middle. */
  | { status: 'changed'; lines: number[] }
  /** The host is not listed (or only with other key types). */
  | { status: 'unknown' };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses a known_hosts file. Never throws: unreadable lines are counted in `skipped`. */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const skipped: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !BASE64.test(b64)) return void skipped.push(i + 1);
    entries.push({ line: i + 1, marker, hosts, keyType, key: Buffer.from(b64, 'base64') });
  });
  return { entries, skipped };
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A hashed host field as `ssh-keygen -H` writes it: `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

/** OpenSSH glob: `*` any run, `?` one character, case-insensitive like match_hostname(). */
function globMatches(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** True when the entry's host field names `host:port`. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, mac] = entry.hosts.split('|');
    if (!salt || !mac) return false;
    return hashHostName(name, Buffer.from(salt, 'base64')) === entry.hosts;
  }
  let positive = false;
  for (const pattern of entry.hosts.split(',')) {
    // A matching negated pattern vetoes the whole line (sshd(8): "!pattern").
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      positive = true;
    }
  }
  return positive;
}

/** The key algorithm inside a public key blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** The fingerprint `ssh-keygen -l` prints: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Host key types the file lists for this host, so the client can ask the server for one of them. */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => e.marker === null && entryMatches(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** Checks a presented key against the file, as ssh's StrictHostKeyChecking=yes would. */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const mine = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, host, port));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const match = mine.find((e) => e.marker === null && e.key.equals(key));
  if (match) return { status: 'match', line: match.line };
  const type = keyTypeOf(key);
  const sameType = mine.filter((e) => e.marker === null && e.keyType === type);
  if (sameType.length > 0) return { status: 'changed', lines: sameType.map((e) => e.line) };
  return { status: 'unknown' };
}

/** One known_hosts line for a key, hashed by default like `ssh-keygen -H` (HashKnownHosts yes). */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, opts: { hash?: boolean } = {}): string {
  const name = hostKeyName(host, port);
  return `${opts.hash === false ? name : hashHostName(name)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}
