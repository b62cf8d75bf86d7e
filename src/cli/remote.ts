/** Remote targets for `tcpcheck check`: a node name through the inventory, or `--host` flags. */
import { connectFlags, connectNode } from '../collect/connect.js';
import type { Transport } from '../collect/transport.js';
import { loadConfig } from '../config/index.js';
import type { CheckFlags } from './options.js';

export async function transportForCli(node: string | undefined, flags: CheckFlags): Promise<{ transport: Transport; name: string }> {
  const config = await loadConfig(flags.config);
  if (flags.host) {
    const { target, transport } = await connectFlags({ ...flags, host: flags.host }, config);
    return { transport, name: node ?? target.name };
  }
  const { target, transport } = await connectNode(node!, config, { transport: flags.transport });
  return { transport, name: target.name };
}
