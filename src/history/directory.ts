/**
 * The history in a local directory, for the CLI with no services: one JSON file per sweep, named
 * by its start time so a listing is in time order. Written to a temporary file and renamed, so a
 * crash mid-write leaves the old state, never half a record (rename(2) is atomic within a file
 * system). Files that do not parse are skipped, never fatal: the next sweep still runs.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SweepRecord } from '../domain/sweep.js';
import { isSweepRecord, type HistoryStore } from './store.js';

/** `$XDG_STATE_HOME/tcpcheck`, else `~/.local/state/tcpcheck` (XDG Base Directory spec's default). */
export function defaultHistoryDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local/state');
  return join(base, 'tcpcheck');
}

/** A file name from the start time and id; both are ours, but the id is reduced to safe characters anyway. */
function fileName(record: Pick<SweepRecord, 'startedAt' | 'sweepId'>): string {
  return `sweep-${record.startedAt.replace(/[^0-9TZ]/g, '')}-${record.sweepId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
}

export class DirectoryHistory implements HistoryStore {
  constructor(readonly dir: string) {}

  async save(record: SweepRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, fileName(record));
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, file);
  }

  private async read(): Promise<Array<{ file: string; record: SweepRecord }>> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const out: Array<{ file: string; record: SweepRecord }> = [];
    for (const name of names.filter((n) => /^sweep-.*\.json$/.test(n)).sort()) {
      try {
        const record: unknown = JSON.parse(await readFile(join(this.dir, name), 'utf8'));
        if (isSweepRecord(record)) out.push({ file: join(this.dir, name), record });
      } catch {
        // A damaged file is one lost sweep in the history, not a failed sweep now.
      }
    }
    return out.sort((a, b) => (a.record.startedAt < b.record.startedAt ? -1 : a.record.startedAt > b.record.startedAt ? 1 : 0));
  }

  async list(since: Date): Promise<SweepRecord[]> {
    const from = since.toISOString();
    return (await this.read()).filter((e) => e.record.startedAt >= from).map((e) => e.record);
  }

  async prune(before: Date): Promise<number> {
    const cut = before.toISOString();
    const old = (await this.read()).filter((e) => e.record.startedAt < cut);
    await Promise.all(old.map((e) => rm(e.file, { force: true })));
    return old.length;
  }

  async close(): Promise<void> {}
}
