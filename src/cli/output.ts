/** Prints a report in the chosen format and maps it to the process exit code. */
import type { Report } from '../domain/report.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { isTcpcheckError } from '../errors.js';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function renderReport(report: Report, format: Format, stream: NodeJS.WriteStream = process.stdout): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      // Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
      return renderText(report, { color: Boolean(stream.isTTY) && !process.env.NO_COLOR });
  }
}

/** Prints a failure in words plus what to do, and returns exit code 3 ("could not diagnose"). */
export function reportFailure(err: unknown): 3 {
  if (isTcpcheckError(err)) {
    process.stderr.write(`tcpcheck: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  next: ${err.hint}\n`);
  } else {
    process.stderr.write(`tcpcheck: ${(err as Error)?.message ?? String(err)}\n`);
  }
  return 3;
}
