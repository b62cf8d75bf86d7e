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
import type { AnalyzeOptions } from './analyze-run.js';
import { builtOrModule } from '../built.js';

/** The command's body: built, from the one-file bundle of ./analyze-run.ts and all it imports (scripts/bundle.mjs). */
async function loadRun(): Promise<(path: string, opts: AnalyzeOptions) => Promise<number>> {
  const { runAnalyze } = await builtOrModule(
    // @ts-expect-error: written by scripts/bundle.mjs into the build output only.
    () => import('../../../jobs/analyze.bundle.js'),
    () => import('./analyze-run.js'),
  );
  return runAnalyze;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyze saved outputs: a --save bundle, raw collection output, or a terminal transcript')
    .argument('<path>', 'bundle directory or text file; - reads standard input')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('--node <name>', 'node name to show when the input does not say')
    .option('--pcap <file>', 'a capture (tcpdump -w) taken beside a transcript, read as the deep probe\'s capture')
    .action(async (path: string, opts: AnalyzeOptions) => {
      try {
        process.exitCode = await (await loadRun())(path, opts);
      } catch (err) {
        process.exitCode = await reportFailure(err);
      }
    });
}
