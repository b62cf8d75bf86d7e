/**
 * `tcpcheck bot`: run the Slack bot only (scale workers separately).
 * Settings come from the environment (see .env.example) and the config file (TCPCHECK_CONFIG).
 */
import type { Command } from 'commander';
import { runRole } from '../../slack/process.js';
import { loadInventory } from '../../slack/inventory-bridge.js';

export function registerBot(program: Command): void {
  program
    .command('bot')
    .description('run the Slack bot only (scale workers separately)')
    .action(async () => {
      await runRole('bot', loadInventory);
    });
}
