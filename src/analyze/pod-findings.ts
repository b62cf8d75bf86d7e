/**
 * Findings inside pods: each pod network namespace's sockets go through the same socket rules as
 * the node's (full and backlogged accept queues, CLOSE-WAIT, SYN-RECV), and what they find is
 * labelled with the pod, so a CLOSE-WAIT leak inside `shop/neo-web-7d9f…` shows under that pod's
 * name with its owner process. A pod's findings never explain, nor are explained by, the node's.
 */
import type { PodNetns } from '../domain/snapshot.js';
import type { Finding } from '../domain/report.js';
import type { Snapshot, TcpState } from '../domain/snapshot.js';
import { buildContext } from './context.js';
import { runRules, type Rule } from './rule.js';
import { acceptQueueBacklog } from './rules/accept-queue-backlog.js';
import { acceptQueueFull } from './rules/accept-queue-full.js';
import { closeWaitLeak } from './rules/close-wait-leak.js';
import { closeWaitUnaccepted } from './rules/close-wait-unaccepted.js';
import { closeWaitUnread } from './rules/close-wait-unread.js';
import { synRecvStuck } from './rules/syn-recv-stuck.js';
import { linkCauses } from './verdict.js';

/** The rules that read only a socket listing; counters and sysctls are the node's, not the pod's. */
const POD_RULES: readonly Rule[] = [acceptQueueFull, acceptQueueBacklog, closeWaitLeak, closeWaitUnread, closeWaitUnaccepted, synRecvStuck];

/**
 * `namespace/name` of the pod with this UID: from the cluster context, else from the container
 * runtime's configs on the node (`pods.runtimeNames`), else `pod <UID>`.
 */
export function podName(podUid: string, snapshot: Pick<Snapshot, 'cluster' | 'pods'>): string {
  const cluster = snapshot.cluster;
  const pod = (cluster?.status === 'read' ? cluster.context.pods.find((p) => p.uid === podUid) : undefined) ?? snapshot.pods?.runtimeNames[podUid];
  return pod ? `${pod.namespace}/${pod.name}` : `pod ${podUid}`;
}

/** How a pod namespace is written: its pod, or the namespace and the process it was entered through when no pod UID was found. */
function podLabel(ns: PodNetns, snapshot: Snapshot): string {
  return ns.podUid !== null ? podName(ns.podUid, snapshot) : `network namespace ${ns.netns} (pid ${ns.pid})`;
}

/** A snapshot of one pod namespace: its sockets, nothing of the node's counters or sysctls. */
function podSnapshot(node: Snapshot, ns: PodNetns): Snapshot {
  const counts: Partial<Record<TcpState, number>> = {};
  for (const s of ns.sockets) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return {
    meta: node.meta,
    sockets: { sockets: ns.sockets, counts, countedOnly: [], coverage: { kind: 'partial' }, ownersKnown: node.sockets.ownersKnown },
    stateTotals: null,
    listenSamples: [{ atSec: 0, listeners: ns.sockets.filter((s) => s.state === 'LISTEN') }],
    counterSamples: [],
    sysctl: {},
    processes: node.processes,
    notes: [],
    parseIssues: [],
  };
}

/** Every pod namespace's findings, each titled and tagged (`facts.pod`, `facts.podUid`) with its pod. */
export function analyzePods(snapshot: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const ns of snapshot.pods?.netns ?? []) {
    if (ns.sockets.length === 0) continue;
    const found = runRules(buildContext(podSnapshot(snapshot, ns)), POD_RULES);
    linkCauses(found);
    const label = podLabel(ns, snapshot);
    for (const f of found) {
      out.push({
        ...f,
        title: `in ${ns.podUid !== null && !label.startsWith('pod ') ? `pod ${label}` : label}: ${f.title}`,
        // Commands run where the pod's sockets are: inside its network namespace.
        commands: f.commands.map((c) => (c.startsWith('ss ') ? `nsenter -t ${ns.pid} -n ${c}` : c)),
        facts: { ...f.facts, pod: label, podUid: ns.podUid, netns: ns.netns },
      });
    }
  }
  return out;
}
