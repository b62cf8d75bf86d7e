/**
 * Where a finished diagnosis goes. Every caller (CLI, Slack worker, sweeps) asks `diagnose()` for
 * a report and hands it to a sink; a new destination is one new sink, never a new pipeline.
 *
 * Sinks: stdout (src/deliver/stdout.ts), a Slack thread (src/deliver/slack-thread.ts).
 */
import type { Report } from '../domain/report.js';

/** A finished diagnosis as a sink receives it. */
export interface Delivery {
  report: Report;
  /** The node's raw outputs as text, when the sink keeps them (the Slack thread's file); null for none. */
  raw: string | null;
}

/** A diagnosis that could not be made, in words for the reader. */
export interface Failure {
  message: string;
  /** What to do next. */
  hint: string;
  /** True when another attempt follows by itself (the sink says so instead of giving up). */
  willRetry: boolean;
  /** 1-based attempt that failed. */
  attempt: number;
}

export interface Sink {
  deliver(delivery: Delivery): Promise<void>;
  fail(failure: Failure): Promise<void>;
}
