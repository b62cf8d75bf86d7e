/**
 * One exec session, independent of the wire (WebSocket or SPDY): runs the command in the node's
 * network namespace and reports output and the final status the way the kubelet does.
 */
import { mapHostPaths, startExec } from './run-exec.js';
import type { Json } from './objects.js';

/** What a wire adapter must offer the session. */
export interface ExecWire {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** The final status; `v4` is the `metav1.Status` JSON, `text` the v1 plain-text error ('' on success). */
  finish(status: { exitCode: number; v4: Json; text: string }): void;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The v4 status the kubelet writes on the error channel (k8s.io/client-go/tools/remotecommand). */
export function execStatus(command: string[], exitCode: number): { v4: Json; text: string } {
  if (exitCode === 0) return { v4: { metadata: {}, status: 'Success' }, text: '' };
  const message = `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`;
  return {
    v4: { metadata: {}, status: 'Failure', message, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } },
    text: message,
  };
}

export interface RunningSession {
  writeStdin(chunk: Buffer): void;
  endStdin(): void;
  /** The client went away: kill the command. */
  abort(): void;
  /** Resolves with the exit code once the status was handed to the wire. */
  done: Promise<number>;
}

/** Starts the command for `req` in `netns` and streams it to `wire`. */
export function runSession(netns: string, pod: Json, req: ExecRequest, wire: ExecWire): RunningSession {
  const argv = mapHostPaths(pod, req.container, req.command);
  const proc = startExec(netns, argv);
  proc.child.stdout.on('data', (c: Buffer) => req.stdout && wire.stdout(c));
  proc.child.stderr.on('data', (c: Buffer) => (req.stderr ? wire.stderr(c) : undefined));
  proc.child.stdin.on('error', () => undefined);
  if (!req.stdin) proc.child.stdin.end();
  let killed = false;
  const done = proc.done.then(({ code, spawnError }) => {
    // A killed command reports 137 like a container runtime does (128 + SIGKILL).
    const exitCode = spawnError ? 126 : code ?? 137;
    if (!killed) wire.finish({ exitCode, ...execStatus(req.command, exitCode) });
    return exitCode;
  });
  return {
    writeStdin: (chunk) => {
      if (req.stdin && !proc.child.stdin.writableEnded) proc.child.stdin.write(chunk);
    },
    endStdin: () => {
      if (!proc.child.stdin.writableEnded) proc.child.stdin.end();
    },
    abort: () => {
      killed = true;
      try {
        if (proc.child.pid !== undefined) process.kill(-proc.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
    done,
  };
}
