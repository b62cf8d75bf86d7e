/**
 * Remembers, for each host text a socket table prints (`172.1.52.100`, `[::ffff:172.1.61.192]`,
 * `fe80::1%eth0`), the address it reads as, so a host is decoded once, not on every line.
 *
 * A node's table repeats a few local addresses and a few thousand peers over up to a million
 * lines, and the scanner asks here twice per line. A `Map<string, string>` would need a string
 * cut out of the text for every question; here the scanner passes a hash it computed on its way
 * through the token, and the stored text is compared in place. Sharing the address strings also
 * keeps a million-socket snapshot from holding two million copies of a few thousand addresses.
 */

/** Bound on remembered hosts, so a table of a million distinct peers does not keep a million entries. */
const MAX_ENTRIES = 200_000;
const INITIAL_SLOTS = 1024;

export class HostIntern {
  private hashes = new Int32Array(INITIAL_SLOTS);
  /** The host as printed; '' marks an empty slot (no host is printed as ''). */
  private raw: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  private addresses: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  /** 32 - log2(slots): the top bits of the mixed hash pick the slot. */
  private shift = 32 - Math.log2(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private size = 0;

  /** The address remembered for the host `text.slice(start, end)` whose hash is `hash`; undefined when new. */
  get(hash: number, text: string, start: number, end: number): string | undefined {
    const mask = this.mask;
    for (let i = Math.imul(hash, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const raw = this.raw[i] as string;
      if (raw === '') return undefined;
      if (this.hashes[i] === hash && raw.length === end - start && text.startsWith(raw, start)) return this.addresses[i];
    }
  }

  /** Remembers `address` for `raw`, a host `get` did not know (until the table is full). */
  set(hash: number, raw: string, address: string): void {
    if (this.size >= MAX_ENTRIES) return;
    this.place(hash, raw, address);
    if (++this.size * 2 > this.mask) this.grow();
  }

  private place(hash: number, raw: string, address: string): void {
    let i = Math.imul(hash, 0x9e3779b1) >>> this.shift;
    while (this.raw[i] !== '') i = (i + 1) & this.mask;
    this.hashes[i] = hash;
    this.raw[i] = raw;
    this.addresses[i] = address;
  }

  private grow(): void {
    const { hashes, raw, addresses } = this;
    const slots = hashes.length * 2;
    this.hashes = new Int32Array(slots);
    this.raw = new Array<string>(slots).fill('');
    this.addresses = new Array<string>(slots).fill('');
    this.shift--;
    this.mask = slots - 1;
    for (let j = 0; j < hashes.length; j++) {
      if (raw[j] !== '') this.place(hashes[j] as number, raw[j] as string, addresses[j] as string);
    }
  }
}
