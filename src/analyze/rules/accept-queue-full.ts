/**
 * `accept-queue-full`: a listener whose accept queue has no room (Recv-Q > Send-Q; the queue holds
 * backlog+1). The kernel turns new connections away until the owner accept()s.
 */
import type { ListenerView } from '../../domain/report.js';
import { describeFullQueueBehaviour } from '../kernel.js';
import { isFull } from '../listeners.js';
import { finding, type Rule } from '../rule.js';
import { describeOwner, endpoint, listWords, plural, sortPorts } from '../words.js';
import { ownersOfListeners } from '../facts.js';

/** One line of evidence per listener: what `ss -ltn` shows, with its samples and owner. */
export function listenerEvidence(l: ListenerView): string {
  const samples = l.acceptQueueSamples.length > 1 ? ` (samples ${l.acceptQueueSamples.join(' → ')})` : '';
  return `LISTEN ${endpoint(l.address, l.port)} Recv-Q ${l.acceptQueue} Send-Q ${l.backlog ?? '? (not printed)'}${samples}, owner ${l.process ? describeOwner([l.process]) : 'unknown'}`;
}

/** Distinct owners of some listeners, in words. */
export function describeOwners(listeners: readonly ListenerView[]): string {
  const names = [...new Set(listeners.map((l) => (l.process ? describeOwner([l.process]) : 'an unknown process')))];
  return listWords(names);
}

export const acceptQueueFull: Rule = {
  id: 'accept-queue-full',
  needs: [],
  run(ctx) {
    const full = ctx.listeners.filter(isFull);
    if (full.length === 0) return [];
    const ports = sortPorts(full.map((l) => l.port));
    const selector = ports.map((p) => `sport = :${p}`).join(' or ');
    return [
      finding({
        rule: 'accept-queue-full',
        severity: 'critical',
        ports,
        title: `${plural(ports.length, 'accept queue')} full on ${listWords(ports.map(String))}, owned by ${describeOwners(full)}`,
        detail:
          'An accept queue holds connections the kernel has completed and the application has not accept()ed yet; it takes backlog+1. ' +
          'These have no room left, so new connections to these ports are turned away until the owner accepts. ' +
          describeFullQueueBehaviour(ctx.snapshot.meta.kernel),
        evidence: full.map(listenerEvidence),
        recommendation:
          'Find out why the owner does not accept: an application that is stuck or overloaded, or a process that never accepts by design (see the cause above, if any). A larger backlog only delays the next fill.',
        commands: [`ss -ltnp '( ${selector} )'`],
        facts: { owners: ownersOfListeners(full), counts: { fullQueues: full.length } },
      }),
    ];
  },
};
