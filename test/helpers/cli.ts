/** Runs the tcpcheck CLI from source, optionally inside a network namespace (argv only, no shell). */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
export const MAIN = resolve(ROOT, 'src/cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { netns?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const argv = opts.netns ? ['ip', ['netns', 'exec', opts.netns, TSX, MAIN, ...args]] as const : [TSX, [MAIN, ...args]] as const;
  return new Promise((resolvePromise) => {
    execFile(argv[0], [...argv[1]], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err && typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : err ? 99 : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}
