import { readFileSync, readdirSync } from 'node:fs';
import { parseSs } from '../src/parse/ss.js';
import { parseSs as oldSs } from './.ss-old.js';
let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)] as T;
const parts = ['1', '2', '255', '256', '0', '00', '010', '1234', '.', ':', '::', '[', ']', '%', 'eth0', 'ffff', 'a', '*', 'fe80', '65535', '65536', '99999', '123456', ' ', '\t', '\r', '"', '(', ',', 'users:((', '"x",pid=1,fd=2))', 'ESTAB', 'LISTEN', 'tcp', 'CLOSE_WAIT', '0.0.0.0', '::ffff:', '1.2.3.4', '172.1.52.100'];
const lines: string[] = [];
for (let i = 0; i < 200000; i++) {
  const n = 1 + Math.floor(rnd() * 14);
  let l = rnd() < 0.7 ? pick(['ESTAB 0 0 ', 'LISTEN 0 128 ', 'tcp ESTAB 1 2 ', '5 6 ', 'CLOSE-WAIT 1 0 ', 'SYN-RECV 0 0 ']) : '';
  for (let j = 0; j < n; j++) l += pick(parts);
  if (rnd() < 0.5) { l += ' '; for (let j = 0; j < n; j++) l += pick(parts); }
  lines.push(l);
}
const hostParts = ['1', '2', '255', '256', '0', '00', '010', '1234', '12', '.', '.', '.', ':', '::', '[', ']', '%', 'eth0', 'ffff', 'a', 'F', '*', 'fe80', '::ffff:', '1.2.3.4', '0.0.0.0', '172.1.52.100', '10.0.0.1', '', ''];
const portParts = ['80', '*', '65535', '65536', '0', '123456', '12345', 'ssh', '', '8x', '**', ':80', ']'];
const host = () => { let h = ''; const n = Math.floor(rnd() * 5); for (let j = 0; j < n; j++) h += pick(hostParts); return h; };
const ep = () => (rnd() < 0.3 ? `[${host()}]` : host()) + (rnd() < 0.95 ? ':' : '') + pick(portParts);
const lines2: string[] = [];
for (let i = 0; i < 300000; i++) {
  lines2.push(`${pick(['ESTAB', 'LISTEN', 'CLOSE-WAIT', 'tcp   SYN-RECV', '', 'TIME-WAIT'])} ${pick(['0', '1', '99', 'x'])}  ${pick(['0', '128'])}   ${ep()}${pick([' ', '    ', '\t', ''])}${ep()}${pick(['', ' ', '   users:(("a",pid=1,fd=2))', '\r', ' x'])}`);
}
const texts: [string, string][] = [['fuzz', lines.join('\n')], ['fuzz2', lines2.join('\n')]];
for (const f of readdirSync('test/fixtures/ss')) texts.push([f, readFileSync(`test/fixtures/ss/${f}`, 'utf8')]);
texts.push(['bench-owned', readFileSync('/tmp/pb/ss-owned-1000000.txt', 'utf8')]);
if (process.argv[2] === 'big') texts.push(['bench-all', readFileSync('/tmp/pb/ss-all-1000000.txt', 'utf8')]);
let bad = 0;
for (const [name, text] of texts) {
  for (const def of [undefined, 'LISTEN'] as const) {
    const a = oldSs(text, name, { defaultState: def });
    const b = parseSs(text, name, { defaultState: def });
    const ja = JSON.stringify(a), jb = JSON.stringify(b);
    if (ja !== jb) {
      bad++;
      for (let i = 0; i < Math.max(a.sockets.length, b.sockets.length); i++) {
        if (JSON.stringify(a.sockets[i]) !== JSON.stringify(b.sockets[i])) { console.log(name, i, JSON.stringify(a.sockets[i]), JSON.stringify(b.sockets[i])); break; }
      }
      console.log(name, 'issue', JSON.stringify(a.issue), JSON.stringify(b.issue), a.sockets.length, b.sockets.length);
    }
  }
}
console.log(texts.map(([n, t]) => n + ':' + parseSs(t).sockets.length + '/' + parseSs(t).issue.skipped).join(' '));
console.log(bad === 0 ? 'identical' : `${bad} differ`);
