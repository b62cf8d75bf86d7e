/**
 * `tcpcheck analyze PATH`: analyzes saved outputs without touching any node.
 * PATH is a bundle directory from `check --save`, a file of raw collection output (section markers),
 * or a free-form terminal transcript (prompts, markdown fences, partial `ss | grep` listings).
 */
import type { Command } from 'commander';
import { diagnose } from '../../../jobs/diagnose.js';
import { parseFormat } from '../options.js';
import { reportFailure, type Format } from '../output.js';
import { createStdoutSink } from '../../deliver/stdout.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyze saved outputs: a --save bundle, raw collection output, or a terminal transcript')
    .argument('<path>', 'bundle directory or text file')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('--node <name>', 'node name to show when the input does not say')
    .action(async (path: string, opts: { format: Format; node?: string }) => {
      try {
        const { report } = await diagnose({ kind: 'path', path, node: opts.node });
        await createStdoutSink({ format: opts.format }).deliver({ report, raw: null });
        process.exitCode = report.exitCode;
      } catch (err) {
        process.exitCode = await reportFailure(err);
      }
    });
}
