/** Failures on the terminal, mapped to the process exit code. */
import { isTcpcheckError } from '../errors.js';
import type { Sink } from '../deliver/sink.js';
import { createStdoutSink } from '../deliver/stdout.js';

export { FORMATS, type Format } from '../render/index.js';

/**
 * A reader that stops early (`tcpcheck analyze FILE | head`) closes the pipe; the next write fails
 * with EPIPE (Node ignores SIGPIPE, so it arrives as an 'error' event). That is not a failure of the
 * diagnosis: end quietly with the exit code already set (the verdict's), as `cat | head` does.
 */
export function endQuietlyWhenStdoutCloses(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** Prints a failure in words plus what to do, and returns exit code 3 ("could not diagnose"). */
export async function reportFailure(err: unknown, sink: Sink = createStdoutSink({ format: 'text' })): Promise<3> {
  const message = isTcpcheckError(err) ? err.message : String((err as Error)?.message ?? err);
  await sink.fail({ message, hint: isTcpcheckError(err) ? err.hint : '', willRetry: false, attempt: 1 });
  return 3;
}
