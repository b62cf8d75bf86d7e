/**
 * A Transport that runs the plan inside a network namespace (`ip netns exec NS [WRAPPER…] sh -s`):
 * a node's real sockets without SSH. `wrapper` runs in front of `sh`, e.g. setpriv to hold only
 * some capabilities.
 */
import { spawn } from 'node:child_process';
import type { Transport } from '../../src/collect/transport.js';

export function netnsTransport(netns: string, wrapper: string[] = []): Transport {
  return {
    kind: 'netns',
    target: netns,
    run: (plan) =>
      new Promise((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', netns, ...wrapper, 'sh', '-s', '--', ...plan.args], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LC_ALL: 'C' } });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: code }));
        child.stdin.end(plan.script);
      }),
  };
}
