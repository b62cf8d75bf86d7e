/**
 * `tcpcheck check [NODE]`: diagnoses this machine, or NODE through the inventory (SSH or Kubernetes),
 * or an ad-hoc SSH target given with ssh-like flags, the way a runbook step would.
 */
import type { Command } from 'commander';
import { diagnoseNode } from '../../../jobs/diagnose-node.js';
import { saveBundle } from '../../collect/bundle-store.js';
import { LocalTransport } from '../../collect/transports/local.js';
import type { Transport } from '../../collect/transport.js';
import { parseFormat, parseInterval, parseTransportKind, type CheckFlags } from '../options.js';
import { renderReport, reportFailure, type Format } from '../output.js';



/** Picks the transport: this machine when no node and no --host is given. */
async function chooseTransport(node: string | undefined, flags: CheckFlags): Promise<{ transport: Transport; name: string }> {
  if (!node && !flags.host) return { transport: new LocalTransport(), name: 'localhost' };
  // Remote targets need the inventory and the SSH/Kubernetes transports; loaded only when asked for.
  const { transportForCli } = await import('../remote.js');
  return transportForCli(node, flags);
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('diagnose this machine, or NODE from the inventory, or --host over SSH')
    .argument('[node]', 'node name from the inventory, the Kubernetes API or the naming convention')
    .option('-f, --format <format>', 'text | markdown | json', parseFormat, 'text' as Format)
    .option('-i, --interval <seconds>', 'seconds between the two samples of counters and listeners', parseInterval, 5)
    .option('--save <dir>', 'keep the raw outputs as a bundle in DIR (re-read with `tcpcheck analyze DIR`)')
    .option('-c, --config <file>', 'config file (default: $TCPCHECK_CONFIG)')
    .option('--transport <kind>', 'ssh | kube (default: from the inventory)', parseTransportKind)
    .option('--host <host>', 'SSH to this host directly (runbook mode)')
    .option('-p, --port <port>', 'SSH port')
    .option('-l, --user <user>', 'SSH user')
    .option('--identity <file>', 'SSH private key file')
    .option('--known-hosts <file>', 'known_hosts file for host-key checking')
    .option('-J, --jump <[user@]host[:port]>', 'reach the node through this bastion')
    .action(async (node: string | undefined, flags: CheckFlags) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const { transport, name } = await chooseTransport(node, flags);
        const { bundle, report } = await diagnoseNode(transport, name, { intervalSec: flags.interval, signal: controller.signal });
        if (flags.save) await saveBundle(flags.save, bundle);
        process.stdout.write(renderReport(report, flags.format));
        process.exitCode = report.exitCode;
      } catch (err) {
        process.exitCode = reportFailure(err);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
