/**
 * Where sweeps are kept between runs. One small interface, two implementations: Redis for the bot
 * and workers (`REDIS_URL`), a local directory for the CLI with no services
 * (`$XDG_STATE_HOME/tcpcheck`, `--history DIR`). Both keep whole sweep records and drop them once
 * older than the retention.
 */
import type { SweepRecord } from '../domain/sweep.js';

export interface HistoryStore {
  /** Saves a sweep; saving the same sweepId again replaces it (a retried digest saves once). */
  save(record: SweepRecord): Promise<void>;
  /** Sweeps that started at or after `since`, oldest first. */
  list(since: Date): Promise<SweepRecord[]>;
  /** Deletes sweeps that started before `before`; returns how many. */
  prune(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** The oldest start time the retention keeps at `now`. */
export function retentionStart(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * 24 * 3600 * 1000);
}

/** True for data that looks like a sweep record (the store's files and keys are not trusted blindly). */
export function isSweepRecord(value: unknown): value is SweepRecord {
  const r = value as Partial<SweepRecord> | null;
  return !!r && r.schemaVersion === 1 && typeof r.sweepId === 'string' && typeof r.startedAt === 'string' && typeof r.finishedAt === 'string' && Array.isArray(r.nodes);
}
