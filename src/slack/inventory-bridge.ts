/**
 * Connects the bot and worker to the node inventory: the config file's `slack:` section, name
 * resolution for the command (refuses names the inventory cannot resolve), and transports for the
 * worker (resolved again there, so a worker always uses its own, current config).
 */
import { loadConfig } from '../config/index.js';
import { createTransport, resolveTarget } from '../inventory/index.js';
import type { Inventory } from './runtime.js';

/** Loads the config at `path` (or $TCPCHECK_CONFIG) and builds the bot's view of the inventory. */
export async function loadInventory(path: string | undefined): Promise<Inventory> {
  const config = await loadConfig(path);
  return {
    slack: config.slack,
    resolveNode: async (name) => {
      await resolveTarget(name, config);
    },
    createTransport: async (name) => createTransport(await resolveTarget(name, config), config),
  };
}
