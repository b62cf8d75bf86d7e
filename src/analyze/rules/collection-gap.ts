/**
 * `collection-gap`: what the collection or the parsers could not read, so a reader knows which
 * conclusions rest on partial data. Always info: a gap is not a fault of the node.
 */
import type { ClusterView } from '../../domain/cluster.js';
import type { Finding } from '../../domain/report.js';
import { tableSize } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural } from '../words.js';

/** Sources that are socket listings (bundle sections and transcript blocks), or output of no known kind. */
const LISTING_SOURCE = /(?:^|[:\s])(?:ss|ss-all|ss-owned|ss-listen2|netstat|proc-net-tcp|unrecognised)(?:$|\s)/;

export const collectionGap: Rule = {
  id: 'collection-gap',
  needs: [],
  run(ctx) {
    const snap = ctx.snapshot;
    // Broken framing is not a gap: output-tampered reports it.
    const out: Finding[] = snap.notes.filter((note) => !note.tampered).map((note) =>
      finding({
        rule: 'collection-gap',
        severity: 'info',
        title: note.message,
        facts: { source: note.source },
        detail: `From ${note.source}. Findings that need this data are missing or rest on what could be read.`,
        evidence: [`${note.source}: ${note.message}`],
        recommendation: 'Run tcpcheck as root on a node with iproute2 (ss) for a complete picture.',
      }),
    );
    out.push(...clusterGaps(snap.cluster));
    const skipped = snap.parseIssues.filter((i) => i.skipped > 0);
    if (skipped.length > 0) {
      const total = skipped.reduce((sum, i) => sum + i.skipped, 0);
      // A socket listing read in part can hide the very listener that is full: never "healthy" then.
      const listing = skipped.some((i) => LISTING_SOURCE.test(i.source));
      out.push(
        finding({
          rule: 'collection-gap',
          severity: listing ? 'warning' : 'info',
          facts: { source: 'parse', counts: Object.fromEntries(skipped.map((i) => [i.source, i.skipped])) },
          title: `${plural(total, 'line')} could not be read in ${listWords(skipped.map((i) => i.source))}`,
          detail: listing
            ? 'Lines of a socket listing matched no known format and were skipped: the sockets on them are missing from this report, so it cannot say the node is healthy.'
            : 'These lines matched no known format and were skipped; the rest was analyzed.',
          evidence: skipped.flatMap((i) => [`${i.source}: ${i.skipped} skipped`, ...i.examples.slice(0, 2).map((e) => `  e.g. ${e}`)]),
          recommendation: 'If a listing you expected is missing from the report, check it is printed in a format `ss`, `netstat` or `sysctl` produce.',
        }),
      );
    }
    const coverage = snap.sockets.coverage;
    if (coverage.kind !== 'full' && tableSize(snap) > 0) {
      out.push(
        finding({
          rule: 'collection-gap',
          severity: 'info',
          facts: { source: 'coverage', ...(coverage.kind === 'ports' ? { ports: coverage.ports } : {}) },
          title:
            coverage.kind === 'ports'
              ? `socket listings cover only ${plural(coverage.ports.length, 'port')}: ${listWords(coverage.ports.map(String))}`
              : 'the socket listing is partial',
          detail: 'Per-port findings (CLOSE-WAIT, SYN-RECV, peers) are about these ports only; other ports may have the same trouble unseen.',
          recommendation: 'Collect the full table (`ss -tanp`) to see every port.',
        }),
      );
    }
    if (snap.counterSamples.length === 1) {
      out.push(
        finding({
          rule: 'collection-gap',
          severity: 'info',
          facts: { source: 'counters' },
          title: 'one counter sample: totals since boot, no rates',
          detail: 'Kernel counters were read once, so the report cannot tell past trouble from trouble happening now.',
          recommendation: 'Collect with tcpcheck check, which reads the counters twice (--interval seconds apart).',
        }),
      );
    }
    return out;
  },
};

/** What the Kubernetes API would not give: the whole cluster context, or single resources of it. */
function clusterGaps(cluster: ClusterView | undefined): Finding[] {
  if (!cluster) return [];
  if (cluster.status === 'unread') {
    return [
      finding({
        rule: 'collection-gap',
        severity: 'info',
        title: `cluster context not read: ${cluster.reason}`,
        detail: `The Kubernetes API did not give ${listWords(cluster.resources)}, so NodePort findings are not confirmed against their Services and peers are not named. The node's own data is complete.`,
        evidence: cluster.resources.map((r) => `${r}: not read`),
        recommendation: 'Check that the API server is reachable from tcpcheck and that deploy/rbac.yaml is applied to its identity (list services, endpointslices, pods, nodes; get the kube-system/kube-proxy ConfigMap).',
        facts: { source: 'cluster', confirmed: false, resources: cluster.resources },
      }),
    ];
  }
  return cluster.context.gaps.map((gap) =>
    finding({
      rule: 'collection-gap',
      severity: 'info',
      title: `cluster context: ${gap.resource} not read`,
      detail: `${gap.reason}. ${gap.resource === 'pods' || gap.resource === 'nodes' ? 'Peers that are pods or nodes stay unnamed.' : 'kube-proxy\'s mode comes from its command line instead.'}`,
      evidence: [`${gap.resource}: ${gap.reason}`],
      recommendation: 'Apply deploy/rbac.yaml to the identity tcpcheck uses.',
      facts: { source: 'cluster', resources: [gap.resource] },
    }),
  );
}
