/** Runs the plan on this machine with `sh -s`. The script arrives on stdin; arguments are validated numbers. */
import { spawn } from 'node:child_process';
import { cancelled, commandTimeout, outputTooLarge, TcpcheckError, ErrorCode } from '../../errors.js';
import type { Plan } from '../plan.js';
import type { RunOptions, RunResult, Transport } from '../transport.js';
import { decodeOutput } from '../decode.js';

export class LocalTransport implements Transport {
  readonly kind = 'local';
  readonly target = 'localhost';

  run(plan: Plan, opts: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(cancelled(this.target));
      const child = spawn('sh', ['-s', '--', ...plan.args], {
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so a failure or cancel kills the whole script (the deep plan's
        // tcpdump and strace included), not only sh.
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: TcpcheckError | null = null;
      const fail = (e: TcpcheckError) => {
        if (!failure) failure = e;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => fail(commandTimeout(this.target, opts.timeoutMs)), opts.timeoutMs);
      const onAbort = () => fail(cancelled(this.target));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxOutputBytes) return fail(outputTooLarge(this.target, opts.maxOutputBytes));
        out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (e) => fail(new TcpcheckError(ErrorCode.CollectionFailed, `Could not start sh: ${e.message}`, { cause: e })));
      child.on('close', (code) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        resolve({ stdout: decodeOutput(Buffer.concat(out)), stderr: Buffer.concat(err).toString('utf8'), exitCode: code });
      });
      child.stdin.end(plan.script);
    });
  }
}
