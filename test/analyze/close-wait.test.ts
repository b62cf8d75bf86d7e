import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { SnapshotBuilder } from '../helpers/snapshot-builder.js';

const APP = { name: 'java', pid: 700, fd: 9 };
const rules = (r: ReturnType<typeof analyze>, id: string) => r.findings.filter((f) => f.rule === id);

describe('CLOSE-WAIT rules', () => {
  describe('when the application accepts and never closes', () => {
    const report = analyze(
      new SnapshotBuilder()
        .listener(8080, 0, { owner: APP, samples: [0] })
        .socket('CLOSE-WAIT', 8080, '198.18.0.7', { count: 11, recvQ: 1, owner: APP })
        .socket('CLOSE-WAIT', 8080, '198.18.0.8', { recvQ: 517, owner: APP })
        .build(),
    );

    it('reports the leak per port with the owner and the top peers', () => {
      const [leak] = rules(report, 'close-wait-leak');
      expect(leak).toMatchObject({ severity: 'warning', ports: [8080], title: '12 CLOSE-WAIT, most on 8080 (12)' });
      expect(leak?.evidence).toEqual(['8080: 12 CLOSE-WAIT sockets, 12 held by java (pid 700), from 198.18.0.7 (11), 198.18.0.8 (1)']);
      expect(leak?.detail).toContain('accepted and never closed');
    });

    it('counts unread bytes without the FIN byte, and leaves lone FINs out', () => {
      const [unread] = rules(report, 'close-wait-unread');
      expect(unread?.title).toBe('1 CLOSE-WAIT socket on 8080 hold 516 unread bytes');
      expect(unread?.detail).toContain('accepted these connections but stopped reading');
      expect(report.peers).toEqual([
        { localPort: 8080, ip: '198.18.0.7', state: 'CLOSE-WAIT', count: 11, unreadBytes: 0, maxRecvQ: 1 },
        { localPort: 8080, ip: '198.18.0.8', state: 'CLOSE-WAIT', count: 1, unreadBytes: 516, maxRecvQ: 517 },
      ]);
    });

    it('does not call owned sockets unaccepted', () => {
      expect(rules(report, 'close-wait-unaccepted')).toEqual([]);
    });
  });

  describe('when nothing accepts', () => {
    const build = (ownersKnown: boolean, uid = 0) => analyzeWithOwners(ownersKnown, uid);

    it('says the sockets were never accepted, and that the whole queue is CLOSE-WAIT', () => {
      const [f] = rules(build(true), 'close-wait-unaccepted');
      expect(f?.ports).toEqual([8080]);
      expect(f?.evidence).toEqual(['8080: 3 CLOSE-WAIT sockets with no owner; accept queue 3 of java (pid 700) — the whole queue is CLOSE-WAIT: nothing is being accepted']);
    });

    it.each([
      ['owners were not collected', false, 0],
      ['the collection ran as non-root', true, 1000],
    ])('draws no conclusion when %s', (_why, known, uid) => {
      const report = build(known, uid);
      expect(rules(report, 'close-wait-unaccepted')).toEqual([]);
      expect(rules(report, 'close-wait-leak')[0]?.evidence[0]).toContain('3 owner not collected');
    });
  });

  it('reports a tally-only CLOSE-WAIT count without ports', () => {
    const report = analyze(new SnapshotBuilder().with({ stateTotals: { 'CLOSE-WAIT': 577, ESTAB: 16 } }).build());
    const [leak] = rules(report, 'close-wait-leak');
    expect(leak).toMatchObject({ severity: 'warning', ports: [], title: '577 CLOSE-WAIT' });
    expect(leak?.evidence).toEqual(['577 CLOSE-WAIT on the node; the listings show 0, so the ports are unknown']);
  });
});

function analyzeWithOwners(ownersKnown: boolean, uid: number) {
  const snap = new SnapshotBuilder()
    .meta({ uid })
    .listener(8080, 3, { owner: APP, samples: [3] })
    .socket('CLOSE-WAIT', 8080, '198.18.0.7', { count: 3, recvQ: 1 })
    .build();
  snap.sockets.ownersKnown = ownersKnown;
  return analyze(snap);
}

describe('close-wait-unread on a connection this node opened', () => {
  const report = analyze(
    new SnapshotBuilder()
      .listener(8080, 0, { owner: APP, samples: [0] })
      .socket('CLOSE-WAIT', 45123, '198.18.0.9', { recvQ: 2049, owner: APP, peerPort: 443 })
      .build(),
  );

  it('says the process opened it, not that it accepted it', () => {
    const [unread] = rules(report, 'close-wait-unread');
    expect(unread?.title).toBe('1 CLOSE-WAIT socket on 1 outgoing connection hold 2048 unread bytes');
    expect(unread?.detail).toContain('connections this node opened');
    expect(unread?.detail).not.toContain('accepted');
    expect(unread?.evidence).toEqual(['outgoing to :443: 1 socket, 2048 bytes unread; largest Recv-Q 2049 from 198.18.0.9:443']);
    expect(unread?.ports).toEqual([]);
  });
});
