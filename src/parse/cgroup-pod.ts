/**
 * Pod UID from a cgroup path, for the kubelet's two cgroup drivers on cgroup v1 and v2:
 *
 * ```
 * 11:cpu,cpuacct:/kubepods/burstable/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f/3f1c…   (v1, cgroupfs)
 * 0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7c3f4e_1d2a_4c5b_9e8f_7a6b5c4d3e2f.slice/cri-containerd-3f1c….scope   (v2, systemd)
 * /sys/fs/cgroup/kubepods/pod0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f   (a Guaranteed pod's cgroup directory)
 * ```
 *
 * The systemd driver escapes `-` in slice names, so it writes the UID with `_` (kubelet
 * cgroup_manager_linux.go); both forms give the same dashed UID.
 */

/** `pod` + a UID with `-` or `_`, ending the path segment (or followed by `.slice`). */
const POD_SEGMENT = /(?:^|[/-])pod([0-9a-f]{8})[-_]([0-9a-f]{4})[-_]([0-9a-f]{4})[-_]([0-9a-f]{4})[-_]([0-9a-f]{12})(?:\.slice)?(?=\/|$)/;

/** The pod UID (dashed, lower-case) in a cgroup path or a /proc/PID/cgroup line; null when it is not a pod's. */
export function podUidFromCgroup(path: string): string | null {
  if (!path.includes('kubepods')) return null;
  const m = POD_SEGMENT.exec(path.trim().toLowerCase());
  return m ? m.slice(1, 6).join('-') : null;
}

/** The pod UID of a process from all lines of its /proc/PID/cgroup (v1 has one line per hierarchy, v2 one `0::` line). */
export function podUidFromProcCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const uid = podUidFromCgroup(line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
    if (uid) return uid;
  }
  return null;
}
