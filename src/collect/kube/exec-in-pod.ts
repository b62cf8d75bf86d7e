/**
 * Runs one command in a pod through the exec subresource and brings back stdout, stderr and the
 * exit status, like `kubectl exec` without a terminal.
 *
 * The request and the channel semantics come from @kubernetes/client-node's `Exec`; the socket is
 * ours (its `WebSocketInterface`), for three reasons: a refused upgrade must surface the API
 * server's `Status` message (RBAC, pod gone) instead of "Unexpected server response: 403"; the
 * output is capped while it streams; and its default handler ends process.stdout on a CLOSE frame.
 *
 * Subprotocols offered: `v5.channel.k8s.io` and `v4.channel.k8s.io`. Both put a `metav1.Status`
 * on channel 3 when the command ends, the only place the exit code appears (Success, or Failure
 * with reason NonZeroExitCode and the code in details.causes[ExitCode]).
 */
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { connectionLost, ErrorCode, outputTooLarge, TcpcheckError } from '../../errors.js';
import type { RunResult } from '../transport.js';
import { HttpRefusal, kubeApiError } from './kube-client.js';
import { decodeOutput } from '../decode.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** argv; never joined into a shell string. */
  command: string[];
}

export interface ExecOptions {
  /** Aborting closes the socket; the promise rejects with `reason()`. */
  signal: AbortSignal;
  /** Called on abort for the error to reject with (timeout or cancel). */
  reason: () => TcpcheckError;
  maxOutputBytes: number;
  /** What the user calls the node, for messages. */
  target: string;
}

/** Client-node's `WebSocketInterface` (not exported, so matched structurally) on the `ws` package with the kubeconfig's TLS and auth applied. */
class ExecSocket {
  constructor(private readonly kc: KubeConfig) {}

  async connect(path: string, textHandler: ((text: string) => boolean) | null, binaryHandler: ((stream: number, buff: Buffer) => boolean) | null): Promise<WebSocket> {
    const server = this.kc.getCurrentCluster()!.server;
    const url = server.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
    const opts: WebSocket.ClientOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, PROTOCOLS, opts);
      let open = false;
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new HttpRefusal(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', () => reject(new HttpRefusal(res.statusCode ?? 0, '')));
      });
      ws.on('error', (e) => {
        if (!open) reject(e);
      });
      ws.on('open', () => {
        open = true;
        resolve(ws);
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          if (textHandler && !textHandler(data.toString('utf8'))) ws.close();
          return;
        }
        if (data.length === 0) return;
        // Servers never send CLOSE (255) for output channels, only clients for stdin; skip it.
        if (data[0] === 255) return;
        if (binaryHandler && !binaryHandler(data[0]!, data.subarray(1))) ws.close();
      });
    });
  }
}

/** The exit code in a v4 status: 0 on Success, the ExitCode cause on NonZeroExitCode, else null. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : null;
}

/** Runs `target.command` in the pod and resolves when the status arrives. */
export async function execInPod(kc: KubeConfig, t: ExecTarget, opts: ExecOptions): Promise<RunResult> {
  if (opts.signal.aborted) throw opts.reason();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  let errBytes = 0;
  let failure: TcpcheckError | null = null;
  let status: V1Status | null = null;
  let ws: WebSocket | null = null;

  const fail = (e: TcpcheckError) => {
    failure ??= e;
    ws?.terminate();
  };
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      outBytes += chunk.length;
      if (outBytes > opts.maxOutputBytes) fail(outputTooLarge(opts.target, opts.maxOutputBytes));
      else out.push(chunk);
      cb();
    },
  });
  const stderr = new Writable({
    write(chunk: Buffer, _enc, cb) {
      // stderr is for humans; keep the first MiB so a chatty failure cannot exhaust memory.
      if (errBytes < 1 << 20) err.push(chunk);
      errBytes += chunk.length;
      cb();
    },
  });

  const onAbort = () => fail(opts.reason());
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      ws = await new Exec(kc, new ExecSocket(kc)).exec(t.namespace, t.pod, t.container, t.command, stdout, stderr, null, false, (s) => {
        status = s;
      });
    } catch (e) {
      if (failure) throw failure;
      if (opts.signal.aborted) throw opts.reason();
      throw kubeApiError(kc, `exec into pod ${t.namespace}/${t.pod}`, e);
    }
    if (opts.signal.aborted) fail(opts.reason());
    const socket = ws;
    await new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      socket.once('close', () => resolve());
    });
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
  const final = status as V1Status | null;
  if (!final) throw connectionLost(opts.target, new Error(`the exec stream of pod ${t.namespace}/${t.pod} closed without an exit status`));
  const exitCode = exitCodeOf(final);
  if (exitCode === null && final.status !== 'Success') {
    throw new TcpcheckError(ErrorCode.CollectionFailed, `The command could not run in pod ${t.namespace}/${t.pod}: ${final.message ?? final.reason ?? 'unknown failure'}`, {
      hint: 'Check that the image has sh (and chroot for debug pods).',
    });
  }
  return { stdout: decodeOutput(Buffer.concat(out)), stderr: Buffer.concat(err).toString('utf8'), exitCode };
}
