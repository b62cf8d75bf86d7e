/**
 * Re-captures the real-tool fixtures: starts a one-node lab (real kernel sockets in LISTEN with a
 * full queue, CLOSE-WAIT with and without unread bytes, SYN-RECV, ESTAB, TIME-WAIT), adds a UDP
 * socket and a unix socket so mixed listings have other protocols, and saves what net-tools'
 * `netstat`, iproute2's `ss`, `nstat` and /proc print, one file per variant:
 *
 *     sudo npx tsx test/parse/capture-fixtures.ts
 *
 * The expected `.json` beside each file is then written by `UPDATE_FIXTURES=1 npx vitest run
 * test/parse/real-tools.test.ts` and reviewed by hand against the `.txt`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../lab/lab.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** variant → argv, per source folder. `timeout` bounds the name-resolving forms (no DNS in the lab). */
const CAPTURES: Record<string, Record<string, string[]>> = {
  netstat: {
    'tan': ['netstat', '-tan'],
    'tanp': ['netstat', '-tanp'],
    'antp': ['netstat', '-antp'],
    'n': ['netstat', '-n'],
    'l': ['netstat', '-l'],
    'p': ['netstat', '-p'],
    'lnp': ['netstat', '-lnp'],
    'aeep': ['netstat', '-aeep'],
    'plain-names': ['netstat', '-ta'],
    'wide-W': ['netstat', '-tanW'],
    'tanpo-timers': ['netstat', '-tanpo'],
  },
  ss: {
    'real-a-names': ['ss', '-a'],
    'real-ta-names': ['ss', '-ta'],
    'real-tupna': ['ss', '-tupna'],
    'real-tulpen': ['ss', '-tulpen'],
    'real-tan': ['ss', '-tan'],
  },
  proc: {
    'real-tcp': ['cat', '/proc/net/tcp'],
    'real-tcp6': ['cat', '/proc/net/tcp6'],
  },
  counters: {
    'nstat-increments': ['nstat'],
  },
};

async function main(): Promise<void> {
  const lab = await startLab({ nodes: 1 });
  // Beside the pathologies' sockets: a UDP socket, a unix listener, an ESTAB connection, one in
  // FIN-WAIT-2 (closed by this side, never by leaky-app), TIME-WAIT ones (healthy-web closes
  // first) and a ping's ICMP socket, so every state and mixed listings appear (bounded: 120 s).
  const node = lab.nodes[0]!;
  const script = [
    "const net=require('net');require('dgram').createSocket('udp4').bind(5353);",
    "try{require('fs').unlinkSync('/tmp/tcpcheck-fixture.sock')}catch{}net.createServer().listen('/tmp/tcpcheck-fixture.sock');",
    `const a=net.connect(${lab.ports.leak},'${node.address}',()=>a.write('x'.repeat(300)));`,
    `const b=net.connect(${lab.ports.leak},'${node.address}',()=>b.end());`,
    `for(let i=0;i<3;i++){const c=net.connect(${lab.ports.healthy},'${node.address}',()=>c.write('GET / HTTP/1.0\\r\\n\\r\\n'));c.on('data',()=>{});c.on('end',()=>c.end());}`,
    'setTimeout(()=>process.exit(0),120000)',
  ].join('');
  const extra = spawn('ip', ['netns', 'exec', node.netns, process.execPath, '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ping = spawn('ip', ['netns', 'exec', node.netns, 'ping', '-q', '-i', '0.5', '-c', '200', lab.gateway], { stdio: 'ignore' });
  try {
    // Let the health checks fill the queue and leave CLOSE-WAIT, SYN-RECV and TIME-WAIT behind.
    await new Promise((r) => setTimeout(r, 8000));
    await lab.exec(0, ['nstat', '-n']);
    await new Promise((r) => setTimeout(r, 2000));
    for (const [folder, variants] of Object.entries(CAPTURES)) {
      mkdirSync(join(FIXTURES, folder), { recursive: true });
      for (const [variant, argv] of Object.entries(variants)) {
        const { stdout } = await lab.exec(0, ['timeout', '20', ...argv]);
        writeFileSync(join(FIXTURES, folder, `${variant}.txt`), stdout);
        process.stdout.write(`${folder}/${variant}.txt: ${stdout.split('\n').length - 1} lines\n`);
      }
    }
  } finally {
    extra.kill();
    ping.kill();
    await lab.stop();
  }
}

await main();
