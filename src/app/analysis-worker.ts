/**
 * The body of the analysis thread (./analysis-thread.ts): parses and analyzes one bundle posted by
 * the parent and posts the snapshot and report back. Runs in a worker thread so that analysing a
 * huge or hostile output never holds the event loop that acks Slack.
 */
import { parentPort } from 'node:worker_threads';
import { analyze } from '../analyze/index.js';
import type { RawBundle } from '../domain/raw.js';
import { buildSnapshot } from '../parse/bundle.js';

parentPort!.once('message', (bundle: RawBundle) => {
  const snapshot = buildSnapshot(bundle);
  parentPort!.postMessage({ snapshot, report: analyze(snapshot) });
});
