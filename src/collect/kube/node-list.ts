/** Node names by label selector through the Kubernetes API, for sweeps (`--selector`, `nodes: {selector}`). */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { kubeApiError, loadKubeConfig, withSignal, type KubeCredentials } from './kube-client.js';

/** Names of the nodes matching `selector` (`nodes list ?labelSelector=`), sorted. */
export async function listNodeNames(selector: string, kubeConfig: KubeConfig | KubeCredentials, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
  const kc = kubeConfig instanceof KubeConfig ? kubeConfig : loadKubeConfig(kubeConfig);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const list = await core.listNode({ labelSelector: selector }, withSignal(opts.signal ?? AbortSignal.timeout(15_000)));
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  } catch (e) {
    throw kubeApiError(kc, `listing nodes with selector ${selector}`, e);
  }
}
