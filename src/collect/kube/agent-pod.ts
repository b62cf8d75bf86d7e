/** Finds the tcpcheck agent pod (deploy/daemonset.yaml) running on a node. */
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { ErrorCode, TcpcheckError } from '../../errors.js';
import { describePodState } from './debug-pod.js';
import { kubeApiError, withSignal } from './kube-client.js';

export interface AgentLookup {
  namespace: string;
  labelSelector: string;
  container: string;
}

/** Pure: the pod to exec into, or why there is none. Running pods win; terminating ones never do. */
export function pickAgentPod(pods: V1Pod[], container: string): { pod: V1Pod } | { why: string } {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const running = live.find((p) => describePodState(p).running && p.spec?.containers.some((c) => c.name === container));
  if (running) return { pod: running };
  if (live.length === 0) return { why: pods.length ? 'its agent pod is terminating' : 'no agent pod runs there' };
  const p = live[0]!;
  if (!p.spec?.containers.some((c) => c.name === container)) return { why: `agent pod ${p.metadata?.name} has no container "${container}"` };
  return { why: `agent pod ${p.metadata?.name} is ${describePodState(p).why}` };
}

/** Lists the agent pods on `node` (label selector + `spec.nodeName` field selector) and picks one. */
export async function findAgentPod(kc: KubeConfig, core: CoreV1Api, node: string, a: AgentLookup, signal: AbortSignal): Promise<string> {
  let pods: V1Pod[];
  try {
    // `node` was checked as a DNS-1123 name by the caller, so it cannot smuggle extra selector terms.
    const list = await core.listNamespacedPod({ namespace: a.namespace, labelSelector: a.labelSelector, fieldSelector: `spec.nodeName=${node}` }, withSignal(signal));
    pods = list.items;
  } catch (e) {
    throw kubeApiError(kc, `listing agent pods in namespace ${a.namespace}`, e);
  }
  const picked = pickAgentPod(pods, a.container);
  if ('pod' in picked) return picked.pod.metadata!.name!;
  throw new TcpcheckError(ErrorCode.KubeNoAgentPod, `Cannot collect from node ${node} through the tcpcheck agent: ${picked.why} (namespace ${a.namespace}, selector ${a.labelSelector}).`, {
    hint: 'Install the agent with kubectl apply -f deploy/ -f deploy/rbac/daemonset.yaml, check that the DaemonSet tolerates the node\'s taints, or set kube.mode: debug-pod.',
    retryable: picked.why !== 'no agent pod runs there',
  });
}
