/** Failures on the terminal, mapped to the process exit code. */
import { isTcpcheckError } from '../errors.js';
import type { Sink } from '../deliver/sink.js';
import { createStdoutSink } from '../deliver/stdout.js';

export { FORMATS, type Format } from '../render/index.js';

/** Prints a failure in words plus what to do, and returns exit code 3 ("could not diagnose"). */
export async function reportFailure(err: unknown, sink: Sink = createStdoutSink({ format: 'text' })): Promise<3> {
  const message = isTcpcheckError(err) ? err.message : String((err as Error)?.message ?? err);
  await sink.fail({ message, hint: isTcpcheckError(err) ? err.hint : '', willRetry: false, attempt: 1 });
  return 3;
}
