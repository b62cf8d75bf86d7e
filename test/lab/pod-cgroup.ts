/**
 * A stand-in for a pod on this machine: a network namespace and a cgroup whose path carries a pod
 * UID, laid out as the kubelet's cgroupfs driver does on cgroup v1
 * (`/sys/fs/cgroup/cpu/kubepods/burstable/pod<UID>`), with an optional CFS limit. Processes are
 * started inside the namespace and moved into the cgroup, so /proc/PID/cgroup names the pod.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

/** The v1 cpu hierarchy, where the machine has one we may write to; null otherwise. */
export function cpuHierarchy(): string | null {
  for (const dir of ['/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpu']) {
    if (existsSync(join(dir, 'cpu.cfs_quota_us'))) {
      try {
        const probe = join(dir, `tcpcheck-probe-${randomBytes(3).toString('hex')}`);
        mkdirSync(probe);
        rmdirSync(probe);
        return dir;
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface LabPod {
  uid: string;
  netns: string;
  cgroup: string;
  /** Starts `node -e code` inside the pod's network namespace and cgroup; resolves once it printed `ready`. */
  run(code: string): Promise<ChildProcess>;
  /** Kills the pod's processes and removes its cgroup and namespace. */
  remove(): Promise<void>;
}

/** Creates the pod; `cpuLimit` in cores sets cpu.cfs_quota_us against a 100 ms period. */
export function createLabPod(hierarchy: string, opts: { cpuLimit?: number } = {}): LabPod {
  const uid = randomUUID();
  const netns = `tck-pod-${randomBytes(3).toString('hex')}`;
  const cgroup = join(hierarchy, 'kubepods', 'burstable', `pod${uid}`);
  mkdirSync(cgroup, { recursive: true });
  if (opts.cpuLimit !== undefined) {
    writeFileSync(join(cgroup, 'cpu.cfs_period_us'), '100000');
    writeFileSync(join(cgroup, 'cpu.cfs_quota_us'), String(Math.round(opts.cpuLimit * 100_000)));
  }
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const children: ChildProcess[] = [];
  return {
    uid,
    netns,
    cgroup,
    run: async (code) => {
      const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      // `ip netns exec` execs node in place: the pid is the server's. Moved before it does any work.
      writeFileSync(join(cgroup, 'cgroup.procs'), String(child.pid));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
        child.on('exit', (c) => reject(new Error(`pod process exited with ${String(c)}`)));
      });
      return child;
    },
    remove: async () => {
      await Promise.all(
        children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }))),
      );
      for (const dir of [cgroup, join(hierarchy, 'kubepods', 'burstable'), join(hierarchy, 'kubepods')]) {
        try {
          rmdirSync(dir);
        } catch {
          // Another pod of this run, or of another run, still uses the parent.
        }
      }
      try {
        execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    },
  };
}
