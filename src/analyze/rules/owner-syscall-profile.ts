/** `owner-syscall-profile` (info): where each probed owner's time went during the window, top syscalls by time. */
import type { Finding } from '../../domain/report.js';
import { acceptCalls, ownerName, threadStates, waitSites } from '../owner-probe.js';
import { finding, type Rule } from '../rule.js';
import { describeTally, plural } from '../words.js';

const TOP = 5;

export const ownerSyscallProfile: Rule = {
  id: 'owner-syscall-profile',
  needs: [],
  run(ctx) {
    const out: Finding[] = [];
    for (const owner of ctx.snapshot.deep?.owners ?? []) {
      if (!owner.syscalls && owner.threads.length === 0) continue;
      const name = ownerName(ctx, owner.pid);
      const rows = owner.syscalls ?? [];
      const top = rows.slice(0, TOP);
      const sites = waitSites(owner.threads);
      out.push(
        finding({
          rule: 'owner-syscall-profile',
          severity: 'info',
          title: rows.length > 0
            ? `${name} (pid ${owner.pid}) spent its time in ${top.slice(0, 3).map((r) => `${r.name} ${r.percent}%`).join(', ')}`
            : `${name} (pid ${owner.pid}): ${plural(owner.threads.length, 'thread')}, no syscall profile`,
          detail: 'The owner\'s syscalls over the probe window (strace -c -f) and where its threads wait in the kernel at mid-window.',
          evidence: [
            ...top.map((r) => `${r.percent.toFixed(2)}% ${r.seconds}s ${r.calls} calls${r.errors ? ` ${r.errors} errors` : ''} ${r.name}`),
            ...(sites.length > 0 ? [`${plural(owner.threads.length, 'thread')} wait in ${describeTally(sites, 4)}`] : []),
          ],
          recommendation: 'Nothing to do on its own; it backs the findings above.',
          facts: {
            owners: [{ name, pid: owner.pid }],
            counts: { syscalls: rows.reduce((n, r) => n + r.calls, 0), acceptCalls: acceptCalls(rows), threads: owner.threads.length },
            syscalls: top.map((r) => ({ name: r.name, percent: r.percent, seconds: r.seconds, calls: r.calls, errors: r.errors })),
            threadStates: threadStates(owner.threads),
            source: 'strace',
          },
        }),
      );
    }
    return out;
  },
};
