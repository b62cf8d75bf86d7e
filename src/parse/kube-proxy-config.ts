/**
 * kube-proxy's mode from the `config.conf` key of the `kube-system/kube-proxy` ConfigMap (a
 * KubeProxyConfiguration, as kubeadm writes it):
 *
 * ```
 * apiVersion: kubeproxy.config.k8s.io/v1alpha1
 * kind: KubeProxyConfiguration
 * mode: "ipvs"
 * ```
 *
 * `mode: ""` (kubeadm's default) means iptables on Linux.
 */
import { parse } from 'yaml';

/** The `mode:` value as written (`''` for the default); null when the text is not such a config or has no mode. */
export function parseKubeProxyMode(configConf: string): string | null {
  let doc: unknown;
  try {
    doc = parse(configConf);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const mode = (doc as { mode?: unknown }).mode;
  if (mode === null) return '';
  return typeof mode === 'string' ? mode.trim() : null;
}
