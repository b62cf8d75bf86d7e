/**
 * `kube-proxy-nodeport-trap`: kube-proxy in iptables/ipvs mode opens a socket on each NodePort only
 * to reserve the port, and never accepts on it (kubernetes/kubernetes#43212, #106713). Traffic to a
 * NodePort normally never reaches that socket: a DNAT rule sends it to a pod first. When the Service
 * has no endpoints there is no DNAT rule, the connection completes on kube-proxy's socket and waits
 * in its accept queue forever. Load-balancer health checks connect and close at once, so the queue
 * fills with CLOSE-WAIT that stays until kube-proxy restarts.
 */
import type { Finding, ListenerView, RuleId } from '../../domain/report.js';
import { socketsIn } from '../context.js';
import { isFull } from '../listeners.js';
import { holdsPortsOnly, readProxyMode } from '../proxy-mode.js';
import { finding, worstSeverity, type Rule, type Seen } from '../rule.js';
import { NODEPORT_RANGE } from '../thresholds.js';
import { describeOwner, listWords, plural, sortPorts } from '../words.js';
import { ownersOfListeners } from '../facts.js';

/** Symptoms this cause can explain, when every port they name is a trapped port. */
const SYMPTOMS: RuleId[] = [
  'accept-queue-full',
  'accept-queue-backlog',
  'syn-recv-stuck',
  'close-wait-leak',
  'close-wait-unaccepted',
  'close-wait-unread',
  'listen-overflow',
  'somaxconn-low',
];

/** A node name safe to print inside a suggested command; anything odd becomes a placeholder. */
function nodeArg(name: string | null): string {
  return name && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : 'NODE';
}

export const kubeProxyNodeportTrap: Rule = {
  id: 'kube-proxy-nodeport-trap',
  needs: SYMPTOMS,
  run(ctx, seen) {
    const trapped = ctx.listeners.filter((l) => {
      if (!l.process || !l.process.name.startsWith('kube-proxy') || l.acceptQueue === 0) return false;
      return holdsPortsOnly(readProxyMode(ctx.snapshot.processes[l.process.pid]?.cmdline ?? null));
    });
    if (trapped.length === 0) return [];
    const ports = sortPorts(trapped.map((l) => l.port));
    const owner = trapped[0]?.process ?? null;
    const mode = readProxyMode(owner ? (ctx.snapshot.processes[owner.pid]?.cmdline ?? null) : null);
    // Counted once per port: filtering every CLOSE-WAIT socket per trapped listener was quadratic.
    const closeWaitByPort = new Map<number, number>();
    for (const s of socketsIn(ctx, 'CLOSE-WAIT')) closeWaitByPort.set(s.localPort, (closeWaitByPort.get(s.localPort) ?? 0) + 1);
    const evidence = [`${describeOwner(owner ? [owner] : [])}: ${mode.source}`, ...trapped.map((l) => describePort(l, closeWaitByPort.get(l.port) ?? 0))];
    const outside = ports.filter((p) => p < NODEPORT_RANGE.min || p > NODEPORT_RANGE.max);
    if (outside.length > 0) evidence.push(`outside the default NodePort range ${NODEPORT_RANGE.min}-${NODEPORT_RANGE.max}: ${outside.join(', ')} (a custom --service-node-port-range?)`);

    const explains = SYMPTOMS.filter((rule) => isExplained(rule, seen, new Set(ports), trapped.some(isFull)));
    const severity = worstSeverity([trapped.some(isFull) ? 'critical' : 'warning', ...explains.flatMap((r) => seen.get(r).map((f) => f.severity))]) ?? 'warning';
    const portPattern = ports.join('|');
    const node = nodeArg(ctx.snapshot.meta.hostname ?? ctx.snapshot.meta.node);
    return [
      finding({
        rule: 'kube-proxy-nodeport-trap',
        severity,
        ports,
        title: `kube-proxy never accepts on ${plural(ports.length, 'NodePort')} (${listWords(ports.map(String))}): ${ports.length === 1 ? 'connections reach it because its Service has no endpoints, and fill the queue' : 'connections reach them because their Services have no endpoints, and fill the queues'}`,
        detail:
          `kube-proxy in ${mode.mode === 'unknown' ? 'iptables or ipvs' : mode.mode} mode opens a socket on each NodePort only to reserve the port and never accepts on it (kubernetes/kubernetes#43212, #106713). ` +
          'Traffic to a NodePort is normally DNATed to a pod before it reaches that socket; when the Service has no endpoints there is no DNAT rule, so connections complete on kube-proxy\'s socket and wait in its accept queue. ' +
          'Load-balancer health checks connect and close at once, so the queue fills with CLOSE-WAIT that stays until kube-proxy restarts; once full, new connections are dropped and handshakes hang in SYN-RECV. ' +
          'A CLOSE-WAIT count equal to the queue length is the tell. Raising somaxconn only treats the symptom.',
        evidence,
        recommendation:
          'Find the Service behind each port and give it endpoints (fix its selector or its failing pods), or stop sending traffic and health checks to that NodePort (remove it from the load balancer). Then restart kube-proxy on this node to clear the queues.',
        commands: [
          `kubectl get svc -A -o wide | grep -E ':(${portPattern})/'`,
          'kubectl get endpoints -n NAMESPACE SERVICE',
          `kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=${node}`,
          'systemctl restart kube-proxy',
        ],
        explains,
        facts: {
          owners: ownersOfListeners(trapped),
          proxyMode: mode.mode,
          counts: { closeWait: ports.reduce((sum, p) => sum + (closeWaitByPort.get(p) ?? 0), 0), fullQueues: trapped.filter(isFull).length },
        },
      }),
    ];
  },
};

function describePort(l: ListenerView, closeWait: number): string {
  const queue = `${l.port}: accept queue ${l.acceptQueue}/${l.backlog ?? '?'}${isFull(l) ? ' (full)' : ''}`;
  if (closeWait === 0) return queue;
  const tell = closeWait === l.acceptQueue ? ' = queue length: nothing is accepted' : '';
  return `${queue}, ${plural(closeWait, 'CLOSE-WAIT socket')} seen${tell}`;
}

/** A symptom is explained when it fired and every port it names is trapped (node-wide ones: when a trapped queue is full). */
function isExplained(rule: RuleId, seen: Seen, trapped: Set<number>, anyFull: boolean): boolean {
  const found: readonly Finding[] = seen.get(rule);
  if (found.length === 0) return false;
  const ports = found.flatMap((f) => f.ports);
  if (rule === 'listen-overflow') {
    const fullPorts = seen.get('accept-queue-full').flatMap((f) => f.ports);
    return anyFull && fullPorts.every((p) => trapped.has(p));
  }
  return ports.length > 0 && ports.every((p) => trapped.has(p));
}
