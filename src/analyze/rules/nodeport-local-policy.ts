/**
 * `nodeport-local-policy`: a NodePort whose Service has `externalTrafficPolicy: Local` and no ready
 * endpoint on this node. Such a node is meant to fail the load balancer's health checks (kube-proxy
 * answers them on the Service's healthCheckNodePort with 503) so that traffic goes only to nodes
 * with a local endpoint: what lands here is expected, so this is said rather than alarmed about.
 */
import { NODEPORT_SYMPTOMS, nodePortsJudged, serviceName, symptomExplained } from '../nodeport-services.js';
import { finding, type Rule } from '../rule.js';
import { isFull } from '../listeners.js';
import { listWords, plural, sortPorts } from '../words.js';

export const nodeportLocalPolicy: Rule = {
  id: 'nodeport-local-policy',
  needs: NODEPORT_SYMPTOMS,
  run(ctx, seen) {
    const judged = nodePortsJudged(ctx, ['local-policy']);
    if (!judged || judged.listeners.length === 0) return [];
    const { listeners, facts: services } = judged;
    const ports = sortPorts(listeners.map((l) => l.port));
    return [
      finding({
        rule: 'nodeport-local-policy',
        severity: 'info',
        ports,
        title: `${ports.length === 1 ? 'NodePort' : 'NodePorts'} ${listWords(services.map((s) => `${s.port} (${serviceName(s)})`))}: externalTrafficPolicy Local and no endpoint on this node, so health checks here are meant to fail`,
        detail:
          'With externalTrafficPolicy: Local a node forwards external traffic only to endpoints on itself, and reports itself unhealthy to the load balancer when it has none, so the load balancer sends traffic elsewhere. ' +
          "Connections reaching kube-proxy's socket on this node are expected (health checks, or a load balancer not yet updated); the queue they leave is a side effect, not an outage.",
        evidence: services.map((s) => `${s.port}: Service ${serviceName(s)} has ${plural(s.readyEndpoints, 'ready endpoint')}, none on this node`),
        recommendation: 'Nothing to fix on this node if the load balancer marks it unhealthy. If the queue itself is a concern, restrict the load balancer to nodes running the Service\'s pods.',
        facts: { confirmed: true, source: 'cluster', services },
        explains: NODEPORT_SYMPTOMS.filter((rule) => symptomExplained(rule, seen, new Set(ports), listeners.some(isFull))),
      }),
    ];
  },
};
