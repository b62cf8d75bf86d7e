/**
 * kube-proxy's proxy mode, read from its command line. Only userspace mode accepts connections
 * on NodePort sockets (it proxies them itself); iptables and ipvs modes (and nftables) open them
 * only to reserve the port and let DNAT rules carry the traffic.
 */

export interface ProxyMode {
  /** `iptables`, `ipvs`, `userspace`, `nftables`, … or `unknown` when a config file sets it. */
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
  // A --config file can set mode: too; it is not read, so say so rather than guess silently.
  if (/(?:^|\s)--config(?:=|\s)/.test(cmdline)) return { mode: 'unknown', source: 'mode set in the --config file, not read; iptables or ipvs assumed' };
  return { mode: 'iptables', source: 'no --proxy-mode flag: iptables (the default)' };
}

/** True for the modes that never accept on NodePort sockets. */
export function holdsPortsOnly(mode: ProxyMode): boolean {
  return mode.mode !== 'userspace';
}
