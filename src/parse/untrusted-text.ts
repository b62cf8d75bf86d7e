/**
 * Text the node's processes control (argv, comm, hostname) as the plan prints it: lowercase hex of
 * the raw bytes (`od -An -v -tx1`), so no byte of it can start a line of the output.
 *
 *     pid 1515 comm-hex 6b7562652d70726f78790a
 *     hostname-hex 69702d3137322d312d35322d3130300a
 *
 * Decoded here into one printable line: control characters are escaped (`\n`, `\x1b`), so a decoded
 * value can break no report, terminal or Slack message either.
 */

/** Decodes `od` hex into bytes; null when it is not hex (odd length or another character). */
export function decodeHex(hex: string): Buffer | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}

/** UTF-8 text (invalid bytes become U+FFFD) with C0 controls, DEL and C1 controls escaped. */
export function printable(bytes: Buffer | string): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Splits a `/proc/PID/cmdline` (arguments ended by NUL) into printable arguments. */
export function splitCmdline(bytes: Buffer): string[] {
  const args: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start || i < bytes.length) args.push(printable(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  // Processes that rewrite their title (redis-server, nginx workers) pad it with NULs or spaces.
  while (args.length > 0 && args[args.length - 1]?.trim() === '') args.pop();
  return args;
}
