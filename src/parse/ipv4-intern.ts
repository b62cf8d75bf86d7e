/**
 * One string per distinct IPv4 address of a socket table, found by the address's numeric value.
 *
 * A node's table repeats a few local addresses and a few thousand peers over up to a million
 * lines, and the scanner asks here twice per line. An open-addressing table of int32 keys answers
 * in a few nanoseconds where a `Map<number, string>` took about 30 (measured on a million-socket
 * table), and sharing the strings keeps the snapshot from holding two million copies of a few
 * thousand addresses.
 */

/** Bound on interned addresses, so a table of a million distinct peers does not keep a million entries. */
const MAX_ENTRIES = 200_000;
const INITIAL_SLOTS = 1024;

export class Ipv4Intern {
  private keys = new Int32Array(INITIAL_SLOTS);
  /** '' marks an empty slot: no address is printed as ''. */
  private values: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  private mask = INITIAL_SLOTS - 1;
  /** 32 - log2(slots): the top bits of the product pick the slot (Fibonacci hashing). */
  private shift = 32 - Math.log2(INITIAL_SLOTS);
  private size = 0;

  /**
   * The string for the address whose numeric value is `ip` (0 to 2^32-1), printed as
   * `text.slice(start, end)`; the slice is taken only the first time the value is seen.
   */
  get(ip: number, text: string, start: number, end: number): string {
    const key = ip | 0;
    const mask = this.mask;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const v = this.values[i] as string;
      if (v === '') break;
      if (this.keys[i] === key) return v;
    }
    const s = text.slice(start, end);
    if (this.size < MAX_ENTRIES) {
      this.place(key, s);
      if (++this.size * 2 > mask) this.grow();
    }
    return s;
  }

  private place(key: number, value: string): void {
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (this.values[i] !== '') i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.values[i] = value;
  }

  private grow(): void {
    const { keys, values } = this;
    const slots = keys.length * 2;
    this.keys = new Int32Array(slots);
    this.values = new Array<string>(slots).fill('');
    this.mask = slots - 1;
    this.shift--;
    for (let j = 0; j < keys.length; j++) if (values[j] !== '') this.place(keys[j] as number, values[j] as string);
  }
}
