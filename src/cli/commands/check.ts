/**
 * `tcpcheck check [NODE]`: diagnoses this machine, or NODE through the inventory (SSH or Kubernetes),
 * or an ad-hoc SSH target given with ssh-like flags, the way a runbook step would.
 */
import type { Command } from 'commander';
import type { OpenedNode } from '../../app/targets.js';
import { createStdoutSink } from '../../deliver/stdout.js';
import { inputInvalid } from '../../errors.js';
import { parseDeepSeconds, parseFormat, parseInterval, parseTransportKind, type CheckFlags } from '../options.js';
import { reportFailure, type Format } from '../output.js';

/** This machine when no node and no --host is given; else the node through the one target factory. */
async function openTarget(node: string | undefined, flags: CheckFlags): Promise<OpenedNode> {
  const [{ loadConfig }, { openFlags, openLocal, openNode }] = await Promise.all([import('../../config/index.js'), import('../../app/targets.js')]);
  const config = await loadConfig(flags.config);
  if (flags.host) return openFlags({ ...flags, host: flags.host }, config, node);
  if (node) return openNode(node, config, { transport: flags.transport });
  return openLocal(config);
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('diagnose this machine, or NODE from the inventory, or --host over SSH')
    .argument('[node]', 'node name from the inventory, the Kubernetes API or the naming convention')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('-i, --interval <seconds>', 'seconds between the two samples of counters and listeners (default: limits.intervalSec, 5)', parseInterval)
    .option('--save <dir>', 'keep the raw outputs as a bundle in DIR (re-read with `tcpcheck analyze DIR`)')
    .option('-c, --config <file>', 'config file (default: $TCPCHECK_CONFIG)')
    .option('--transport <kind>', 'ssh | kube (default: from the inventory)', parseTransportKind)
    .option('--host <host>', 'SSH to this host directly (runbook mode)')
    .option('-p, --port <port>', 'SSH port')
    .option('-l, --user <user>', 'SSH user')
    .option('--identity <file>', 'SSH private key file')
    .option('--known-hosts <file>', 'known_hosts file for host-key checking')
    .option('-J, --jump <[user@]host[:port]>', 'reach the node through this bastion')
    .option('--deep', 'after the check, watch the flagged ports (tcpdump) and their owners (strace, stacks) for a bounded window')
    .option('--deep-seconds <seconds>', 'how long --deep watches, 1 to 60', parseDeepSeconds)
    .action(async (node: string | undefined, flags: CheckFlags) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      const sink = createStdoutSink({ format: flags.format });
      try {
        if (flags.deepSeconds !== undefined && !flags.deep) throw inputInvalid('--deep-seconds needs --deep.');
        const target = await openTarget(node, flags);
        const [{ diagnose }, { saveBundle }] = await Promise.all([import('../../../jobs/diagnose.js'), import('../../collect/bundle-store.js')]);
        const deep = flags.deep ? { seconds: flags.deepSeconds } : undefined;
        const { bundle, report } = await diagnose({ kind: 'node', node: target }, { intervalSec: flags.interval, signal: controller.signal, deep });
        if (flags.save && bundle) await saveBundle(flags.save, bundle);
        await sink.deliver({ report, raw: null });
        process.exitCode = report.exitCode;
      } catch (err) {
        process.exitCode = await reportFailure(err, sink);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
