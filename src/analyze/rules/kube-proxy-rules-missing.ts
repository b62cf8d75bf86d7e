/**
 * `kube-proxy-rules-missing`: connections complete on kube-proxy's NodePort socket although the
 * Kubernetes API says the Service has ready endpoints. In iptables/ipvs mode a NodePort with
 * endpoints is DNATed to a pod before any socket sees it (kubernetes/kubernetes#43212), so a
 * connection on kube-proxy's socket means this node's DNAT rules for the port are absent or stale:
 * kube-proxy is not syncing its rules (stuck, crash-looping, or its iptables lock held).
 */
import { isFull } from '../listeners.js';
import { countCloseWait, describePort, healthCheckerLine, kubeArg, nodeArg, NODEPORT_SYMPTOMS, nodePortsJudged, proxyModeOf, serviceName, symptomExplained } from '../nodeport-services.js';
import { socketsWhere } from '../context.js';
import { ownersOfListeners, topPeerFacts } from '../facts.js';
import { healthCheckers } from '../peer-names.js';
import { finding, worstSeverity, type Rule } from '../rule.js';
import { describeOwner, listWords, plural, sortPorts } from '../words.js';

export const kubeProxyRulesMissing: Rule = {
  id: 'kube-proxy-rules-missing',
  needs: NODEPORT_SYMPTOMS,
  run(ctx, seen) {
    const judged = nodePortsJudged(ctx, ['rules-missing']);
    if (!judged || judged.listeners.length === 0) return [];
    const { listeners, facts: services } = judged;
    const ports = sortPorts(listeners.map((l) => l.port));
    const portSet = new Set(ports);
    const owner = listeners[0]?.process ?? null;
    const mode = proxyModeOf(ctx, listeners[0]);
    const closeWait = countCloseWait(ctx);
    const anyFull = listeners.some(isFull);
    const explains = NODEPORT_SYMPTOMS.filter((rule) => symptomExplained(rule, seen, portSet, anyFull));
    const severity = worstSeverity([anyFull ? 'critical' : 'warning', ...explains.flatMap((r) => seen.get(r).map((f) => f.severity))]) ?? 'warning';
    const closeWaitHere = socketsWhere(ctx, 'CLOSE-WAIT', (s) => portSet.has(s.localPort));
    const checkers = ctx.snapshot.cluster?.status === 'read' ? healthCheckers(closeWaitHere, portSet, ctx.snapshot.cluster.context) : [];
    const node = nodeArg(ctx.snapshot.meta.hostname ?? ctx.snapshot.meta.node);
    const grep = mode.mode === 'ipvs' ? `ipvsadm -Ln | grep -E ':(${ports.join('|')})\\b'` : `iptables-save -t nat | grep -E -- '--dport (${ports.join('|')})\\b'`;
    return [
      finding({
        rule: 'kube-proxy-rules-missing',
        severity,
        ports,
        title: `connections land on kube-proxy's socket on ${ports.length === 1 ? 'NodePort' : 'NodePorts'} ${listWords(services.map((s) => `${s.port} (${serviceName(s)}, ${plural(s.readyEndpoints, 'ready endpoint')})`))}: this node's DNAT rules for ${ports.length === 1 ? 'it' : 'them'} are missing or stale`,
        detail:
          `The Kubernetes API says ${ports.length === 1 ? 'this Service has' : 'these Services have'} ready endpoints, so kube-proxy in ${mode.mode === 'unknown' ? 'iptables or ipvs' : mode.mode} mode should DNAT ${ports.length === 1 ? 'the port' : 'the ports'} to a pod before any socket sees the traffic. ` +
          'Connections completing on kube-proxy\'s own socket (which it never accepts on, kubernetes/kubernetes#43212) mean the rules on this node are absent or stale: kube-proxy is not syncing. ' +
          'Its queue fills with CLOSE-WAIT exactly as for a Service without endpoints, but giving the Service endpoints will not help here.',
        evidence: [`${describeOwner(owner ? [owner] : [])}: ${mode.source}`, ...listeners.map((l) => describePort(l, closeWait.get(l.port) ?? 0)), ...services.map((s) => `${s.port}: Service ${serviceName(s)} (${s.type ?? '?'}) has ${plural(s.readyEndpoints, 'ready endpoint')}`), ...(checkers.length > 0 ? [healthCheckerLine(checkers)] : [])],
        recommendation:
          "Look at kube-proxy on this node: its logs (sync errors, iptables lock contention), its sync metrics (kubeproxy_sync_proxy_rules_last_timestamp_seconds should be recent), and whether the NAT rules for the port exist. Restarting kube-proxy resyncs the rules and clears the queue.",
        commands: [
          grep,
          `kubectl -n kube-system logs -l k8s-app=kube-proxy --tail=200 --prefix | grep -i -E 'error|fail|sync'`,
          "curl -s http://127.0.0.1:10249/metrics | grep -E '^kubeproxy_sync_proxy_rules_(last_timestamp_seconds|duration_seconds_count)'",
          ...services.map((s) => `kubectl get endpointslices -n ${kubeArg(s.namespace, 'NAMESPACE')} -l kubernetes.io/service-name=${kubeArg(s.name, 'SERVICE')} -o wide`),
          `kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=${node}`,
        ],
        facts: {
          owners: ownersOfListeners(listeners),
          proxyMode: mode.mode,
          counts: { closeWait: ports.reduce((sum, p) => sum + (closeWait.get(p) ?? 0), 0), fullQueues: listeners.filter(isFull).length },
          peers: topPeerFacts(closeWaitHere),
          healthCheckers: checkers,
          confirmed: true,
          source: 'cluster',
          services,
        },
        explains,
      }),
    ];
  },
};
