/**
 * The kubectl binaries that prove the Kubernetes API double faithful, and a way to run them
 * without blocking the event loop the double answers from.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';

/**
 * Debian's kubectl (scripts/test-all.sh unpacks the kubernetes-client package and names it in
 * TCPCHECK_KUBECTL, since the machine's own kubectl package owns /usr/bin/kubectl), `kubectl` as
 * PATH resolves it, and Google Cloud SDK's current release where it is installed.
 */
export function findKubectls(): string[] {
  const found: string[] = [];
  if (process.env.TCPCHECK_KUBECTL && existsSync(process.env.TCPCHECK_KUBECTL)) found.push(process.env.TCPCHECK_KUBECTL);
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) found.push(which.stdout.trim());
  // Google Cloud SDK's kubectl (current release) where it is installed next to Debian's.
  const extra = '/usr/lib/google-cloud-sdk/bin/kubectl';
  if (existsSync(extra)) found.push(extra);
  return [...new Map(found.map((p) => [realpathSync(p), p])).values()];
}

/** `v1.20.2` from `kubectl version --client`, either output format; `unknown` otherwise. */
export function versionOf(kubectl: string): string {
  const out = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).stdout;
  return /GitVersion:"(v[\d.]+)|Client Version: (v[\d.]+)/.exec(out)?.slice(1).find(Boolean) ?? 'unknown';
}

/** Runs a command asynchronously (the double answers from this very event loop), capped at 60 s. */
export function runAsync(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

