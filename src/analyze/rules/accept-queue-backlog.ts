/**
 * `accept-queue-backlog`: a listener with connections waiting in its accept queue but room left.
 * A queue that is non-empty in every sample is not keeping up (warning); a single non-empty sample
 * can be a burst (info).
 */
import { isFull, isPersistent } from '../listeners.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural, sortPorts } from '../words.js';
import { describeOwners, listenerEvidence } from './accept-queue-full.js';
import { ownersOfListeners } from '../facts.js';

export const acceptQueueBacklog: Rule = {
  id: 'accept-queue-backlog',
  needs: [],
  run(ctx) {
    const waiting = ctx.listeners.filter((l) => l.acceptQueue > 0 && !isFull(l));
    const stays = waiting.filter(isPersistent);
    const brief = waiting.filter((l) => !isPersistent(l));
    const out = [];
    if (stays.length > 0) {
      const ports = sortPorts(stays.map((l) => l.port));
      out.push(
        finding({
          rule: 'accept-queue-backlog',
          severity: 'warning',
          ports,
          title: `${plural(ports.length, 'accept queue')} backlogged in every sample on ${listWords(ports.map(String))}, owned by ${describeOwners(stays)}`,
          detail:
            'Connections wait in these accept queues and the queues did not drain between samples: the owner accepts slowly or not at all. ' +
            'They are not full yet; when they are, new connections are dropped.',
          evidence: stays.map(listenerEvidence),
          recommendation: 'Check whether the owner is accepting (a thread stuck, a worker pool exhausted, or a process that never accepts by design).',
          facts: { owners: ownersOfListeners(stays), counts: { backloggedQueues: stays.length } },
        }),
      );
    }
    if (brief.length > 0) {
      const ports = sortPorts(brief.map((l) => l.port));
      out.push(
        finding({
          rule: 'accept-queue-backlog',
          severity: 'info',
          ports,
          title: `${plural(ports.length, 'accept queue')} non-empty in one sample on ${listWords(ports.map(String))}`,
          detail: 'Connections were waiting to be accepted, but only one sample shows it: this may be a burst the owner absorbs. Sample again to tell.',
          evidence: brief.map(listenerEvidence),
          recommendation: 'Run tcpcheck again; if the queue stays non-empty it becomes a warning.',
          facts: { owners: ownersOfListeners(brief), counts: { backloggedQueues: brief.length } },
        }),
      );
    }
    return out;
  },
};
