import { readFileSync } from 'node:fs';
import { parseSs } from '../src/parse/ss.js';
import { parseSs as noalloc } from './.ss-exp.js';
const all = readFileSync('/tmp/pb/ss-all-1000000.txt', 'utf8');
const which = process.argv[2];
for (let i = 0; i < 6; i++) {
  const c = process.cpuUsage();
  const r = which === 'noalloc' ? noalloc(all) : parseSs(all);
  const u = process.cpuUsage(c);
  console.log(which, ((u.user + u.system) / 1000).toFixed(0), r.sockets.length);
}
