/**
 * The exec subresource over WebSocket, as kube-apiserver/kubelet speak it
 * (k8s.io/apimachinery/pkg/util/httpstream/wsstream): every binary message starts with a channel
 * byte, 0 stdin, 1 stdout, 2 stderr, 3 error (status), 4 resize. `v4.channel.k8s.io` puts a
 * `metav1.Status` JSON on channel 3; `v5.channel.k8s.io` adds the client's CLOSE signal
 * (255, channel) to half-close stdin; `channel.k8s.io` (v1) puts a plain-text error there.
 * The server never sends CLOSE: it writes the status and closes the socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { runSession, type ExecRequest } from './exec-session.js';
import type { Json } from './objects.js';

/** In the server's order of preference; the first one the client offers wins (as in wsstream). */
export const WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface WsExecHooks {
  /** Called once the session runs; returns a function to call with the exit code when it ends. */
  started(req: ExecRequest, protocol: string): (exitCode: number | null) => void;
}

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => {
    for (const p of offered) if ((WS_PROTOCOLS as readonly string[]).includes(p)) return p;
    return false;
  },
});

/** True when the client offered at least one protocol this server speaks (or none at all: v1 then). */
export function offersKnownProtocol(req: IncomingMessage): boolean {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return true;
  return header.split(',').some((p) => (WS_PROTOCOLS as readonly string[]).includes(p.trim()));
}

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** Upgrades the request and runs the exec session over the socket. */
export function handleWsExec(httpReq: IncomingMessage, socket: Duplex, head: Buffer, netns: string, pod: Json, req: ExecRequest, hooks: WsExecHooks): void {
  wss.handleUpgrade(httpReq, socket, head, (ws: WebSocket) => {
    const protocol = ws.protocol || 'channel.k8s.io';
    const isV4 = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    const ended = hooks.started(req, protocol);
    let finished = false;
    const session = runSession(netns, pod, req, {
      stdout: (c) => ws.send(frame(STDOUT, c)),
      stderr: (c) => ws.send(frame(STDERR, c)),
      finish: ({ v4, text }) => {
        finished = true;
        if (isV4) ws.send(frame(ERROR, JSON.stringify(v4)));
        else if (text) ws.send(frame(ERROR, text));
        ws.close(1000);
      },
    });
    void session.done.then((code) => ended(finished ? code : null));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      if (channel === STDIN) session.writeStdin(data.subarray(1));
      else if (channel === CLOSE && protocol === 'v5.channel.k8s.io' && data[1] === STDIN) session.endStdin();
      else if (channel === RESIZE) return;
    });
    ws.on('close', () => {
      if (!finished) session.abort();
    });
  });
}
