/**
 * Runs the plan on a Kubernetes node through the API server, in one of two ways (kube.mode):
 *
 * - `daemonset`: exec `sh -c <plan> tcpcheck <interval>` in the tcpcheck agent pod on that node
 *   (deploy/daemonset.yaml: hostNetwork + hostPID, so `ss` sees the node's sockets and owners).
 * - `debug-pod`: create a privileged pod pinned to the node like `kubectl debug node/NAME`, wait
 *   for it to run, exec `chroot /host sh -c <plan> tcpcheck <interval>`, and delete it, always:
 *   after success, failure, timeout and cancellation.
 *
 * The script travels as one argv element of the exec request; nothing is interpolated into a
 * shell string, and the only argument is the validated interval.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { cancelled, commandTimeout, inputInvalid, nodeNotFound, TcpcheckError } from '../../errors.js';
import type { KubeSettings } from '../../config/kube-schema.js';
import { PLAN_ARG, type Plan } from '../plan.js';
import type { RunOptions, RunResult, Transport } from '../transport.js';
import { findAgentPod } from '../kube/agent-pod.js';
import { buildDebugPod, debugPodName, deleteDebugPod, waitForRunning } from '../kube/debug-pod.js';
import { execInPod } from '../kube/exec-in-pod.js';
import { apiServerOf, httpStatusOf, kubeApiError, loadKubeConfig, withSignal } from '../kube/kube-client.js';

export { lookupNodeAddress } from '../kube/node-address.js';

/** A Kubernetes node name: a DNS-1123 subdomain. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface KubeTransportOptions {
  /** The node as Kubernetes names it. */
  node: string;
  /** The validated `kube:` config section. */
  settings: KubeSettings;
  /** Credentials already loaded; by default they are loaded from `settings`. */
  kubeConfig?: KubeConfig;
}

export class KubeTransport implements Transport {
  readonly kind = 'kube';
  readonly target: string;
  private readonly node: string;
  private readonly settings: KubeSettings;
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;

  constructor(opts: KubeTransportOptions) {
    if (!NODE_NAME.test(opts.node)) throw inputInvalid(`"${opts.node}" is not a Kubernetes node name.`);
    this.node = opts.node;
    this.settings = opts.settings;
    this.kc = opts.kubeConfig ?? loadKubeConfig(opts.settings);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.target = `node/${opts.node} via ${apiServerOf(this.kc)}`;
  }

  async run(plan: Plan, opts: RunOptions): Promise<RunResult> {
    if (!plan.args.every((a) => PLAN_ARG.test(a))) throw inputInvalid('The collection plan takes only name=hex arguments.');
    if (opts.signal?.aborted) throw cancelled(this.target);
    const ctl = new AbortController();
    let why: TcpcheckError | null = null;
    const stop = (e: TcpcheckError) => {
      if (why) return;
      why = e;
      ctl.abort();
    };
    const reason = () => why ?? cancelled(this.target);
    const deadline = Date.now() + opts.timeoutMs;
    const timer = setTimeout(() => stop(commandTimeout(this.target, opts.timeoutMs)), opts.timeoutMs);
    const onAbort = () => stop(cancelled(this.target));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.checkNode(ctl.signal, reason);
      const script = ['sh', '-c', plan.script, 'tcpcheck', ...plan.args];
      const exec = { signal: ctl.signal, reason, maxOutputBytes: opts.maxOutputBytes, target: this.target };
      const { namespace, container } = this.settings;
      if (this.settings.mode === 'daemonset') {
        const pod = await findAgentPod(this.kc, this.core, this.node, this.settings, ctl.signal).catch((e: unknown) => {
          throw ctl.signal.aborted ? reason() : e;
        });
        return await execInPod(this.kc, { namespace, pod, container, command: script }, exec);
      }
      return await this.runInDebugPod(['chroot', '/host', ...script], exec, deadline);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Fails with `node_not_found` before anything is created for a node the cluster does not know. */
  private async checkNode(signal: AbortSignal, reason: () => TcpcheckError): Promise<void> {
    try {
      await this.core.readNode({ name: this.node }, withSignal(signal));
    } catch (e) {
      if (signal.aborted) throw reason();
      if (httpStatusOf(e) === 404) throw nodeNotFound(this.node);
      throw kubeApiError(this.kc, `looking up node ${this.node}`, e);
    }
  }

  private async runInDebugPod(command: string[], exec: Parameters<typeof execInPod>[2], deadline: number): Promise<RunResult> {
    const { namespace, container, debugImage } = this.settings;
    const name = debugPodName(this.node);
    let mayExist = false;
    let result: RunResult | undefined;
    let failure: unknown;
    try {
      try {
        mayExist = true;
        await this.core.createNamespacedPod({ namespace, body: buildDebugPod(this.node, name, { namespace, container, image: debugImage }) }, withSignal(exec.signal));
      } catch (e) {
        // An HTTP answer means the pod was not created (409: the name is someone else's pod).
        if (httpStatusOf(e) !== undefined) mayExist = false;
        throw exec.signal.aborted ? exec.reason() : kubeApiError(this.kc, `creating debug pod ${namespace}/${name}`, e);
      }
      const timeoutMs = Math.max(0, Math.min(this.settings.podReadyTimeoutMs, deadline - Date.now()));
      await waitForRunning(this.kc, this.core, namespace, name, this.node, { signal: exec.signal, reason: exec.reason, timeoutMs });
      result = await execInPod(this.kc, { namespace, pod: name, container, command }, exec);
    } catch (e) {
      failure = e;
    }
    if (mayExist) {
      try {
        await deleteDebugPod(this.kc, this.core, namespace, name);
      } catch (e) {
        const note = (e as Error).message;
        if (failure instanceof TcpcheckError) {
          throw new TcpcheckError(failure.code, `${failure.message} Also: ${note}`, { hint: failure.hint, retryable: failure.retryable, cause: failure });
        }
        if (failure === undefined && result) return { ...result, stderr: `${result.stderr}tcpcheck: ${note}\n` };
      }
    }
    if (failure !== undefined) throw failure;
    return result!;
  }
}
