/** What a transport brings back: the collection plan's output, split into sections. */

/** One command of the plan, as run on the node. */
export interface RawSection {
  /** Section name from the plan, e.g. `ss-all`, `counters-1`. */
  name: string;
  stdout: string;
  stderr: string;
  /** Exit status; null when the section never finished (output cut, connection lost). */
  exitCode: number | null;
}

/** Everything one collection produced: the unit `--save` writes and `analyze` reads. */
export interface RawBundle {
  /** The node as the user named it. */
  node: string;
  /** `local`, `ssh`, `kube`. */
  transport: string;
  /** ISO 8601 at the start of collection, from the caller's clock. */
  collectedAt: string;
  intervalSec: number;
  sections: RawSection[];
}
