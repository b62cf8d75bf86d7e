/**
 * `listen-overflow`: TcpExtListenOverflows / TcpExtListenDrops. Each overflow is a SYN (or a
 * handshake's final ACK) dropped because a listener's accept queue was full; ListenDrops counts
 * those plus other drops at listeners, so it is never smaller.
 */
import { describeCounter, isRising } from '../counters.js';
import { finding, type Rule } from '../rule.js';
import { listWords, plural, rate } from '../words.js';

export const listenOverflow: Rule = {
  id: 'listen-overflow',
  needs: ['accept-queue-full'],
  run(ctx, seen) {
    const overflows = ctx.counters.TcpExtListenOverflows;
    const drops = ctx.counters.TcpExtListenDrops;
    const main = overflows ?? drops;
    const name = overflows ? 'listen overflows' : 'listen drops';
    if (!main || main.value === 0) return [];
    const rising = isRising(main);
    const evidence = [overflows && describeCounter('TcpExtListenOverflows', overflows), drops && describeCounter('TcpExtListenDrops', drops)].filter(
      (e): e is string => Boolean(e),
    );
    const uptime = ctx.snapshot.meta.uptimeSec;
    if (uptime && uptime > 0) evidence.push(`${rate(Math.round((main.value / uptime) * 10) / 10)}/s on average over ${describeUptime(uptime)} of uptime`);

    let title: string;
    if (main.delta === 0) title = `${main.value} ${name} since boot, none between samples`;
    else if (main.perSecond !== null && main.delta !== null) title = `${rate(main.perSecond)} ${name}/s (+${main.delta} between samples; ${main.value} since boot)`;
    else if (main.delta !== null) title = `${main.delta} ${name} between samples (${main.value} since boot)`;
    else title = `${main.value} ${name} since boot`;

    const fullPorts = seen.get('accept-queue-full').flatMap((f) => f.ports);
    const where = fullPorts.length > 0 ? ` The full accept queues on ${listWords(fullPorts.map(String))} are where they happen.` : '';
    const when = rising
      ? 'They are happening now: connection attempts are being dropped.'
      : main.delta === 0
        ? 'None happened between the samples: this is past trouble.'
        : 'With a single sample the count is since boot; it cannot say whether this is happening now.';
    return [
      finding({
        rule: 'listen-overflow',
        severity: rising ? 'warning' : 'info',
        ports: [],
        title,
        facts: { counts: { total: main.value, ...(main.delta === null ? {} : { delta: main.delta }), ...(main.perSecond === null ? {} : { perSecond: main.perSecond }) }, counter: overflows ? 'TcpExtListenOverflows' : 'TcpExtListenDrops' },
        detail: `Each overflow is a connection attempt dropped because an accept queue was full; the client retries after a timeout (1 s, 2 s, 4 s…), which users see as latency. ${when}${where}`,
        evidence,
        recommendation: 'Empty the full queues (see accept-queue-full and its cause). Watch the rate fall with `nstat -asz TcpExtListenOverflows`.',
        commands: ['nstat -asz TcpExtListenOverflows TcpExtListenDrops'],
      }),
    ];
  },
};

/** Uptime in the largest whole unit that is not zero: `3 days`, `5 hours`, `12 minutes`. */
function describeUptime(sec: number): string {
  if (sec >= 86_400) return plural(Math.round(sec / 86_400), 'day');
  if (sec >= 3600) return plural(Math.round(sec / 3600), 'hour');
  return plural(Math.max(1, Math.round(sec / 60)), 'minute');
}
