/**
 * `tcpcheck serve | bot | worker`: the long-running processes. Settings come from the environment
 * (see .env.example) and the config file (TCPCHECK_CONFIG).
 * - serve: the Slack bot and a worker in one process (small installs);
 * - bot: the Slack bot only, with workers scaled separately;
 * - worker: a diagnosis worker only, on the same Redis as the bots.
 */
import type { Command } from 'commander';

const ROLES = [
  ['serve', 'run the Slack bot and a worker in one process (small installs)'],
  ['bot', 'run the Slack bot only (scale workers separately)'],
  ['worker', 'run a diagnosis worker only (connects to the same Redis as the bots)'],
] as const;

export function registerRoles(program: Command): void {
  for (const [role, description] of ROLES) {
    program
      .command(role)
      .description(description)
      .action(async () => {
        // Bolt, BullMQ and Redis load only for these commands, so `check` starts fast.
        const [{ runRole }, { loadInventory }] = await Promise.all([import('../../app/process.js'), import('../../app/inventory.js')]);
        await runRole(role, loadInventory);
      });
  }
}
