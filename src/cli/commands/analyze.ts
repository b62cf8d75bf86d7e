/**
 * `tcpcheck analyze PATH`: analyzes saved outputs without touching any node.
 * PATH is a bundle directory from `check --save`, a file of raw collection output (section markers),
 * or a free-form terminal transcript (prompts, markdown fences, partial `ss | grep` listings; an
 * `strace -c` table and thread stack dumps are read as a deep probe's, and `--pcap FILE` adds a
 * capture).
 */
import type { Command } from 'commander';
import { parseFormat } from '../options.js';
import { reportFailure, type Format } from '../output.js';
import { ExitCode, type Report } from '../../domain/report.js';

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

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyze saved outputs: a --save bundle, raw collection output, or a terminal transcript')
    .argument('<path>', 'bundle directory or text file')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('--node <name>', 'node name to show when the input does not say')
    .option('--pcap <file>', 'a capture (tcpdump -w) taken beside a transcript, read as the deep probe\'s capture')
    .action(async (path: string, opts: { format: Format; node?: string; pcap?: string }) => {
      try {
        const [{ diagnose }, { createStdoutSink }] = await Promise.all([import('../../../jobs/diagnose.js'), import('../../deliver/stdout.js')]);
        const { report } = await diagnose({ kind: 'path', path, node: opts.node, pcap: opts.pcap });
        if (nothingRead(report)) {
          process.stderr.write(`tcpcheck analyze: ${path}: ${unreadableMessage(report)}\n`);
          // Scripts asking for json or markdown still get the report (exit code 3 in it too).
          if (opts.format === 'text') {
            process.exitCode = ExitCode.failed;
            return;
          }
        }
        await createStdoutSink({ format: opts.format }).deliver({ report, raw: null });
        process.exitCode = report.exitCode;
      } catch (err) {
        process.exitCode = await reportFailure(err);
      }
    });
}
