/**
 * `close-wait-unaccepted`: CLOSE-WAIT sockets no process holds, while owners are visible. A
 * connection that completes its handshake waits in the listener's accept queue; if the client
 * closes before anyone accept()s it, it turns CLOSE-WAIT there and stays until accepted or the
 * listener closes. This tells "the application never accepts" from "it accepts and never closes".
 */
import { groupByPort, listenersOn, ownersVisible, socketsWhere } from '../context.js';
import { finding, type Rule } from '../rule.js';
import { describeOwner, listWords, plural, sortPorts } from '../words.js';
import { ownersOfListeners, topPeerFacts } from '../facts.js';

export const closeWaitUnaccepted: Rule = {
  id: 'close-wait-unaccepted',
  needs: [],
  run(ctx) {
    if (!ownersVisible(ctx)) return [];
    const orphans = socketsWhere(ctx, 'CLOSE-WAIT', (s) => s.processes.length === 0);
    if (orphans.length === 0) return [];
    const groups = groupByPort(orphans);
    let wholeQueue = 0;
    const evidence = groups.map(([port, list]) => {
      const listener = listenersOn(ctx, port)[0];
      if (!listener) return `${port}: ${plural(list.length, 'CLOSE-WAIT socket')} with no owner and no listener seen`;
      const queue = listenersOn(ctx, port).reduce((sum, l) => sum + l.acceptQueue, 0);
      const tell = list.length === queue ? ' — the whole queue is CLOSE-WAIT: nothing is being accepted' : '';
      if (tell) wholeQueue += 1;
      return `${port}: ${plural(list.length, 'CLOSE-WAIT socket')} with no owner; accept queue ${queue} of ${describeOwner(listener.process ? [listener.process] : [])}${tell}`;
    });
    const ports = sortPorts(groups.map(([p]) => p));
    return [
      finding({
        rule: 'close-wait-unaccepted',
        severity: 'warning',
        ports,
        title: `${plural(orphans.length, 'CLOSE-WAIT socket')} on ${listWords(ports.map(String))} were never accepted`,
        detail:
          'No process holds these sockets, although owners were collected: they completed the handshake, waited in the listener\'s accept queue, and their clients closed before anyone accepted them. ' +
          'The listener does not accept (or not fast enough); this is not an application that forgets to close.' +
          (wholeQueue > 0 ? ` On ${plural(wholeQueue, 'port')} the CLOSE-WAIT count equals the queue length: nothing there is ever accepted.` : ''),
        evidence,
        facts: {
          owners: ownersOfListeners(ports.flatMap((p) => listenersOn(ctx, p))),
          peers: topPeerFacts(orphans),
          counts: { closeWait: orphans.length, wholeQueuePorts: wholeQueue },
        },
        recommendation: 'Look at why the listener\'s owner does not accept (see the cause above, if any). The sockets clear when it accepts them or closes the listener.',
      }),
    ];
  },
};
