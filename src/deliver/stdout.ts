/** The terminal sink: the report in the chosen format on stdout, failures in words on stderr. */
import { renderReport, type Format } from '../render/index.js';
import type { Delivery, Failure, Sink } from './sink.js';

export interface StdoutSinkOptions {
  format: Format;
  /** @defaultValue process.stdout */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** @defaultValue process.stderr */
  err?: NodeJS.WritableStream;
  /** Environment for NO_COLOR. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

export function createStdoutSink(opts: StdoutSinkOptions): Sink {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const env = opts.env ?? process.env;
  return {
    async deliver({ report }: Delivery) {
      // Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
      out.write(renderReport(report, opts.format, { color: Boolean(out.isTTY) && !env.NO_COLOR }));
    },
    async fail({ message, hint }: Failure) {
      err.write(`tcpcheck: ${message}\n`);
      if (hint) err.write(`  next: ${hint}\n`);
    },
  };
}
