import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildSnapshot } from '../src/parse/bundle.js';
import { parseSs } from '../src/parse/ss.js';
import { buildContext } from '../src/analyze/context.js';
import { buildPeerViews } from '../src/analyze/peers.js';
import { analyze } from '../src/analyze/index.js';
const all = readFileSync('/tmp/pb/ss-all-1000000.txt', 'utf8');
const owned = readFileSync('/tmp/pb/ss-owned-1000000.txt', 'utf8');
const what = process.argv[2] ?? 'all';
const reps = Number(process.argv[3] ?? 3);
for (let i = 0; i < reps; i++) {
  const cpu0 = process.cpuUsage();
  let t = performance.now();
  const r: Record<string, string> = {};
  if (what === 'parse') { parseSs(all); r.parse = (performance.now() - t).toFixed(0); }
  else {
    const snap = buildSnapshot({ node: 'b', transport: 'local', collectedAt: null as never, intervalSec: 5, sections: [
      { name: 'meta', stdout: 'hostname bench\nkernel 5.15.0\nuptime 100\nuid 0\n', stderr: '', exitCode: 0 },
      { name: 'ss-owned', stdout: owned, stderr: '', exitCode: 0 },
      { name: 'ss-all', stdout: all, stderr: '', exitCode: 0 }] });
    r.snap = (performance.now() - t).toFixed(0); t = performance.now();
    buildContext(snap); r.ctx = (performance.now() - t).toFixed(0); t = performance.now();
    buildPeerViews(snap.sockets.sockets); r.peers = (performance.now() - t).toFixed(0); t = performance.now();
    analyze(snap); r.analyze = (performance.now() - t).toFixed(0);
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify(r), 'cpu', ((cpu.user + cpu.system) / 1000).toFixed(0));
}
