/**
 * `somaxconn-low`: net.core.somaxconn caps every listen() backlog. It matters only when queues
 * are actually full: then a low cap makes bursts overflow sooner. When the owner never accepts,
 * raising it only lets the queue hold more dead connections before it fills again.
 */
import { listenersOn, sysctlInt } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { SOMAXCONN_LOW } from '../thresholds.js';
import { listWords, plural } from '../words.js';

export const somaxconnLow: Rule = {
  id: 'somaxconn-low',
  needs: ['accept-queue-full'],
  run(ctx, seen) {
    const somaxconn = sysctlInt(ctx, 'net.core.somaxconn');
    if (somaxconn === null || somaxconn > SOMAXCONN_LOW) return [];
    const fullPorts = seen.get('accept-queue-full').flatMap((f) => f.ports);
    const capped = fullPorts.filter((port) => listenersOn(ctx, port).some((l) => l.backlog === somaxconn));
    if (capped.length === 0) return [];
    return [
      finding({
        rule: 'somaxconn-low',
        severity: 'warning',
        ports: capped,
        facts: { counts: { somaxconn } },
        title: `net.core.somaxconn = ${somaxconn} caps the full ${plural(capped.length, 'accept queue')} (${listWords(capped.map(String))}) at ${somaxconn + 1}`,
        detail:
          `Every listen() backlog is cut to somaxconn (${somaxconn}; the kernel default before 5.4 was 128, since then 4096), and these full queues sit exactly at that cap. ` +
          'A larger cap absorbs bursts when the application accepts but falls behind. It is a symptom treatment: when nothing accepts, a larger queue only takes longer to fill and holds more dead connections.',
        evidence: [`net.core.somaxconn = ${somaxconn}`, ...capped.map((p) => `${p}: backlog ${listenersOn(ctx, p)[0]?.backlog ?? '?'}`)],
        recommendation:
          'Fix why the queue fills first. If the owner does accept and only bursts overflow, raise net.core.somaxconn (e.g. 4096) and the application\'s own listen backlog, then restart it so listen() is called again.',
      }),
    ];
  },
};
