/**
 * `tcpcheck analyze PATH`: analyzes saved outputs without touching any node.
 * PATH is a bundle directory from `check --save`, a file of raw collection output (section markers),
 * or a free-form terminal transcript (prompts, markdown fences, partial `ss | grep` listings).
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadBundle } from '../../collect/bundle-store.js';
import { analyze } from '../../analyze/index.js';
import { diagnoseBundle } from '../../../jobs/diagnose-node.js';
import type { Report } from '../../domain/report.js';
import { inputInvalid } from '../../errors.js';
import { hasSectionMarkers, splitSections } from '../../parse/sections.js';
import { parseTranscript } from '../../parse/transcript.js';
import { parseFormat } from '../options.js';
import { renderReport, reportFailure, type Format } from '../output.js';
import { decodeOutput } from '../../collect/decode.js';

/** Reads PATH in whichever of the three forms it is and analyzes it. */
export async function analyzePath(path: string, opts: { node?: string }): Promise<Report> {
  const info = await stat(path).catch(() => {
    throw inputInvalid(`${path}: no such file or directory`);
  });
  if (info.isDirectory()) return diagnoseBundle(await loadBundle(path)).report;
  const text = decodeOutput(await readFile(path));
  if (hasSectionMarkers(text)) {
    const sections = splitSections(text);
    // A raw capture has no bundle.json: its own meta section says when and how far apart it sampled.
    const meta = sections.find((s) => s.name === 'meta')?.stdout ?? '';
    const epoch = /^epoch (\d+)$/m.exec(meta)?.[1];
    const interval = /^interval (\d+)$/m.exec(meta)?.[1];
    return diagnoseBundle({
      node: opts.node ?? /^hostname (\S+)$/m.exec(meta)?.[1] ?? path,
      transport: 'file',
      collectedAt: epoch ? new Date(Number(epoch) * 1000).toISOString() : '',
      intervalSec: interval ? Number(interval) : 5,
      sections,
    }).report;
  }
  return analyze(parseTranscript(text, { node: opts.node }));
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyze saved outputs: a --save bundle, raw collection output, or a terminal transcript')
    .argument('<path>', 'bundle directory or text file')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('--node <name>', 'node name to show when the input does not say')
    .action(async (path: string, opts: { format: Format; node?: string }) => {
      try {
        const report = await analyzePath(path, opts);
        process.stdout.write(renderReport(report, opts.format));
        process.exitCode = report.exitCode;
      } catch (err) {
        process.exitCode = reportFailure(err);
      }
    });
}
