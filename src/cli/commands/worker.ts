/**
 * `tcpcheck worker`: run a diagnosis worker only (connects to the same Redis as the bots).
 * Settings come from the environment (see .env.example) and the config file (TCPCHECK_CONFIG).
 */
import type { Command } from 'commander';
import { runRole } from '../../slack/process.js';
import { loadInventory } from '../../slack/inventory-bridge.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a diagnosis worker only (connects to the same Redis as the bots)')
    .action(async () => {
      await runRole('worker', loadInventory);
    });
}
