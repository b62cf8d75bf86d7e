/**
 * Parses and analyzes a bundle in a worker thread. The bot and the worker share one process in
 * `serve`: analysis is linear and bounded, but a 1M-socket table still takes a second of CPU, and
 * Slack gives an ack 3 s. Off the main thread, a command never waits for someone else's analysis.
 */
import { Worker } from 'node:worker_threads';
import type { ClusterView } from '../domain/cluster.js';
import type { RawBundle } from '../domain/raw.js';
import type { Report } from '../domain/report.js';
import type { Snapshot } from '../domain/snapshot.js';

/** Under tsx (development, tests) the thread loads the TypeScript source through tsx; built, the JavaScript. */
const source = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(source ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url);

/** Parses `bundle` and analyzes it, with the cluster context when one was read, in a worker thread. */
export function analyzeInThread(bundle: RawBundle, cluster?: ClusterView): Promise<{ snapshot: Snapshot; report: Report }> {
  return new Promise((resolve, reject) => {
    // From source, the thread registers tsx's loader itself before it loads the TypeScript body.
    const worker = source
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`, { eval: true })
      : new Worker(WORKER_URL);
    let settled = false;
    worker.once('message', (result: { snapshot: Snapshot; report: Report }) => {
      settled = true;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the analysis thread exited with code ${code} before answering`));
    });
    worker.postMessage({ bundle, cluster });
  });
}
