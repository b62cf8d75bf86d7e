/**
 * The body of `tcpcheck analyze PATH` (registered in ./analyze.ts): diagnoses the path and prints
 * the report. Built, it runs from one file bundled with everything it imports
 * (`dist/jobs/analyze.bundle.js`, see package.json `build`): loading the pipeline's hundred-odd
 * modules one by one cost a tenth of analyzing a million-socket listing. Errors are reported from
 * inside, so the coded errors the pipeline throws meet the reporter of the same copy.
 */
import { diagnose } from '../../../jobs/diagnose.js';
import { ExitCode, type Report } from '../../domain/report.js';
import { createStdoutSink } from '../../deliver/stdout.js';
import { reportFailure, type Format } from '../output.js';

export interface AnalyzeOptions {
  format: Format;
  node?: string;
  pcap?: string;
}

/** True when no socket, listener or state tally was read: a report would have nothing to say. */
function nothingRead(report: Report): boolean {
  return report.exitCode === ExitCode.failed && report.listeners.length === 0 && Object.keys(report.states).length === 0;
}

/** One line saying what was expected, and how much was there instead. */
function unreadableMessage(report: Report): string {
  const skipped = Object.values(report.skipped).reduce((a, b) => a + b, 0);
  const seen = skipped > 0 ? `${skipped} line${skipped === 1 ? '' : 's'} matched none of them` : 'it holds none of them';
  return `no socket listing read: expected Linux ss, netstat or /proc/net/tcp output (saved, or in a terminal transcript) or a --save bundle; ${seen}`;
}

/** Analyzes `path` and prints the report; returns the exit code. */
export async function runAnalyze(path: string, opts: AnalyzeOptions): Promise<number> {
  try {
    const { report } = await diagnose({ kind: 'path', path, node: opts.node, pcap: opts.pcap });
    if (nothingRead(report)) {
      process.stderr.write(`tcpcheck analyze: ${path}: ${unreadableMessage(report)}\n`);
      // Scripts asking for json or markdown still get the report (exit code 3 in it too).
      if (opts.format === 'text') return ExitCode.failed;
    }
    await createStdoutSink({ format: opts.format }).deliver({ report, raw: null });
    return report.exitCode;
  } catch (err) {
    return reportFailure(err);
  }
}
