/**
 * kube-proxy's proxy mode: from its ConfigMap (`kube-system/kube-proxy`, `mode:`) when the cluster
 * was read, else from its command line. Only iptables and ipvs modes open NodePort sockets to
 * reserve the ports and never accept on them (kubernetes/kubernetes#43212, #106713); userspace
 * mode accepts and proxies itself, and nftables mode and eBPF replacements hold no such sockets.
 */
import type { ClusterView } from '../domain/cluster.js';

export interface ProxyMode {
  /** `iptables`, `ipvs`, `userspace`, `nftables`, … or `unknown` when a config file sets it and it was not read. */
  mode: string;
  /** How the mode was found, in words for the evidence. */
  source: string;
}

/** Reads `--proxy-mode=ipvs` / `--proxy-mode ipvs`; absent means the iptables default. */
export function readProxyMode(cmdline: string | null): ProxyMode {
  if (cmdline === null) return { mode: 'iptables', source: 'command line not read; iptables (the default) assumed' };
  const flag = /(?:^|\s)--proxy-mode(?:=|\s+)(\S*)/.exec(cmdline);
  if (flag) {
    const value = flag[1] ?? '';
    return value === '' ? { mode: 'iptables', source: '--proxy-mode empty: iptables (the default)' } : { mode: value, source: `--proxy-mode=${value}` };
  }
  // A --config file can set mode: too; it is not read here, so say so rather than guess silently.
  if (/(?:^|\s)--config(?:=|\s)/.test(cmdline)) return { mode: 'unknown', source: 'mode set in the --config file, not read; iptables or ipvs assumed' };
  return { mode: 'iptables', source: 'no --proxy-mode flag: iptables (the default)' };
}

/**
 * The mode kube-proxy runs in: the cluster's ConfigMap when it was read and sets one (kubeadm runs
 * kube-proxy with `--config` pointing at it), else the command line.
 */
export function resolveProxyMode(cmdline: string | null, cluster: ClusterView | undefined): ProxyMode {
  const configured = cluster?.status === 'read' ? cluster.context.proxyMode : null;
  if (configured === null) return readProxyMode(cmdline);
  return configured === ''
    ? { mode: 'iptables', source: 'kube-system/kube-proxy ConfigMap: mode "" (iptables, the default)' }
    : { mode: configured, source: `kube-system/kube-proxy ConfigMap: mode ${configured}` };
}

/** True for the modes that hold NodePort sockets and never accept on them (`unknown`: assumed so). */
export function holdsPortsOnly(mode: ProxyMode): boolean {
  return mode.mode === 'iptables' || mode.mode === 'ipvs' || mode.mode === 'unknown';
}
