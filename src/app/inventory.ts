/**
 * The bot's and worker's view of the node inventory: the config file's `slack:` section, name
 * resolution for the command (refuses names the inventory cannot resolve), and opened nodes for
 * the worker, all through the one target factory (./targets.ts).
 */
import { loadConfig } from '../config/index.js';
import type { Inventory } from './runtime.js';
import { openNode, preloadTransports, resolveNode } from './targets.js';

/** Loads the config at `path` (or $TCPCHECK_CONFIG) and builds the inventory the roles use. */
export async function loadInventory(path: string | undefined): Promise<Inventory> {
  const config = await loadConfig(path);
  await preloadTransports(config);
  return {
    slack: config.slack,
    defaultIntervalSec: config.limits.intervalSec,
    deep: config.deep,
    resolveNode: async (name) => {
      await resolveNode(name, config);
    },
    openNode: (name) => openNode(name, config),
    config,
  };
}
