/**
 * The body of the analysis thread (./analysis-thread.ts): parses and analyzes one bundle posted by
 * the parent and posts the snapshot and report back. Runs in a worker thread so that analysing a
 * huge or hostile output never holds the event loop that acks Slack.
 */
import { parentPort } from 'node:worker_threads';
import { analyze } from '../analyze/index.js';
import type { ClusterView } from '../domain/cluster.js';
import type { RawBundle } from '../domain/raw.js';
import { buildSnapshot } from '../parse/bundle.js';

parentPort!.once('message', ({ bundle, cluster }: { bundle: RawBundle; cluster?: ClusterView }) => {
  const snapshot = buildSnapshot(bundle);
  // The cluster context read beside the node's plan meets it here, as in diagnose() on the main thread.
  if (cluster) snapshot.cluster = cluster;
  parentPort!.postMessage({ snapshot, report: analyze(snapshot) });
});
