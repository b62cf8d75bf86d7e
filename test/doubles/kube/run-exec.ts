/**
 * Runs an exec request's command for real, inside the network namespace that stands in for the
 * pod's node: `ip netns exec <netns> <argv...>`, argv only, never a shell string. So `ss` in a
 * "pod" sees the sockets of that lab node, as a hostNetwork pod sees its node's.
 *
 * Container filesystems are not emulated: a container sees this machine's root, except that a
 * path under a hostPath volume's mountPath is mapped to the host path (`/host/x` → `/x` for the
 * debug pod's `hostPath: /` at `/host`), which is what makes `chroot /host ...` behave as it does
 * in a `kubectl debug node/...` pod.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Json } from './objects.js';

export interface ExecProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit status (or null and the signal when killed). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>;
}

/** Maps argv paths under a hostPath volume's mountPath in the named container to the host path. */
export function mapHostPaths(pod: Json, container: string, argv: string[]): string[] {
  const spec = pod.spec as { volumes?: { name: string; hostPath?: { path: string } }[]; containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[] };
  const mounts: { at: string; to: string }[] = [];
  const c = spec.containers.find((x) => x.name === container);
  for (const vm of c?.volumeMounts ?? []) {
    const vol = spec.volumes?.find((v) => v.name === vm.name);
    if (vol?.hostPath) mounts.push({ at: vm.mountPath.replace(/\/+$/, ''), to: vol.hostPath.path.replace(/\/+$/, '') });
  }
  return argv.map((arg) => {
    for (const m of mounts) {
      if (arg === m.at) return m.to === '' ? '/' : m.to;
      if (arg.startsWith(`${m.at}/`)) return `${m.to}${arg.slice(m.at.length)}`;
    }
    return arg;
  });
}

/** Starts `ip netns exec <netns> <argv...>`. */
export function startExec(netns: string, argv: string[]): ExecProcess {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], {
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group, so a cancelled exec can kill the whole command tree (sh and its sleep).
    detached: true,
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => resolve({ code, signal, ...(spawnError ? { spawnError } : {}) }));
  });
  return { child, done };
}
