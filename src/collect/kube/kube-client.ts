/**
 * Credentials and API-call plumbing shared by the Kubernetes transport and the node resolver:
 * loading a kubeconfig (file, in-cluster service account or the default chain), cancelling
 * requests with an AbortSignal, and turning client errors into coded tcpcheck errors.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { ApiException, KubeConfig, Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { configInvalid, ErrorCode, TcpcheckError } from '../../errors.js';
import { IN_CLUSTER_TOKEN } from './in-cluster.js';


export interface KubeCredentials {
  /** Path of a kubeconfig; `~/` is expanded. */
  kubeconfig?: string;
  /** Context to use instead of the file's current one. */
  context?: string;
}

/**
 * Loads credentials: the named kubeconfig, else the pod's service account when running in a
 * cluster, else $KUBECONFIG or ~/.kube/config (as kubectl does).
 */
export function loadKubeConfig(creds: KubeCredentials, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (creds.kubeconfig) {
      const path = creds.kubeconfig.replace(/^~(?=\/|$)/, homedir());
      if (!existsSync(path)) throw configInvalid(`kube.kubeconfig: no file at ${path}.`);
      kc.loadFromFile(path);
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
    if (creds.context) {
      if (!kc.getContextObject(creds.context)) throw configInvalid(`kube.context: the kubeconfig has no context "${creds.context}".`);
      kc.setCurrentContext(creds.context);
    }
  } catch (e) {
    if (e instanceof TcpcheckError) throw e;
    throw configInvalid(`Could not read the kubeconfig: ${(e as Error).message}`);
  }
  if (!kc.getCurrentCluster()) throw configInvalid('The kubeconfig names no cluster for its current context.');
  return kc;
}

/** The API server URL, for messages. */
export function apiServerOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? 'the Kubernetes API';
}

/**
 * Per-call options that make a request abortable: the generated client has no signal parameter,
 * but its RequestContext carries one to node-fetch, so a middleware sets it.
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** The `message` of a `metav1.Status` body, when the server sent one. */
export function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body) as unknown);
    } catch {
      return body.trim() || undefined;
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return undefined;
}

/** An HTTP error answer to a request the generated client did not make (the exec upgrade). */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(statusMessage(body) ?? `HTTP ${status}`);
  }
}

/** HTTP status of a failed API call, or undefined when no answer came back. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code as number;
  if (err instanceof HttpRefusal) return err.status;
  return undefined;
}

/** Maps a failed API call to a coded error that says what was being done and what to try. */
export function kubeApiError(kc: KubeConfig, doing: string, err: unknown): TcpcheckError {
  if (err instanceof TcpcheckError) return err;
  const server = apiServerOf(kc);
  const code = httpStatusOf(err);
  if (code !== undefined) {
    const detail = statusMessage((err as { body?: unknown }).body) ?? `HTTP ${code}`;
    if (code === 401) {
      return new TcpcheckError(ErrorCode.KubeApi, `The Kubernetes API at ${server} refused the credentials while ${doing} (401 Unauthorized).`, {
        hint: 'Check the token or client certificate in the kubeconfig, or the service account of the tcpcheck pod.',
        cause: err,
      });
    }
    if (code === 403) {
      return new TcpcheckError(ErrorCode.KubeApi, `The Kubernetes API forbade ${doing}: ${detail}`, {
        hint: 'Apply deploy/rbac.yaml and the role of your kube.mode (deploy/rbac/daemonset.yaml or deploy/rbac/debug-pod.yaml), bound to the identity tcpcheck uses.',
        cause: err,
      });
    }
    return new TcpcheckError(ErrorCode.KubeApi, `The Kubernetes API at ${server} failed while ${doing} (HTTP ${code}): ${detail}`, {
      hint: 'Check the API server and the tcpcheck namespace; try again.',
      retryable: code >= 500 || code === 429,
      cause: err,
    });
  }
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const why = e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
  return new TcpcheckError(ErrorCode.KubeApi, `Could not reach the Kubernetes API at ${server} while ${doing}: ${why}.`, {
    hint: 'Check that the API server is up and reachable from here, and the server URL in the kubeconfig.',
    retryable: true,
    cause: err,
  });
}
