import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { renderSlackThread } from '../../src/render/slack-blocks.js';
import { KUBE_PROXY, SnapshotBuilder } from '../helpers/snapshot-builder.js';

/** A small sick node: one kube-proxy NodePort full of health-check CLOSE-WAIT. */
const sick = analyze(
  new SnapshotBuilder()
    .meta({ node: 'web-1', hostname: 'web-1', kernel: '5.15.0-105-generic' })
    .process(1515, 'kube-proxy', 'kube-proxy --proxy-mode=ipvs')
    .listener(31493, 4, { owner: KUBE_PROXY, sendQ: 3, samples: [4] })
    .listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } })
    .socket('CLOSE-WAIT', 31493, '198.18.0.7', { count: 4, recvQ: 1 })
    .counters({ TcpExtListenOverflows: 10 }, 0)
    .counters({ TcpExtListenOverflows: 60 }, 5)
    .build(),
);
const healthy = analyze(new SnapshotBuilder().listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } }).build());

describe('renderText', () => {
  it('renders a healthy node in a few lines', () => {
    expect(renderText(healthy, { color: false })).toMatchInlineSnapshot(`
      "tcpcheck  node node-a · kernel unknown · at 2024-05-01T10:00:00.000Z · from test
      OK  healthy: 1 listener, no full or stuck queues

      Flagged ports: 0 of 1 listeners

      States  LISTEN 1

      exit 0 (healthy)
      "
    `);
  });

  it('renders the cause in full and its symptoms in short', () => {
    expect(renderText(sick, { color: false })).toMatchInlineSnapshot(`
      "tcpcheck  node web-1 · kernel 5.15.0-105-generic · at 2024-05-01T10:00:00.000Z · from test
      CRITICAL  1 accept queue full (kube-proxy NodePorts), 10 listen overflows/s
      Cause: kube-proxy never accepts on 1 NodePort (31493): connections reach it because its Service has no endpoints, and fill the queue

      Findings

      CRITICAL kube-proxy-nodeport-trap · ports 31493
        kube-proxy never accepts on 1 NodePort (31493): connections reach it because its Service has no endpoints, and fill the queue
        kube-proxy in ipvs mode opens a socket on each NodePort only to reserve the port and never accepts on it (kubernetes/kubernetes#43212, #106713). Traffic to a NodePort is normally DNATed to a pod before it reaches that socket; when the Service has no endpoints there is no DNAT rule, so connections complete on kube-proxy's socket and wait in its accept queue. Load-balancer health checks connect and close at once, so the queue fills with CLOSE-WAIT that stays until kube-proxy restarts; once full, new connections are dropped and handshakes hang in SYN-RECV. A CLOSE-WAIT count equal to the queue length is the tell. Raising somaxconn only treats the symptom.
        Evidence:
          kube-proxy (pid 1515): --proxy-mode=ipvs
          31493: accept queue 4/3 (full), 4 CLOSE-WAIT sockets seen = queue length: nothing is accepted
        What to do: Find the Service behind each port and give it endpoints (fix its selector or its failing pods), or stop sending traffic and health checks to that NodePort (remove it from the load balancer). Then restart kube-proxy on this node to clear the queues.
          $ kubectl get svc -A -o wide | grep -E ':(31493)/'
          $ kubectl get endpoints -n NAMESPACE SERVICE
          $ kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=web-1
          $ systemctl restart kube-proxy
        Explains: accept-queue-full, close-wait-leak, close-wait-unaccepted, listen-overflow

      Symptoms explained above
      CRITICAL accept-queue-full: 1 accept queue full on 31493, owned by kube-proxy (pid 1515)
          LISTEN [::]:31493 Recv-Q 4 Send-Q 3 (samples 4 → 4), owner kube-proxy (pid 1515)
      WARNING close-wait-unaccepted: 4 CLOSE-WAIT sockets on 31493 were never accepted
          31493: 4 CLOSE-WAIT sockets with no owner; accept queue 4 of kube-proxy (pid 1515) — the whole queue is CLOSE-WAIT: nothing is being accepted
      WARNING listen-overflow: 10 listen overflows/s (+50 between samples; 60 since boot)
          TcpExtListenOverflows 10 → 60 (+50 between samples, 10/s)
      INFO close-wait-leak: 4 CLOSE-WAIT, most on 31493 (4)
          31493: 4 CLOSE-WAIT sockets, 4 never accepted by kube-proxy (pid 1515), from 198.18.0.7 (4)

      Flagged ports: 1 of 2 listeners
        PORT   ADDRESS  OWNER            QUEUE/BACKLOG  SAMPLES
        31493  ::       kube-proxy/1515  4/3 full       4 → 4

      Peers
        PORT   STATE       PEER        COUNT  UNREAD  MAX RECV-Q
        31493  CLOSE-WAIT  198.18.0.7  4      0       1

      States  LISTEN 2 · CLOSE-WAIT 4

      Counters
        NAME                   VALUE  CHANGE
        TcpExtListenOverflows  60     +50 (10/s)

      exit 2 (critical)
      "
    `);
  });

  it('colours only when asked', () => {
    expect(renderText(sick, { color: false })).not.toContain('\u001b[');
    expect(renderText(sick, { color: true })).toContain('\u001b[1;31mCRITICAL\u001b[0m');
  });

  it('never lets text from the node drive the terminal', () => {
    const evil = analyze(new SnapshotBuilder().listener(80, 129, { owner: { name: 'x\u001b]0;pwned\u0007', pid: 1, fd: 1 } }).build());
    expect(renderText(evil, { color: false })).not.toMatch(/[\u001b\u0007]/);
  });
});

describe('renderMarkdown', () => {
  it('renders headings, tables and fenced commands', () => {
    expect(renderMarkdown(sick)).toMatchInlineSnapshot(`
      "## tcpcheck: web-1 — CRITICAL

      **1 accept queue full (kube-proxy NodePorts), 10 listen overflows/s**

      **Cause:** kube-proxy never accepts on 1 NodePort (31493): connections reach it because its Service has no endpoints, and fill the queue

      _kernel 5.15.0-105-generic · collected 2024-05-01T10:00:00.000Z · source test · exit 2 (critical)_

      ### Findings

      #### CRITICAL \`kube-proxy-nodeport-trap\` — ports 31493

      **kube-proxy never accepts on 1 NodePort (31493): connections reach it because its Service has no endpoints, and fill the queue**

      kube-proxy in ipvs mode opens a socket on each NodePort only to reserve the port and never accepts on it (kubernetes/kubernetes#43212, #106713). Traffic to a NodePort is normally DNATed to a pod before it reaches that socket; when the Service has no endpoints there is no DNAT rule, so connections complete on kube-proxy's socket and wait in its accept queue. Load-balancer health checks connect and close at once, so the queue fills with CLOSE-WAIT that stays until kube-proxy restarts; once full, new connections are dropped and handshakes hang in SYN-RECV. A CLOSE-WAIT count equal to the queue length is the tell. Raising somaxconn only treats the symptom.

      Evidence:

      - \`kube-proxy (pid 1515): --proxy-mode=ipvs\`
      - \`31493: accept queue 4/3 (full), 4 CLOSE-WAIT sockets seen = queue length: nothing is accepted\`

      **What to do:** Find the Service behind each port and give it endpoints (fix its selector or its failing pods), or stop sending traffic and health checks to that NodePort (remove it from the load balancer). Then restart kube-proxy on this node to clear the queues.

      \`\`\`sh
      kubectl get svc -A -o wide | grep -E ':(31493)/'
      kubectl get endpoints -n NAMESPACE SERVICE
      kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=web-1
      systemctl restart kube-proxy
      \`\`\`

      Explains: \`accept-queue-full\`, \`close-wait-leak\`, \`close-wait-unaccepted\`, \`listen-overflow\`

      ### Symptoms explained above

      - **critical** \`accept-queue-full\`: 1 accept queue full on 31493, owned by kube-proxy (pid 1515)
        - \`LISTEN [::]:31493 Recv-Q 4 Send-Q 3 (samples 4 → 4), owner kube-proxy (pid 1515)\`
      - **warning** \`close-wait-unaccepted\`: 4 CLOSE-WAIT sockets on 31493 were never accepted
        - \`31493: 4 CLOSE-WAIT sockets with no owner; accept queue 4 of kube-proxy (pid 1515) — the whole queue is CLOSE-WAIT: nothing is being accepted\`
      - **warning** \`listen-overflow\`: 10 listen overflows/s (+50 between samples; 60 since boot)
        - \`TcpExtListenOverflows 10 → 60 (+50 between samples, 10/s)\`
      - **info** \`close-wait-leak\`: 4 CLOSE-WAIT, most on 31493 (4)
        - \`31493: 4 CLOSE-WAIT sockets, 4 never accepted by kube-proxy (pid 1515), from 198.18.0.7 (4)\`

      ### Flagged ports (1 of 2 listeners)

      | Port | Address | Owner | Queue/backlog | Samples |
      | --- | --- | --- | --- | --- |
      | 31493 | :: | kube-proxy/1515 | 4/3 full | 4 → 4 |

      ### Peers

      | Port | State | Peer | Count | Unread bytes | Max Recv-Q |
      | --- | --- | --- | --- | --- | --- |
      | 31493 | CLOSE-WAIT | 198.18.0.7 | 4 | 0 | 1 |

      **States:** LISTEN 2 · CLOSE-WAIT 4

      ### Counters

      | Counter | Value | Change |
      | --- | --- | --- |
      | TcpExtListenOverflows | 60 | +50 (10/s) |
      "
    `);
  });

  it('escapes pipes in table cells', () => {
    const piped = analyze(new SnapshotBuilder().listener(80, 129, { owner: { name: 'a|b', pid: 1, fd: 1 } }).build());
    expect(renderMarkdown(piped)).toContain('| a\\|b/1 |');
  });
});

describe('renderJson', () => {
  it('renders the documented shape with stable key order', () => {
    const doc = JSON.parse(renderJson(sick));
    expect(Object.keys(doc)).toEqual([
      'schemaVersion', 'node', 'hostname', 'kernel', 'collectedAt', 'intervalSec', 'source', 'exitCode',
      'verdict', 'states', 'listeners', 'flaggedPorts', 'peers', 'counters', 'sysctl', 'findings', 'skipped', 'probes',
    ]);
    expect(doc.listeners[1]).toEqual({ address: '::', port: 31493, process: { name: 'kube-proxy', pid: 1515 }, acceptQueue: 4, backlog: 3, acceptQueueSamples: [4, 4], status: 'full', flagged: true });
    expect(doc.flaggedPorts).toEqual([31493]);
    expect(doc.peers).toEqual([{ localPort: 31493, ip: '198.18.0.7', state: 'CLOSE-WAIT', count: 4, unreadBytes: 0, maxRecvQ: 1 }]);
    expect(doc.counters).toEqual({ TcpExtListenOverflows: { value: 60, delta: 50, perSecond: 10 } });
    expect(doc.findings.map((f: { rule: string; explainedBy: string[] }) => [f.rule, f.explainedBy])).toMatchInlineSnapshot(`
      [
        [
          "kube-proxy-nodeport-trap",
          [],
        ],
        [
          "accept-queue-full",
          [
            "kube-proxy-nodeport-trap",
          ],
        ],
        [
          "close-wait-unaccepted",
          [
            "kube-proxy-nodeport-trap",
          ],
        ],
        [
          "listen-overflow",
          [
            "kube-proxy-nodeport-trap",
          ],
        ],
        [
          "close-wait-leak",
          [
            "kube-proxy-nodeport-trap",
          ],
        ],
      ]
    `);
  });

  it('is byte-for-byte the same for the same report', () => {
    expect(renderJson(sick)).toBe(renderJson(structuredClone(sick)));
    expect(renderJson(healthy).endsWith('}\n')).toBe(true);
  });
});

describe('every renderer', () => {
  /** Five listeners in each state the selection must tell apart, plus a finding on a port nobody listens on. */
  const mixed = analyze(
    new SnapshotBuilder()
      .meta({ node: 'web-2', hostname: 'web-2', kernel: '5.15.0-105-generic' })
      .process(1515, 'kube-proxy', 'kube-proxy')
      .listener(31493, 129, { owner: KUBE_PROXY, sendQ: 128, samples: [129] })
      .listener(30080, 0, { owner: KUBE_PROXY, sendQ: 128, samples: [3] })
      .listener(8080, 2, { owner: { name: 'web', pid: 700, fd: 5 }, sendQ: 128, samples: [2] })
      .listener(22, 0, { owner: { name: 'sshd', pid: 638, fd: 3 } })
      .listener(10249, 0, { owner: KUBE_PROXY })
      .socket('CLOSE-WAIT', 31493, '198.18.0.7', { count: 129, recvQ: 1 })
      .socket('CLOSE-WAIT', 9000, '198.18.0.8', { count: 40, recvQ: 1, owner: { name: 'leaky', pid: 900, fd: 9 } })
      .build(),
  );
  /** The listener ports a rendering shows in its flagged-ports table. */
  const portsIn = (text: string, heading: RegExp, rowPort: RegExp): number[] => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => heading.test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    const ports: number[] = [];
    for (const line of lines.slice(start + 1)) {
      const m = rowPort.exec(line);
      if (m) ports.push(Number(m[1]));
      else if (ports.length > 0) break;
    }
    return ports.sort((a, b) => a - b);
  };

  it('select the same flagged listeners, decided once by the analysis', () => {
    const flaggedListenerPorts = mixed.listeners.filter((l) => l.flagged).map((l) => l.port).sort((a, b) => a - b);
    expect(mixed.flaggedPorts).toEqual([8080, 9000, 30080, 31493]);
    expect(flaggedListenerPorts).toEqual([8080, 30080, 31493]);
    const text = portsIn(renderText(mixed, { color: false }), /^Flagged ports/, /^\s+(\d+)\s+\S+\s+\S+\s+\d+\/\d+/);
    const markdown = portsIn(renderMarkdown(mixed), /^### Flagged ports/, /^\| (\d+) \|/);
    const json = (JSON.parse(renderJson(mixed)) as { listeners: { port: number; flagged: boolean }[] }).listeners.filter((l) => l.flagged).map((l) => l.port).sort((a, b) => a - b);
    const slackText = renderSlackThread(mixed).replies.flatMap((m) => m.blocks.map((b) => JSON.stringify(b))).find((b) => b.includes('Flagged ports'))!;
    const slack = portsIn(JSON.parse(slackText).text.text as string, /^```|^port/, /^(\d+)\s+\S+\s+\d+\/\d+/);
    expect({ text, markdown, json, slack }).toEqual({ text: flaggedListenerPorts, markdown: flaggedListenerPorts, json: flaggedListenerPorts, slack: flaggedListenerPorts });
  });
});

describe('renderers with the cluster context read', () => {
  const named = analyze(
    new SnapshotBuilder()
      .meta({ node: 'web-1', hostname: 'web-1' })
      .process(1515, 'kube-proxy', 'kube-proxy')
      .listener(31493, 4, { owner: KUBE_PROXY, sendQ: 3, samples: [4] })
      .socket('CLOSE-WAIT', 31493, '198.18.0.7', { count: 3, recvQ: 1 })
      .socket('CLOSE-WAIT', 31493, '198.18.210.5', { count: 1, recvQ: 1 })
      .with({
        cluster: {
          status: 'read',
          context: {
            services: [{ namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Cluster', clusterIPs: ['198.18.220.10'], ports: [{ port: 80, nodePort: 31493, protocol: 'TCP' }] }],
            endpoints: [],
            pods: [{ namespace: 'shop', name: 'neo-api-5c6d-k2p9q', uid: 'u1', nodeName: 'web-1', podIPs: ['198.18.210.5'], hostNetwork: false }],
            nodes: [{ name: 'web-1', addresses: ['198.18.200.1'] }],
            proxyMode: 'ipvs',
            gaps: [],
          },
        },
      })
      .build(),
  );

  it('writes peers with their name and kind, and the facts of each finding, in JSON', () => {
    const doc = JSON.parse(renderJson(named));
    expect(doc.peers).toEqual([
      { localPort: 31493, ip: '198.18.0.7', state: 'CLOSE-WAIT', count: 3, unreadBytes: 0, maxRecvQ: 1, name: null, kind: 'unknown' },
      { localPort: 31493, ip: '198.18.210.5', state: 'CLOSE-WAIT', count: 1, unreadBytes: 0, maxRecvQ: 1, name: 'shop/neo-api-5c6d-k2p9q', kind: 'pod' },
    ]);
    const trap = doc.findings.find((f: { rule: string }) => f.rule === 'kube-proxy-nodeport-trap');
    expect(trap.facts.services).toEqual([{ port: 31493, namespace: 'shop', name: 'neo-web', type: 'NodePort', externalTrafficPolicy: 'Cluster', readyEndpoints: 0, confirmed: true, verdict: 'no-endpoints' }]);
    expect(trap.facts.confirmed).toBe(true);
  });

  it('writes the Service as namespace/name and the peer with its pod in text and Markdown', () => {
    const text = renderText(named, { color: false });
    expect(text).toContain('kube-proxy never accepts on NodePort 31493 (shop/neo-web, 0 ready endpoints)');
    expect(text).toMatch(/31493 +CLOSE-WAIT +198\.18\.210\.5 \(shop\/neo-api-5c6d-k2p9q\) +1/);
    expect(renderMarkdown(named)).toContain('| 31493 | CLOSE-WAIT | 198.18.210.5 (shop/neo-api-5c6d-k2p9q) | 1 |');
  });
});

describe('the deep probe\'s cost', () => {
  const probed = {
    ...sick,
    probes: [
      { name: 'capture' as const, command: "timeout -s INT 10 tcpdump -i any -nn -s 128 -c 2000 -U -w - 'tcp port 31493'", ports: [31493], pid: null, startedAt: '2024-05-01T10:00:06.000Z', durationMs: 10012, bytes: 18842, packets: 151, droppedByKernel: 3, ok: true, error: null },
      { name: 'strace' as const, command: 'timeout -s INT 10 strace -c -f -p 1515', ports: [31493], pid: 1515, startedAt: '2024-05-01T10:00:06.001Z', durationMs: 10004, bytes: 2525, packets: null, droppedByKernel: null, ok: false, error: 'strace: not found on the node' },
    ],
  };
  const line = 'capture of 31493: 10.0 s, 18.4 KB, 151 packets, 3 dropped by the kernel';

  it('is a line in text, markdown and the Slack parent message', () => {
    expect(renderText(probed, { color: false })).toContain(`Deep probe\n  ${line}\n  strace of pid 1515: failed (strace: not found on the node), 10.0 s, 2.5 KB`);
    expect(renderMarkdown(probed)).toContain(`### Deep probe\n\n- \`${line}\``);
    const context = renderSlackThread(probed).parent.blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('Deep probe'));
    expect(JSON.stringify(context)).toContain(line);
  });

  it('is `probes` in JSON with every documented field', () => {
    const doc = JSON.parse(renderJson(probed));
    expect(doc.probes).toEqual(probed.probes);
    expect(Object.keys(doc.probes[0])).toEqual(['name', 'command', 'ports', 'pid', 'startedAt', 'durationMs', 'bytes', 'packets', 'droppedByKernel', 'ok', 'error']);
  });

  it('is absent without a deep probe', () => {
    expect(renderText(sick, { color: false })).not.toContain('Deep probe');
    expect(JSON.parse(renderJson(sick)).probes).toEqual([]);
  });
});
