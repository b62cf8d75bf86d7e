/**
 * The exec subresource over SPDY/3.1, the only exec wire kubectl spoke before 1.29 (Debian 12
 * ships kubectl 1.20): `POST .../exec` with `Upgrade: SPDY/3.1` and one or more
 * `X-Stream-Protocol-Version` headers; after `101 Switching Protocols` the client opens one SPDY
 * stream per channel with a `streamtype` header (error, stdin, stdout, stderr, resize), the server
 * answers each with SYN_REPLY, writes output as DATA frames, the status on the error stream
 * (v4: `metav1.Status` JSON; v1-v3: plain text, only on failure) and FINs every stream
 * (k8s.io/kubelet/pkg/cri/streaming/remotecommand, moby/spdystream).
 *
 * Frame layouts (spdy-protocol-draft3): control frames `1|version(15) type(16) flags(8) length(24)`,
 * data frames `0|stream-id(31) flags(8) length(24)`. Header blocks are zlib streams with one
 * compression context per direction: incoming ones are inflated with the SPDY/3 dictionary;
 * outgoing ones are written as stored (uncompressed) deflate blocks, valid zlib that any inflater
 * reads without the dictionary.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { constants, inflateSync } from 'node:zlib';
import { runSession, type ExecRequest, type RunningSession } from './exec-session.js';
import type { Json } from './objects.js';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const FLAG_FIN = 1;
const MAX_DATA = 0xff_ffff;

/** Picks the protocol: the first one the client lists that this server speaks (httpstream.Handshake). */
export function negotiateSpdyProtocol(req: IncomingMessage): string | null {
  const offered = req.headersDistinct['x-stream-protocol-version'] ?? [];
  for (const p of offered.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if ((SPDY_PROTOCOLS as readonly string[]).includes(p)) return p;
  }
  return null;
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(body.length, 4);
  h[4] = flags;
  return Buffer.concat([h, body]);
}

function dataFrames(streamId: number, data: Buffer, fin: boolean): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  do {
    const chunk = data.subarray(off, off + MAX_DATA);
    off += chunk.length;
    const h = Buffer.alloc(8);
    h.writeUInt32BE(streamId & 0x7fff_ffff, 0);
    h.writeUInt32BE(chunk.length, 4);
    h[4] = fin && off >= data.length ? FLAG_FIN : 0;
    out.push(h, chunk);
  } while (off < data.length);
  return out;
}

/** Parses a decompressed name/value block: u32 count, then u32-length-prefixed names and values. */
function parseHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let off = 0;
  const n = block.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nl).toString('latin1');
    off += 4 + nl;
    const vl = block.readUInt32BE(off);
    headers[name] = block.subarray(off + 4, off + 4 + vl).toString('latin1');
    off += 4 + vl;
  }
  return headers;
}

export interface SpdyExecHooks {
  started(req: ExecRequest, protocol: string): (exitCode: number | null) => void;
  /** A protocol violation by the client: the double records it so a test fails loudly. */
  violation(message: string): void;
}

/** Answers the upgrade and serves one exec session on the raw socket. */
export function handleSpdyExec(socket: Duplex, head: Buffer, protocol: string, netns: string, pod: Json, req: ExecRequest, hooks: SpdyExecHooks): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);

  const isV4 = protocol === 'v4.channel.k8s.io';
  // Channels the kubelet waits for before it runs the command.
  const expected = new Set<string>(['error']);
  if (req.stdin) expected.add('stdin');
  if (req.stdout) expected.add('stdout');
  if (req.stderr && !req.tty) expected.add('stderr');
  if (req.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io') expected.add('resize');

  const streams = new Map<string, number>();
  const stdinStream = { id: -1 };
  let compressedIn = Buffer.alloc(0);
  let inflatedLen = 0;
  let replyHeaderStarted = false;
  let buf = head.length ? Buffer.from(head) : Buffer.alloc(0);
  let session: RunningSession | null = null;
  let finished = false;
  let closed = false;

  const send = (...parts: Buffer[]) => {
    if (!closed) socket.write(Buffer.concat(parts));
  };

  /**
   * An empty header block as a stored deflate block, then an empty stored block as zlib's
   * Z_SYNC_FLUSH writes it: Go's inflater hands out a stored block's bytes only when it meets the
   * next block, so without the marker the reader would run into the frame's end. The first
   * block carries the zlib header.
   */
  const emptyHeaderBlock = (): Buffer => {
    const block = Buffer.from([0, 0, 0, 0]);
    const stored = Buffer.concat([Buffer.from([0x00, block.length, 0x00, ~block.length & 0xff, 0xff]), block, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
    const out = replyHeaderStarted ? stored : Buffer.concat([Buffer.from([0x78, 0x01]), stored]);
    replyHeaderStarted = true;
    return out;
  };

  const inflateHeaders = (chunk: Buffer): Record<string, string> => {
    compressedIn = Buffer.concat([compressedIn, chunk]);
    const all = inflateSync(compressedIn, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const block = all.subarray(inflatedLen);
    inflatedLen = all.length;
    return parseHeaderBlock(block);
  };

  const start = () => {
    const ended = hooks.started(req, protocol);
    const out = streams.get('stdout');
    const err = streams.get('stderr');
    const errorStream = streams.get('error')!;
    session = runSession(netns, pod, req, {
      stdout: (c) => out !== undefined && send(...dataFrames(out, c, false)),
      stderr: (c) => err !== undefined && send(...dataFrames(err, c, false)),
      finish: ({ v4, text }) => {
        finished = true;
        const status = isV4 ? JSON.stringify(v4) : text;
        if (status) send(...dataFrames(errorStream, Buffer.from(status, 'utf8'), false));
        for (const id of streams.values()) send(...dataFrames(id, Buffer.alloc(0), true));
      },
    });
    void session.done.then((code) => ended(finished ? code : null));
  };

  const onFrame = (frame: Buffer) => {
    if (frame[0]! & 0x80) {
      const version = frame.readUInt16BE(0) & 0x7fff;
      const type = frame.readUInt16BE(2);
      if (version !== 3) return hooks.violation(`SPDY version ${version}`);
      if (type === TYPE_SYN_STREAM) {
        const id = frame.readUInt32BE(8) & 0x7fff_ffff;
        const headers = inflateHeaders(frame.subarray(18));
        const kind = headers.streamtype;
        if (!kind || !expected.has(kind) || streams.has(kind)) return hooks.violation(`unexpected stream ${JSON.stringify(headers)}`);
        streams.set(kind, id);
        if (kind === 'stdin') stdinStream.id = id;
        const body = Buffer.concat([Buffer.alloc(4), emptyHeaderBlock()]);
        body.writeUInt32BE(id, 0);
        send(controlFrame(TYPE_SYN_REPLY, 0, body));
        if (streams.size === expected.size) start();
      } else if (type === TYPE_PING) {
        send(frame);
      } else if (type === TYPE_GOAWAY || type === TYPE_RST_STREAM) {
        if (!finished) session?.abort();
      }
      // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do for a short exec.
      return;
    }
    const id = frame.readUInt32BE(0) & 0x7fff_ffff;
    if (id === stdinStream.id) {
      if (frame.length > 8) session?.writeStdin(frame.subarray(8));
      if (frame[4]! & FLAG_FIN) session?.endStdin();
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4) & MAX_DATA;
      if (buf.length < 8 + len) break;
      const frame = buf.subarray(0, 8 + len);
      buf = buf.subarray(8 + len);
      try {
        onFrame(frame);
      } catch (e) {
        hooks.violation(`bad SPDY frame: ${(e as Error).message}`);
        socket.destroy();
        return;
      }
    }
  });
  const gone = () => {
    closed = true;
    if (!finished) (session as RunningSession | null)?.abort();
  };
  socket.on('close', gone);
  socket.on('error', gone);
}
