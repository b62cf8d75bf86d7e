/**
 * Throwaway network namespaces (`tck-<id>-<name>`) standing in for nodes of the API server
 * double, and a real listener inside one, so what `ss` reports through the double is real.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestNetns {
  name: string;
  remove(): void;
}

/** Creates `tck-<random>-<suffix>` with loopback up. */
export function createNetns(suffix: string): TestNetns {
  const name = `tck-${randomBytes(3).toString('hex')}-${suffix}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return {
    name,
    remove: () => {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Starts a TCP listener on 127.0.0.1:`port` inside `netns` (a Node child) and waits until it
 * listens. With `uid`, the listener runs as that user (setpriv), like an application container's
 * non-root process. `ip netns exec` and setpriv exec in place, so the child's pid is the listener's.
 */
export async function listenIn(netns: string, port: number, opts: { uid?: number } = {}): Promise<ChildProcess> {
  const code = `require('net').createServer(()=>{}).listen(${Number(port)},'127.0.0.1',()=>console.log('ready'))`;
  const asUser = opts.uid === undefined ? [] : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups'];
  const child = spawn('ip', ['netns', 'exec', netns, ...asUser, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.on('exit', (c) => reject(new Error(`listener in ${netns} exited with ${String(c)}`)));
  });
  return child;
}
