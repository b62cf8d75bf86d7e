/**
 * `owner-never-accepts`: the owner of a listener made no accept()/accept4() call during the deep
 * probe's window while its accept queue held connections. strace -c counts every syscall of every
 * thread (-f), so an absent row is proof, not a sample. This turns "slow to accept" into "never
 * accepts"; for kube-proxy it confirms the NodePort trap from its own behaviour
 * (kubernetes/kubernetes#43212: it only reserves NodePorts).
 */
import type { Finding, RuleId } from '../../domain/report.js';
import { isFull } from '../listeners.js';
import { acceptCalls, ownerName, probedListeners, threadStates, waitShares, waitSites } from '../owner-probe.js';
import { finding, type Rule } from '../rule.js';
import { describeTally, endpoint, listWords, plural, sortPorts } from '../words.js';

/** Standard findings that a listener nobody accepts on produces. */
export const NEVER_ACCEPTING_SYMPTOMS: readonly RuleId[] = [
  'accept-queue-full', 'accept-queue-backlog', 'listen-overflow', 'syn-recv-stuck', 'close-wait-unaccepted',
  'capture-handshake-retransmits', 'capture-fin-unanswered',
];

export const ownerNeverAccepts: Rule = {
  id: 'owner-never-accepts',
  needs: [...NEVER_ACCEPTING_SYMPTOMS.filter((r) => !r.startsWith('capture-')), 'capture-handshake-retransmits', 'capture-fin-unanswered'],
  run(ctx, seen) {
    const out: Finding[] = [];
    for (const owner of ctx.snapshot.deep?.owners ?? []) {
      if (!owner.syscalls || acceptCalls(owner.syscalls) > 0) continue;
      const listeners = probedListeners(ctx, owner).filter((l) => l.acceptQueueSamples.some((q) => q > 0) || l.acceptQueue > 0);
      if (listeners.length === 0) continue;
      const ports = sortPorts(listeners.map((l) => l.port));
      const name = ownerName(ctx, owner.pid);
      const full = listeners.some(isFull);
      const waits = waitShares(owner.syscalls);
      const sites = waitSites(owner.threads);
      const waitPercent = Math.round(waits.reduce((n, r) => n + r.percent, 0) * 100) / 100;
      const explains = NEVER_ACCEPTING_SYMPTOMS.filter((rule) => seen.get(rule).some((f) => f.ports.length === 0 || f.ports.some((p) => ports.includes(p))));
      const window = ctx.snapshot.deep?.windowSec;
      out.push(
        finding({
          rule: 'owner-never-accepts',
          severity: full ? 'critical' : 'warning',
          ports,
          title: `${name} (pid ${owner.pid}) never called accept on ${listWords(ports.map(String))}${window ? ` in ${window} s` : ''} while its queue held connections`,
          detail:
            `strace counted every syscall of ${owner.threads.length > 0 ? `its ${plural(owner.threads.length, 'thread')}` : 'all its threads'} and found no accept or accept4, while ${plural(listeners.length, 'listener')} of this process had connections waiting. ` +
            'The application does not accept at all: it is not slow, it never takes these connections, so the queue stays full and every symptom below follows. ' +
            (waits.length > 0 ? `Its time goes to waiting: ${waits.slice(0, 3).map((r) => `${r.name} ${r.percent}%`).join(', ')}. ` : '') +
            (name === 'kube-proxy' ? 'kube-proxy only holds NodePorts open to reserve them; traffic that reaches the socket means the NodePort\'s iptables/IPVS rule is missing (kubernetes/kubernetes#43212).' : ''),
          evidence: [
            ...listeners.map((l) => `LISTEN ${endpoint(l.address, l.port)} Recv-Q ${l.acceptQueue} Send-Q ${l.backlog}`),
            `strace -c -f -p ${owner.pid}: 0 accept/accept4 calls of ${owner.syscalls.reduce((n, r) => n + r.calls, 0)} syscalls`,
            ...owner.syscalls.slice(0, 3).map((r) => `  ${r.percent.toFixed(2)}% ${r.seconds}s ${r.calls} calls ${r.name}`),
            ...(sites.length > 0 ? [`${plural(owner.threads.length, 'thread')} wait in ${describeTally(sites, 4)}`] : []),
          ],
          recommendation:
            name === 'kube-proxy'
              ? 'Find the Service behind this NodePort and why its rule is missing (no ready endpoints, externalTrafficPolicy=Local on a node without pods); point the load balancer\'s health check at a node that serves it.'
              : 'Find out why the application stopped accepting (a dead accept loop, a lock its acceptor waits on: see the stacks); restart it to drain the queue.',
          commands: [`cat /proc/${owner.pid}/task/*/stack`, `strace -c -f -p ${owner.pid}`],
          explains,
          facts: {
            owners: [{ name, pid: owner.pid }],
            counts: { acceptCalls: 0, waitPercent, threads: owner.threads.length, ...Object.fromEntries(waits.map((r) => [`${r.name}Percent`, r.percent])) },
            waitSites: Object.fromEntries(sites),
            threadStates: threadStates(owner.threads),
            confirmed: true,
            source: 'strace',
          },
        }),
      );
    }
    return out;
  },
};
