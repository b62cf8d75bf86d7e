/**
 * `kube-proxy-nodeport-trap`: kube-proxy in iptables/ipvs mode opens a socket on each NodePort only
 * to reserve the port, and never accepts on it (kubernetes/kubernetes#43212, #106713). Traffic to a
 * NodePort normally never reaches that socket: a DNAT rule sends it to a pod first. When the Service
 * has no endpoints there is no DNAT rule, the connection completes on kube-proxy's socket and waits
 * in its accept queue forever. Load-balancer health checks connect and close at once, so the queue
 * fills with CLOSE-WAIT that stays until kube-proxy restarts.
 *
 * With the cluster context read, the Service behind each port is named and the cause confirmed:
 * only ports whose Service has no ready endpoint (or that no Service owns) stay here; ports whose
 * Service has ready endpoints are `kube-proxy-rules-missing`, and `externalTrafficPolicy: Local`
 * ports without a local endpoint are `nodeport-local-policy`.
 */
import { socketsWhere } from '../context.js';
import { ownersOfListeners, topPeerFacts } from '../facts.js';
import { isFull } from '../listeners.js';
import { countCloseWait, describePort, healthCheckerLine, kubeArg, nodeArg, NODEPORT_SYMPTOMS, nodePortsJudged, proxyModeOf, serviceName, symptomExplained, trappedListeners, type ServiceFact } from '../nodeport-services.js';
import { healthCheckers } from '../peer-names.js';
import { finding, worstSeverity, type Rule } from '../rule.js';
import { NODEPORT_RANGE } from '../thresholds.js';
import { describeOwner, listWords, plural, sortPorts } from '../words.js';

export const kubeProxyNodeportTrap: Rule = {
  id: 'kube-proxy-nodeport-trap',
  needs: NODEPORT_SYMPTOMS,
  run(ctx, seen) {
    const judged = nodePortsJudged(ctx, ['no-endpoints', 'no-service']);
    const trapped = judged ? judged.listeners : trappedListeners(ctx);
    if (trapped.length === 0) return [];
    const services: ServiceFact[] | null = judged ? judged.facts : null;
    const ports = sortPorts(trapped.map((l) => l.port));
    const owner = trapped[0]?.process ?? null;
    const mode = proxyModeOf(ctx, trapped[0]);
    const closeWaitByPort = countCloseWait(ctx);
    const evidence = [`${describeOwner(owner ? [owner] : [])}: ${mode.source}`, ...trapped.map((l) => describePort(l, closeWaitByPort.get(l.port) ?? 0))];
    if (services) evidence.push(...services.map(describeService));
    const cluster = ctx.snapshot.cluster?.status === 'read' ? ctx.snapshot.cluster.context : null;
    const trappedPorts = new Set(ports);
    const closeWait = socketsWhere(ctx, 'CLOSE-WAIT', (s) => trappedPorts.has(s.localPort));
    const checkers = cluster ? healthCheckers(closeWait, trappedPorts, cluster) : [];
    if (checkers.length > 0) evidence.push(healthCheckerLine(checkers));
    const outside = ports.filter((p) => p < NODEPORT_RANGE.min || p > NODEPORT_RANGE.max);
    if (outside.length > 0) evidence.push(`outside the default NodePort range ${NODEPORT_RANGE.min}-${NODEPORT_RANGE.max}: ${outside.join(', ')} (a custom --service-node-port-range?)`);

    const anyFull = trapped.some(isFull);
    const explains = NODEPORT_SYMPTOMS.filter((rule) => symptomExplained(rule, seen, trappedPorts, anyFull));
    const severity = worstSeverity([anyFull ? 'critical' : 'warning', ...explains.flatMap((r) => seen.get(r).map((f) => f.severity))]) ?? 'warning';
    const portPattern = ports.join('|');
    const node = nodeArg(ctx.snapshot.meta.hostname ?? ctx.snapshot.meta.node);
    const lookup = services
      ? services.map((s) => (s.namespace === null ? `kubectl get svc -A -o wide | grep -E ':${s.port}/'` : `kubectl get endpointslices -n ${kubeArg(s.namespace, 'NAMESPACE')} -l kubernetes.io/service-name=${kubeArg(s.name, 'SERVICE')}`))
      : [`kubectl get svc -A -o wide | grep -E ':(${portPattern})/'`, 'kubectl get endpoints -n NAMESPACE SERVICE'];
    return [
      finding({
        rule: 'kube-proxy-nodeport-trap',
        severity,
        ports,
        title: services ? confirmedTitle(services) : `kube-proxy never accepts on ${plural(ports.length, 'NodePort')} (${listWords(ports.map(String))}): ${ports.length === 1 ? 'connections reach it because its Service has no endpoints, and fill the queue' : 'connections reach them because their Services have no endpoints, and fill the queues'}`,
        detail:
          `kube-proxy in ${mode.mode === 'unknown' ? 'iptables or ipvs' : mode.mode} mode opens a socket on each NodePort only to reserve the port and never accepts on it (kubernetes/kubernetes#43212, #106713). ` +
          'Traffic to a NodePort is normally DNATed to a pod before it reaches that socket; when the Service has no endpoints there is no DNAT rule, so connections complete on kube-proxy\'s socket and wait in its accept queue. ' +
          'Load-balancer health checks connect and close at once, so the queue fills with CLOSE-WAIT that stays until kube-proxy restarts; once full, new connections are dropped and handshakes hang in SYN-RECV. ' +
          (services ? 'The Kubernetes API confirms it: the Services above have no ready endpoint (or no Service has the port). ' : 'A CLOSE-WAIT count equal to the queue length is the tell. ') +
          'Raising somaxconn only treats the symptom.',
        evidence,
        recommendation:
          'Find the Service behind each port and give it endpoints (fix its selector or its failing pods), or stop sending traffic and health checks to that NodePort (remove it from the load balancer). Then restart kube-proxy on this node to clear the queues.',
        commands: [...lookup, `kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=${node}`, 'systemctl restart kube-proxy'],
        facts: {
          owners: ownersOfListeners(trapped),
          proxyMode: mode.mode,
          counts: { closeWait: ports.reduce((sum, p) => sum + (closeWaitByPort.get(p) ?? 0), 0), fullQueues: trapped.filter(isFull).length },
          peers: topPeerFacts(closeWait),
          ...(cluster ? { healthCheckers: checkers } : {}),
          confirmed: services !== null,
          ...(services ? { services } : {}),
        },
        explains,
      }),
    ];
  },
};

function confirmedTitle(services: ServiceFact[]): string {
  const named = services.map((s) => (s.verdict === 'no-service' ? `${s.port} (no Service has it)` : `${s.port} (${serviceName(s)}, 0 ready endpoints)`));
  return `kube-proxy never accepts on ${services.length === 1 ? 'NodePort' : 'NodePorts'} ${listWords(named)}: with no endpoint there is no DNAT rule, so connections land on its socket and fill the queue`;
}

function describeService(s: ServiceFact): string {
  if (s.verdict === 'no-service') return `${s.port}: no Service has this NodePort (deleted while kube-proxy still holds the port?)`;
  return `${s.port}: Service ${serviceName(s)} (${s.type ?? '?'}, externalTrafficPolicy ${s.externalTrafficPolicy ?? 'unset'}) has 0 ready endpoints`;
}
