/** Node name → InternalIP through the Kubernetes API, for the inventory resolver. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ErrorCode, nodeNotFound, TcpcheckError } from '../../errors.js';
import { httpStatusOf, kubeApiError, loadKubeConfig, withSignal, type KubeCredentials } from './kube-client.js';

/**
 * The InternalIP of node `name` (`nodes get`). Rejects with `node_not_found` when the cluster has
 * no such node, and with `kube_api_error` when the node reports no InternalIP.
 */
export async function lookupNodeAddress(name: string, kubeConfig: KubeConfig | KubeCredentials, opts: { signal?: AbortSignal } = {}): Promise<string> {
  const kc = kubeConfig instanceof KubeConfig ? kubeConfig : loadKubeConfig(kubeConfig);
  const core = kc.makeApiClient(CoreV1Api);
  let node;
  try {
    node = await core.readNode({ name }, withSignal(opts.signal ?? AbortSignal.timeout(15_000)));
  } catch (e) {
    if (httpStatusOf(e) === 404) throw nodeNotFound(name);
    throw kubeApiError(kc, `looking up node ${name}`, e);
  }
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!ip) throw new TcpcheckError(ErrorCode.KubeApi, `Node ${name} reports no InternalIP address.`, { hint: 'Use the kube transport for this node, or list it in the inventory with its address.' });
  return ip;
}
