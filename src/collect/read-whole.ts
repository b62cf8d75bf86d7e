/**
 * Reads a saved file whole. `readFile` reads in 512 KiB chunks, one event-loop turn each: on a
 * saved million-socket listing (80 MB) that waiting was a tenth of `tcpcheck analyze`. A regular
 * file is read into one buffer of its size, with as few read calls as the kernel allows; a file
 * whose size the kernel does not know (`/proc/net/tcp`, a pipe) falls back to `readFile`.
 */
import { open } from 'node:fs/promises';
import { ANALYZE_USAGE, inputInvalid } from '../errors.js';

/** Largest file read: far above any real listing (a million sockets is 80 MB), below V8's string limit. */
export const MAX_READ_BYTES = 2 ** 30;

/** The error for an input over {@link MAX_READ_BYTES}; `what` says how much it held. */
const tooBig = (what: string) => inputInvalid(`${what}: tcpcheck reads files up to 1 GiB; cut out the part to analyze`, ANALYZE_USAGE);

export async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return await fh.readFile();
    if (size > MAX_READ_BYTES) throw tooBig(`${path} holds ${size} bytes`);
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(buf, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}

/**
 * Reads a stream to its end: standard input (`tcpcheck analyze -`), whose size a pipe does not
 * tell. More than {@link MAX_READ_BYTES} is refused with the same clear error as a file.
 */
export async function readStream(stream: AsyncIterable<Buffer | string>, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_READ_BYTES) throw tooBig(`${name} holds more than 1 GiB`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
