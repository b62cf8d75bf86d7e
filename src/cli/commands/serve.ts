/**
 * `tcpcheck serve`: run the Slack bot and a worker in one process (small installs).
 * Settings come from the environment (see .env.example) and the config file (TCPCHECK_CONFIG).
 */
import type { Command } from 'commander';
import { runRole } from '../../slack/process.js';
import { loadInventory } from '../../slack/inventory-bridge.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the Slack bot and a worker in one process (small installs)')
    .action(async () => {
      await runRole('serve', loadInventory);
    });
}
