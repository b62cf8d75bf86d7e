/**
 * A transport carries the fixed collection plan to a node and brings back what it printed.
 * Implementations: local (this machine), ssh (ssh2), kube (exec into a pod).
 */
import type { Plan } from './plan.js';

export interface RunOptions {
  /** Aborts the run: the transport closes its connection and rejects with a `cancelled` error. */
  signal?: AbortSignal;
  /** Whole-run timeout (connect + command). */
  timeoutMs: number;
  /** Stop reading and fail with `output_too_large` past this many bytes of stdout. */
  maxOutputBytes: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status of the script; null when it was killed. */
  exitCode: number | null;
}

export interface Transport {
  /** `local`, `ssh`, `kube`. */
  readonly kind: string;
  /** What the user would call the target, for messages (e.g. `root@198.18.0.100:22`). */
  readonly target: string;
  run(plan: Plan, opts: RunOptions): Promise<RunResult>;
}
