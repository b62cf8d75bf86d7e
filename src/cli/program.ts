/**
 * The tcpcheck command line: its commands and options (src/cli/main.ts runs it). Exit codes: 0
 * healthy, 1 warning, 2 critical, 3 could not diagnose.
 */
import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerCheck } from './commands/check.js';
import { registerRoles } from './commands/roles.js';
import { registerSweep } from './commands/sweep.js';
import { endQuietlyWhenStdoutCloses } from './output.js';

export async function run(argv: string[]): Promise<void> {
  endQuietlyWhenStdoutCloses();

  const program = new Command();
  program
    .name('tcpcheck')
    .description('Finds the root cause of TCP trouble on a node: full accept queues, CLOSE-WAIT leaks, listen overflows.')
    .version('0.1.0')
    .showHelpAfterError()
    // Usage errors are "could not diagnose" for scripts and cron.
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 3);
    });

  registerCheck(program);
  registerAnalyze(program);
  registerSweep(program);
  registerRoles(program);

  await program.parseAsync(argv);
}
