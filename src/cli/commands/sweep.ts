/**
 * `tcpcheck sweep`: diagnoses many nodes at once (the inventory, a list, or a Kubernetes label
 * selector), compares each with its last sweep in a local history, and prints one table or JSON.
 * Exit code: the worst diagnosed node (0, 1, 2; 1 at least when a node was unreachable), 3 when
 * none could be diagnosed. An unreachable node is a row, never a crash.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { isHostOrAddress, isLabelSelector } from '../../config/names.js';
import type { SweepNodes } from '../../config/sweep-schema.js';
import { ErrorCode, TcpcheckError } from '../../errors.js';
import { parseFormat, parseInterval } from '../options.js';
import { reportFailure, type Format } from '../output.js';

interface SweepFlags {
  nodes?: string[];
  selector?: string;
  config?: string;
  history?: string;
  concurrency: number;
  interval?: number;
  nodeTimeout: number;
  format: Format;
}

const usageError = (message: string) =>
  new TcpcheckError(ErrorCode.InputInvalid, message, { hint: 'Usage: tcpcheck sweep [--nodes a,b,c | --selector k=v] [--config FILE] [--history DIR]' });

function parseNodeList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = names.filter((n) => !isHostOrAddress(n));
  if (names.length === 0 || bad.length) throw new InvalidArgumentError(bad.length ? `not node names: ${bad.join(', ')}` : 'expected a,b,c');
  return names;
}

function parseSelector(value: string): string {
  if (!isLabelSelector(value)) throw new InvalidArgumentError('expected a label selector such as node-role=worker');
  return value;
}

const parseWhole = (min: number, max: number) => (value: string) => {
  if (!/^\d{1,4}$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return Number(value);
};

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('diagnose many nodes at once and say what changed since the last sweep')
    .option('--nodes <a,b,c>', 'these nodes (default: every node in the inventory)', parseNodeList)
    .option('--selector <k=v>', 'the Kubernetes nodes with these labels', parseSelector)
    .option('-c, --config <file>', 'config file (default: $TCPCHECK_CONFIG)')
    .option('--history <dir>', 'where sweeps are kept (default: $XDG_STATE_HOME/tcpcheck)')
    .option('--concurrency <n>', 'nodes checked at once', parseWhole(1, 200), 10)
    .option('-i, --interval <seconds>', 'seconds between the two samples (default: limits.intervalSec)', parseInterval)
    .option('--node-timeout <seconds>', 'a node taking longer is a row with command_timeout', parseWhole(5, 600), 60)
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .action(async (flags: SweepFlags) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        if (flags.nodes && flags.selector) throw usageError('Give --nodes or --selector, not both.');
        const [{ finishSweep, listSweepNodes, mapBounded, sweepNode }, { openNode }, { loadConfig }, { defaultHistoryDir, DirectoryHistory }, { renderSweepJson }, { renderSweepMarkdown, renderSweepText }] = await Promise.all([
          import('../../../jobs/sweep.js'),
          import('../../app/targets.js'),
          import('../../config/index.js'),
          import('../../history/directory.js'),
          import('../../render/sweep-json.js'),
          import('../../render/sweep-text.js'),
        ]);
        const config = await loadConfig(flags.config);
        const spec: SweepNodes = flags.nodes ?? (flags.selector ? { selector: flags.selector } : 'all');
        const names = await listSweepNodes(spec, config);
        if (names.length === 0) throw usageError(spec === 'all' ? 'The inventory lists no nodes: give --nodes a,b,c or --selector k=v.' : 'No node matches the selector.');
        const history = new DirectoryHistory(flags.history ?? defaultHistoryDir());
        const startedAt = new Date();
        const rows = await mapBounded(names, flags.concurrency, (name) =>
          sweepNode(name, {
            open: (node) => openNode(node, config),
            intervalSec: flags.interval,
            nodeTimeoutMs: flags.nodeTimeout * 1000,
            signal: controller.signal,
          }),
        );
        const finishedAt = new Date();
        const result = await finishSweep(
          { sweepId: randomUUID(), startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), nodes: rows },
          { history, retentionDays: config.history.retentionDays, now: finishedAt },
        );
        process.stdout.write(flags.format === 'json' ? renderSweepJson(result) : flags.format === 'markdown' ? renderSweepMarkdown(result) : renderSweepText(result));
        process.exitCode = result.exitCode;
      } catch (err) {
        process.exitCode = await reportFailure(err);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
