/**
 * Reads the `address:port` columns of socket listings, `ss` and `netstat` alike, without
 * allocating per line:
 *
 *     198.18.0.100:31591   [::ffff:172.1.52.100]:31493   :::22   127.0.0.53%lo:53   *:*
 *     localhost:smtp       [::1]:ipp                     0.0.0.0:http-alt   ip6-localhost:ipp
 *
 * A port printed as a service name (the tools without `-n`) becomes its number from the standard
 * table ({@link servicePort}); the names met are kept for the report. A host name stays as printed.
 */
import { Ipv4Intern } from './ipv4-intern.js';
import { servicePort } from './services.js';

export const enum Char {
  Tab = 9,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Percent = 37,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Comma = 44,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  LBracket = 91,
  RBracket = 93,
}

/** Reads one endpoint at a time; the result of the last read is in {@link addr} and {@link port}. */
export class EndpointScanner {
  /** Address of the last endpoint read. */
  addr = '';
  /** Port of the last endpoint read; null for `*`. */
  port: number | null = null;
  /** Service names read as ports (`ssh` → 22), for the report to show what was translated. */
  readonly serviceNames = new Map<string, number>();
  /** Interning of the last addresses seen: a table repeats its local addresses and runs of the same peer. */
  private lastLocal = '';
  private lastPeer = '';
  private readonly ipv4 = new Ipv4Intern();

  /** @param text The text the offsets given to {@link read} point into; a parser fed in pieces sets it for each piece. */
  constructor(public text: string) {}

  /**
   * Reads the `addr:port` token starting at `a` into this.addr / this.port and returns where it
   * ends (-1 when it is not an endpoint). Strips brackets and `%zone`, reduces `::ffff:1.2.3.4`
   * to `1.2.3.4`, and a wildcard peer (`*:*`, `0.0.0.0:*`, `[::]:*`, `:::*`) to `*`.
   *
   * One pass: it finds the token's end and the port colon, and reads a dotted IPv4 host on the way
   * (the digits after the last `:` or `[`, up to the port colon, `]` or `%`).
   */
  read(a: number, end: number, peer: boolean): number {
    const t = this.text;
    let p = a;
    let colon = -1;
    let pct = -1;
    // The segment being read (since the last `:` or `[`) as a dotted quad.
    let segStart = a;
    let v = 0;
    let octet = 0;
    let digits = 0;
    let dots = 0;
    let ok = true;
    // The host's IPv4 form, fixed at the port colon, or earlier at `]` or `%`.
    let ip = -1;
    let ipStart = 0;
    let ipEnd = 0;
    let hostEnded = false;
    for (; p < end; p++) {
      const c = t.charCodeAt(p);
      if (c >= Char.Zero && c <= Char.Nine) {
        if (digits === 5) ok = false;
        octet = octet * 10 + (c - Char.Zero);
        digits++;
      } else if (c === Char.Dot) {
        if (digits === 0 || digits > 3 || octet > 255) ok = false;
        v = v * 256 + octet;
        octet = 0;
        digits = 0;
        dots++;
      } else if (c === Char.Colon) {
        if (!hostEnded) {
          ip = ok && dots === 3 && digits > 0 && digits <= 3 && octet <= 255 ? v * 256 + octet : -1;
          ipStart = segStart;
          ipEnd = p;
        }
        colon = p;
        segStart = p + 1;
        v = octet = digits = dots = 0;
        ok = true;
      } else if (c === Char.Space || c === Char.Tab || c === Char.Cr) {
        break;
      } else {
        if ((c === Char.RBracket || c === Char.Percent) && !hostEnded) {
          ip = ok && dots === 3 && digits > 0 && digits <= 3 && octet <= 255 ? v * 256 + octet : -1;
          ipStart = segStart;
          ipEnd = p;
          hostEnded = true;
          if (c === Char.Percent) pct = p;
        } else if (c === Char.LBracket) {
          segStart = p + 1;
        }
        ok = false;
      }
    }
    if (colon < a || colon === p - 1) return -1;
    // The last segment is the port: digits, `*`, or a service name.
    if (colon === p - 2 && t.charCodeAt(p - 1) === Char.Star) {
      this.port = null;
    } else if (ok && dots === 0 && digits > 0 && octet <= 65535) {
      this.port = octet;
    } else {
      const port = this.namedPort(colon + 1, p);
      if (port === undefined) return -1;
      this.port = port;
    }
    if (ip >= 0) {
      // IPv4, also the IPv4-mapped IPv6 form: the same host, so peers group together.
      this.addr = ip === 0 && peer && this.port === null ? '*' : this.ipv4.get(ip, t, ipStart, ipEnd);
      return p;
    }
    let hs = a;
    let he = pct !== -1 && pct < colon ? pct : colon;
    if (t.charCodeAt(hs) === Char.LBracket) {
      hs++;
      if (t.charCodeAt(he - 1) === Char.RBracket) he--;
    }
    if (he <= hs) return -1;
    if (peer && this.port === null && isWildcardHost(t, hs, he)) {
      this.addr = '*';
      return p;
    }
    const last = peer ? this.lastPeer : this.lastLocal;
    if (last.length === he - hs && t.startsWith(last, hs)) {
      this.addr = last;
    } else {
      this.addr = t.slice(hs, he);
      if (peer) this.lastPeer = this.addr;
      else this.lastLocal = this.addr;
    }
    return p;
  }

  /** A service name in [a, b) as its port; undefined when it is not one of the standard names. */
  private namedPort(a: number, b: number): number | undefined {
    const name = this.text.slice(a, b);
    const port = servicePort(name);
    if (port !== undefined) this.serviceNames.set(name, port);
    return port;
  }
}

function isWildcardHost(t: string, hs: number, he: number): boolean {
  const n = he - hs;
  if (n === 1) return t.charCodeAt(hs) === Char.Star;
  if (n === 2) return t.startsWith('::', hs);
  return n === 7 && t.startsWith('0.0.0.0', hs);
}

export function skipWs(t: string, p: number, end: number): number {
  while (p < end) {
    const c = t.charCodeAt(p);
    if (c !== Char.Space && c !== Char.Tab && c !== Char.Cr) break;
    p++;
  }
  return p;
}

export function tokenEnd(t: string, p: number, end: number): number {
  while (p < end) {
    const c = t.charCodeAt(p);
    if (c === Char.Space || c === Char.Tab || c === Char.Cr) break;
    p++;
  }
  return p;
}

/** Decimal digits in [a, b) as a number; -1 when empty or not all digits. */
export function readUint(t: string, a: number, b: number): number {
  if (a >= b || b - a > 15) return -1;
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i) - Char.Zero;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

export function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}
