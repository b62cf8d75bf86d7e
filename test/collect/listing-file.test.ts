import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { diagnose } from '../../jobs/diagnose.js';
import { loadBundle, saveBundle } from '../../src/collect/bundle-store.js';
import { buildSnapshot, cutSections } from '../../src/parse/bundle.js';
import { markerOf } from '../../src/domain/sections.js';
import { decodeOutput } from '../../src/collect/decode.js';
import { readCutFile } from '../../src/collect/listing-file.js';
import { parseTranscript, parseTranscriptCut } from '../../src/parse/transcript.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-cut-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixtures = ['ss', 'netstat', 'proc', 'transcript', 'counters', 'sysctl'].flatMap((folder) =>
  readdirSync(new URL(folder, FIXTURES))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => ({ folder, name: f.replace(/\.txt$/, ''), text: readFileSync(new URL(`${folder}/${f}`, FIXTURES), 'utf8') })),
);

const endLine = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
/** Each fixture as users save it: as printed, after a prompt, in a fence, back to back, followed by other output, with CRLF, with UTF-8 after it. */
const variants = (folder: string, text: string): [string, string][] => {
  const command = folder === 'netstat' ? 'netstat -tanp' : folder === 'ss' ? 'ss -tanp' : 'cat saved.txt';
  const t = endLine(text);
  return [
    ['as printed', text],
    ['after a prompt', `root@node-7:~# ${command}\n${t}root@node-7:~# \n`],
    ['after a prompt, then more', `root@node-7:~# ${command}\n${t}root@node-7:~# sysctl net.core.somaxconn\nnet.core.somaxconn = 4096\n`],
    ['in a fence', `\`\`\`\n${t}\`\`\`\n`],
    ['back to back', `${t}${t}`],
    ['then sysctls', `${t}net.core.somaxconn = 4096\n`],
    ['then a bad line and more', `${t}ESTAB 0 0 10.0.0.2:50x0 10.0.0.3:1\n${t}`],
    ['with CRLF', t.replace(/\n/g, '\r\n')],
    ['then UTF-8', `${t}LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("nginx·wörker",pid=7,fd=6))\n`],
    ['without the last newline', t.replace(/\n$/, '')],
  ];
};

let n = 0;
/** The file read with its listing cut out (pieces of `piece` bytes), or null when it was read whole instead. */
const readCut = (text: string, piece: number) => {
  const path = join(dir, `f${n++}.txt`);
  writeFileSync(path, text);
  // Reads of a piece and a half: pieces cross read boundaries too.
  const file = readCutFile(path, { sizes: { piece, read: Math.floor(piece * 1.5) } });
  return { file, whole: parseTranscript(decodeOutput(readFileSync(path))), snap: file === null ? null : parseTranscriptCut(file.text, file.cut) };
};

describe('a saved file read with its listing cut out as it is read', () => {
  const cases = fixtures.flatMap((f) => variants(f.folder, f.text).map(([how, text]) => [`${f.folder}/${f.name} ${how}`, text] as const));

  // 300 bytes: two or three lines a piece, and some longer than a piece, which ends the cut there.
  it.each([300, 1000, 4096, 65536])('gives exactly the snapshot of the whole text, in pieces of %i bytes', (piece) => {
    let used = 0;
    for (const [what, text] of cases) {
      const { snap, whole } = readCut(text, piece);
      if (snap === null) continue;
      used++;
      expect(snap, what).toEqual(whole);
    }
    // Most variants start with a listing: the cut is used for them, not only the fallback.
    expect(used).toBeGreaterThan(cases.length / 5);
  });

  it('is used for a saved listing and after a prompt, and counts the lines it cut for what follows', () => {
    const listing = readFileSync(new URL('ss/real-tan.txt', FIXTURES), 'utf8');
    const text = `root@node-7:~# ss -tan\n${listing}root@node-7:~# ss -tan | grep -v ESTAB\nnot a socket line\n`;
    const { file, snap, whole } = readCut(text, 256);
    expect(file?.cut.lines).toBe(listing.split('\n').length - 2);
    expect(snap).toEqual(whole);
    expect(whole.parseIssues.map((i) => i.source)).toEqual([`transcript:ss at line ${listing.split('\n').length + 2}`]);
  });

  it('leaves a file that does not start with a listing, and a block read some other way, to the whole read', () => {
    expect(readCut('just some prose\nand more prose\n', 64).file).toBeNull();
    expect(readCut('ESTAB 0 0 10.0.0.1:80 10.0.0.2:5000\n', 64).file).toBeNull();
    // `ss -ltn` is read for its listeners only, with every socket kept: not the cut's options.
    const listing = readFileSync(new URL('ss/real-tan.txt', FIXTURES), 'utf8');
    const listenOnly = readCut(`$ ss -ltn\n${listing}`, 256);
    expect(listenOnly.file).not.toBeNull();
    expect(listenOnly.snap).toBeNull();
  });

  it('reads raw collection output whole even when it starts like a listing after a prompt', async () => {
    const mark = `${markerOf('0123456789abcdef0123456789abcdef')} `;
    const listing = readFileSync(new URL('ss/real-tan.txt', FIXTURES), 'utf8');
    const path = join(dir, 'raw.txt');
    writeFileSync(path, `$ ss -tan\n${listing}${mark}BEGIN meta\nhostname n1\n${mark}END meta rc=0\n`);
    // The cut happens, and the prompt's block would take it; the markers make the text raw output.
    expect(readCutFile(path)).not.toBeNull();
    const fromPath = await diagnose({ kind: 'path', path, node: 'n1' });
    const fromText = await diagnose({ kind: 'text', text: readFileSync(path, 'utf8'), node: 'n1', source: path });
    expect(fromPath.bundle).not.toBeNull();
    expect(fromPath.snapshot).toEqual(fromText.snapshot);
  });

  it('diagnoses a big listing file as it diagnoses its text', async () => {
    const lines = ['State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port Process', 'LISTEN     129    128    0.0.0.0:30000        0.0.0.0:*'];
    for (let i = 0; i < 20000; i++) lines.push(`${i % 9 === 0 ? 'CLOSE-WAIT' : 'ESTAB     '} 0      0      10.0.12.7:30000   172.1.${i % 250}.${i % 199}:${10000 + i}`);
    const path = join(dir, 'big.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const fromPath = await diagnose({ kind: 'path', path, node: 'n1' });
    const fromText = await diagnose({ kind: 'text', text: readFileSync(path, 'utf8'), node: 'n1', source: path });
    expect(readCutFile(path)?.cut.lines).toBe(20001);
    expect(fromPath.snapshot).toEqual(fromText.snapshot);
    expect(fromPath.report).toEqual(fromText.report);
  });

  it('reads the file whole, to the same report, where WebAssembly cannot run (node --jitless)', async () => {
    const path = join(dir, 'no-wasm.txt');
    writeFileSync(path, readFileSync(new URL('ss/real-tan.txt', FIXTURES), 'utf8'));
    const withScanner = await diagnose({ kind: 'path', path, node: 'n1' });
    expect(readCutFile(path)).not.toBeNull();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      expect(readCutFile(path)).toBeNull();
      const withoutScanner = await diagnose({ kind: 'path', path, node: 'n1' });
      expect(withoutScanner.report).toEqual(withScanner.report);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('a --save bundle read with its ss-all and ss-owned listings cut out', () => {
  const ssFixtures = fixtures.filter((f) => f.folder === 'ss');
  const meta = 'hostname n1\nuid 0\ninterval 5\n';

  it('gives exactly the snapshot of the whole sections, with and without a header', async () => {
    let used = 0;
    let usedOwned = 0;
    for (const f of ssFixtures) {
      const t = endLine(f.text);
      const headerless = t.replace(/^(?:State|Netid)[^\n]*\n/, '');
      for (const [how, all] of [['as printed', t], ['without its header (-H)', headerless], ['back to back', `${t}${t}`], ['with a bad line', `${headerless}ESTAB 0 0 a:b c:d\n${headerless}`], ['with CRLF', t.replace(/\n/g, '\r\n')]]) {
        const dir2 = join(dir, `bundle${n++}`);
        await saveBundle(dir2, {
          node: 'n1',
          transport: 'file',
          collectedAt: '2026-01-01T00:00:00.000Z',
          intervalSec: 5,
          sections: [
            { name: 'meta', stdout: meta, stderr: '', exitCode: 0 },
            // The same listing as the owners listing: read for its listeners and owned sockets beside the full table.
            { name: 'ss-owned', stdout: all as string, stderr: '', exitCode: 0 },
            { name: 'ss-all', stdout: all as string, stderr: '', exitCode: 0 },
          ],
        });
        const whole = await loadBundle(dir2);
        const cut = await loadBundle(dir2, cutSections);
        expect(whole.cuts.size).toBe(0);
        if (cut.cuts.has('ss-all')) used++;
        if (cut.cuts.has('ss-owned')) usedOwned++;
        expect(buildSnapshot(cut.bundle, cut.cuts), `${f.name} ${how}`).toEqual(buildSnapshot(whole.bundle));
      }
    }
    expect(used).toBeGreaterThan(ssFixtures.length);
    expect(usedOwned).toBeGreaterThan(ssFixtures.length);
  });

  it('keeps the owners the owners listing shows on CLOSE-WAIT lines it cuts out', async () => {
    const dir2 = join(dir, `bundle${n++}`);
    const lines = ['LISTEN     129    128          0.0.0.0:31493      0.0.0.0:*     users:(("kube-proxy",pid=1515,fd=51))'];
    for (let i = 0; i < 300; i++) lines.push(`CLOSE-WAIT ${i % 7 === 0 ? 7169 : 1}      0         10.0.0.1:${i % 2 ? 31493 : 31591}     10.0.${i % 9}.${i % 250}:${4000 + i}${i % 5 === 0 ? `  users:(("leaky-app",pid=${29700 + (i % 3)},fd=${20 + i}))` : ''}`);
    lines.push('SYN-RECV   0      0         10.0.0.1:31493     10.0.0.7:6000');
    const owned = `${lines.join('\n')}\n`;
    const all = owned.replace(/ +users:\(\(.*$/gm, '');
    await saveBundle(dir2, {
      node: 'n1', transport: 'file', collectedAt: '2026-01-01T00:00:00.000Z', intervalSec: 5,
      sections: [{ name: 'meta', stdout: meta, stderr: '', exitCode: 0 }, { name: 'ss-owned', stdout: owned, stderr: '', exitCode: 0 }, { name: 'ss-all', stdout: all, stderr: '', exitCode: 0 }],
    });
    const cut = await loadBundle(dir2, cutSections);
    expect([...cut.cuts.keys()].sort()).toEqual(['ss-all', 'ss-owned']);
    const snap = buildSnapshot(cut.bundle, cut.cuts);
    expect(snap).toEqual(buildSnapshot((await loadBundle(dir2)).bundle));
    expect(snap.sockets.sockets.filter((s) => s.processes[0]?.name === 'leaky-app')).toHaveLength(60);
  });

  it('reads an owners listing alone (no ss-all) whole, every socket kept', async () => {
    const dir2 = join(dir, `bundle${n++}`);
    const listing = readFileSync(new URL('ss/new-tanp.txt', FIXTURES), 'utf8');
    await saveBundle(dir2, { node: 'n1', transport: 'file', collectedAt: '2026-01-01T00:00:00.000Z', intervalSec: 5, sections: [{ name: 'meta', stdout: meta, stderr: '', exitCode: 0 }, { name: 'ss-owned', stdout: listing, stderr: '', exitCode: 0 }] });
    const cut = await loadBundle(dir2, cutSections);
    expect(cut.cuts.size).toBe(0);
    expect(buildSnapshot(cut.bundle, cut.cuts)).toEqual(buildSnapshot((await loadBundle(dir2)).bundle));
  });
});
