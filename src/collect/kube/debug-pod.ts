/**
 * The ephemeral debug pod, as `kubectl debug node/NAME` makes it: pinned to the node by
 * `nodeName` (no scheduler, so it lands even on a cordoned or tainted node), in the node's
 * network and PID namespaces, with the node's root filesystem at /host, tolerating every taint.
 *
 * The plan runs as `chroot /host sh -c ...`, so it uses the node's own `ss` and /proc, exactly
 * what an operator logged into the node would see, and the image only needs `sh` and `chroot`
 * (busybox, ~2 MB, pulls in a second). The alternative, the image's own `ss` (netshoot, ~200 MB),
 * would be slower to pull on the sick node and report a different iproute2 version than the node.
 * It is privileged because `ss -p` reads /proc/PID/fd of every host process and chroot needs
 * CAP_SYS_CHROOT; a debug pod lives for one collection and is always deleted.
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { ErrorCode, TcpcheckError } from '../../errors.js';
import { httpStatusOf, kubeApiError, withSignal } from './kube-client.js';

/** Label on every debug pod, so a leaked one can be found: `kubectl delete pod -l ...`. */
export const DEBUG_POD_LABEL = 'app.kubernetes.io/component';
export const DEBUG_POD_LABEL_VALUE = 'tcpcheck-debug';

export interface DebugPodSettings {
  namespace: string;
  container: string;
  image: string;
}

/** A pod name for `node`: a DNS-1123 label, unique per run, recognisable in `kubectl get pods`. */
export function debugPodName(node: string, rand: string = randomBytes(3).toString('hex')): string {
  const stem = node.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'node';
  return `tcpcheck-debug-${stem}-${rand}`.replace(/-+/g, '-');
}

/** Pure: the pod manifest. */
export function buildDebugPod(node: string, name: string, s: DebugPodSettings): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: s.namespace,
      labels: { 'app.kubernetes.io/name': 'tcpcheck', [DEBUG_POD_LABEL]: DEBUG_POD_LABEL_VALUE },
      annotations: { 'tcpcheck.io/node': node },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      hostPID: true,
      hostIPC: false,
      restartPolicy: 'Never',
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      // A safety net if tcpcheck dies before deleting it: the pod ends itself after an hour.
      activeDeadlineSeconds: 3600,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: s.container,
          image: s.image,
          command: ['sleep', '3600'],
          stdin: false,
          tty: false,
          securityContext: { privileged: true },
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '128Mi' } },
          volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
        },
      ],
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
    },
  };
}

/** Container states that will never turn into Running without someone fixing something. */
const HOPELESS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** Pure: why the pod is not running yet, and whether waiting can help. */
export function describePodState(pod: V1Pod): { running: boolean; hopeless: boolean; why: string } {
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Running') return { running: true, hopeless: false, why: 'Running' };
  const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting).find((w) => w?.reason);
  const why = waiting ? `${phase}, ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : phase;
  return { running: false, hopeless: phase === 'Failed' || phase === 'Succeeded' || (waiting?.reason !== undefined && HOPELESS.has(waiting.reason)), why };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface WaitOptions {
  signal: AbortSignal;
  reason: () => TcpcheckError;
  timeoutMs: number;
  now?: () => number;
}

/** Polls the pod until it is Running; fails early on a state that cannot recover, or at the timeout. */
export async function waitForRunning(kc: KubeConfig, core: CoreV1Api, namespace: string, name: string, node: string, o: WaitOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let delay = 100;
  let why = 'Pending';
  for (;;) {
    if (o.signal.aborted) throw o.reason();
    let pod: V1Pod;
    try {
      pod = await core.readNamespacedPod({ namespace, name }, withSignal(o.signal));
    } catch (e) {
      if (o.signal.aborted) throw o.reason();
      throw kubeApiError(kc, `waiting for debug pod ${namespace}/${name}`, e);
    }
    const state = describePodState(pod);
    if (state.running) return;
    why = state.why;
    if (state.hopeless) throw podNotReady(name, node, `it is ${why}`);
    if (now() >= deadline) break;
    await sleep(Math.min(delay, Math.max(0, deadline - now())), o.signal);
    delay = Math.min(delay * 2, 1000);
  }
  throw podNotReady(name, node, `it was still ${why} after ${o.timeoutMs} ms`);
}

function podNotReady(name: string, node: string, why: string): TcpcheckError {
  return new TcpcheckError(ErrorCode.KubePodNotReady, `The debug pod ${name} on node ${node} did not start: ${why}.`, {
    hint: 'Check that the node is Ready and can pull the debug image (kube.debugImage), or raise kube.podReadyTimeoutMs.',
    retryable: true,
  });
}

/**
 * Deletes the pod at once (grace period 0): it holds a privileged foothold on the node. Runs on
 * its own short deadline, because the caller's signal may be the one that already fired. A pod
 * that is already gone is fine.
 */
export async function deleteDebugPod(kc: KubeConfig, core: CoreV1Api, namespace: string, name: string, timeoutMs = 15_000): Promise<void> {
  try {
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, propagationPolicy: 'Background' } }, withSignal(AbortSignal.timeout(timeoutMs)));
  } catch (e) {
    if (httpStatusOf(e) === 404) return;
    throw kubeApiError(kc, `deleting debug pod ${namespace}/${name} (delete it by hand: kubectl -n ${namespace} delete pod ${name})`, e);
  }
}
