/**
 * Runs a role as a long-lived process: validates the environment (one line per problem, exit 1),
 * loads the inventory, starts, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { createLogger } from '../log.js';
import { loadEnv, type Role } from './env.js';
import { startRuntime, type Inventory } from './runtime.js';

/** Loads the inventory and the `slack:` section from the config file at `path`. */
export type InventoryLoader = (path: string | undefined) => Promise<Inventory>;

/** Starts `role`; returns once started. The process then lives until SIGTERM/SIGINT. */
export async function runRole(role: Role, loadInventory: InventoryLoader, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const checked = loadEnv(env, role);
  if (!checked.ok) {
    for (const line of checked.issues) process.stderr.write(`tcpcheck ${role}: ${line}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger();
  let inventory: Inventory;
  try {
    inventory = await loadInventory(checked.value.TCPCHECK_CONFIG);
  } catch (err) {
    process.stderr.write(`tcpcheck ${role}: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  let running;
  try {
    running = await startRuntime({ role, env: checked.value, inventory, logger });
  } catch (err) {
    process.stderr.write(`tcpcheck ${role}: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received');
    void running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
