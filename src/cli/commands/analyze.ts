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

/**
 * Under tsx (development, tests) the TypeScript modules; built, the one-file bundle of
 * ./analyze-run.ts and all it imports (scripts/bundle.mjs), or the modules when it was not built.
 */
async function loadRun(): Promise<(path: string, opts: AnalyzeOptions) => Promise<number>> {
  if (!import.meta.url.endsWith('.ts')) {
    try {
      // @ts-expect-error: written by scripts/bundle.mjs into the build output only.
      return ((await import('../../../jobs/analyze.bundle.js')) as typeof import('./analyze-run.js')).runAnalyze;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return (await import('./analyze-run.js')).runAnalyze;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyze saved outputs: a --save bundle, raw collection output, or a terminal transcript')
    .argument('<path>', 'bundle directory or text file')
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
