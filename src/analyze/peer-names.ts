/**
 * Names peer IPs from the cluster context: a pod (`namespace/name`), a node, or a Service's
 * ClusterIP (`namespace/name`). IPs that match none stay IPs: in a VPC they are often the load
 * balancer's health checkers, which connect and close at once.
 */
import type { ClusterContext } from '../domain/cluster.js';
import type { PeerKind, PeerView } from '../domain/report.js';
import type { Socket } from '../domain/snapshot.js';
import { unreadBytes } from './peers.js';
import { collate } from '../domain/order.js';

export interface PeerName {
  name: string | null;
  kind: PeerKind;
}

/** IP → who it is. Pods on the host network share their node's IP and are named as the node. */
export function indexPeerNames(cluster: ClusterContext): Map<string, PeerName> {
  const names = new Map<string, PeerName>();
  const add = (ip: string, name: string, kind: PeerKind) => {
    if (!names.has(ip)) names.set(ip, { name, kind });
  };
  for (const p of cluster.pods) if (!p.hostNetwork) for (const ip of p.podIPs) add(ip, `${p.namespace}/${p.name}`, 'pod');
  for (const n of cluster.nodes) for (const a of n.addresses) add(a, n.name, 'node');
  for (const s of cluster.services) for (const ip of s.clusterIPs) add(ip, `${s.namespace}/${s.name}`, 'service');
  return names;
}

/** The views with `name` and `kind` set; unknown IPs get `name: null, kind: 'unknown'`. */
export function namePeers(views: readonly PeerView[], cluster: ClusterContext): PeerView[] {
  const names = indexPeerNames(cluster);
  return views.map((v) => ({ ...v, ...(names.get(v.ip) ?? { name: null, kind: 'unknown' as const }) }));
}

/**
 * CLOSE-WAIT peers on these ports that the cluster does not know and that only ever connect and
 * close at once (no unread data): the pattern of a load balancer's health checks. Most sockets first.
 */
export function healthCheckers(closeWait: readonly Socket[], ports: ReadonlySet<number>, cluster: ClusterContext): string[] {
  const byIp = new Map<string, { count: number; unread: number }>();
  for (const s of closeWait) {
    if (!ports.has(s.localPort)) continue;
    const p = byIp.get(s.peerAddress) ?? { count: 0, unread: 0 };
    p.count += 1;
    p.unread += unreadBytes(s);
    byIp.set(s.peerAddress, p);
  }
  const names = indexPeerNames(cluster);
  return [...byIp.entries()]
    .filter(([ip, p]) => !names.has(ip) && p.unread === 0)
    .sort((a, b) => b[1].count - a[1].count || collate(a[0], b[0]))
    .map(([ip]) => ip);
}
