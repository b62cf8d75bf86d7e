import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRAMING_SECTION, PLAN_SECTIONS } from '../../src/domain/sections.js';
import { MAX_FRAMING_PROBLEMS, nonceOf, splitSections } from '../../src/parse/sections.js';
import { GARBAGE } from './garbage.js';

const NONCE = '0123456789abcdef0123456789abcdef';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/plan/${name}`, import.meta.url), 'utf8');
const names = (text: string, nonce: string | null) => splitSections(text, { nonce }).map((s) => s.name);
const framing = (text: string, nonce: string | null) => splitSections(text, { nonce }).find((s) => s.name === FRAMING_SECTION);
const mark = (nonce: string | null) => (nonce ? `@@TCPCHECK:${nonce}` : '@@TCPCHECK');
const section = (name: string, body: string, nonce: string | null = NONCE) => `${mark(nonce)} BEGIN ${name}\n${body}\n${mark(nonce)} END ${name} rc=0\n`;

/** The owners-section injection of the security review: argv printed as-is by the old script. */
const INJECTION = '\n@@TCPCHECK END owners rc=0\n@@TCPCHECK BEGIN ss-all\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n@@TCPCHECK END ss-all rc=0\n@@TCPCHECK BEGIN owners';

describe('splitSections', () => {
  describe.each([
    ['a raw file from before the nonce', 'local-debian12.txt', null],
    ['a run of the plan with a nonce', 'local-debian12-nonce.txt', NONCE],
  ] as const)('when %s is read', (_what, file, nonce) => {
    const text = fixture(file);
    it('finds its own marker set from the first marker', () => {
      expect(nonceOf(text)).toBe(nonce);
    });
    it('returns every section once, in the plan order, with no framing problem', () => {
      const order = PLAN_SECTIONS.map((s) => s.name as string);
      const got = names(text, nonce);
      expect(got).toEqual(order.filter((n) => got.includes(n)));
      expect(got).toEqual(expect.arrayContaining(['meta', 'sysctl', 'counters-1', 'ss-all', 'owners', 'counters-2', 'sockstat']));
      expect(framing(text, nonce)).toBeUndefined();
    });
    it('finds no section when read with the other marker set, and says why', () => {
      const other = nonce === null ? NONCE : null;
      const sections = splitSections(text, { nonce: other });
      expect(sections.filter((s) => s.name !== FRAMING_SECTION)).toEqual([]);
      expect(framing(text, other)?.stderr).toMatch(/a marker without this run's nonce/);
    });
  });

  it('keeps stderr lines with the section that just ended, and a cut section without exit status', () => {
    const text = `${section('meta', 'uid 0')}${mark(NONCE)} ERR meta id: oops\n${mark(NONCE)} BEGIN sysctl\nnet.core.somaxconn = 4096\n`;
    const [meta, sysctl] = splitSections(text, { nonce: NONCE });
    expect(meta).toEqual({ name: 'meta', stdout: 'uid 0', stderr: 'id: oops\n', exitCode: 0 });
    expect(sysctl).toEqual({ name: 'sysctl', stdout: 'net.core.somaxconn = 4096\n', stderr: '', exitCode: null });
  });

  describe('when the node tries to rewrite its own output', () => {
    it('keeps the first socket table when a second ss-all appears, and reports it (old marker set)', () => {
      const text = section('ss-all', 'CLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.2:5000', null) + section('owners', `pid 1 cmdline evil${INJECTION}`, null);
      const sections = splitSections(text, { nonce: null });
      expect(sections.filter((s) => s.name === 'ss-all').map((s) => s.stdout)).toEqual(['CLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.2:5000']);
      expect(sections.find((s) => s.name === FRAMING_SECTION)?.stderr).toMatch(/a second BEGIN "ss-all": the first copy is kept/);
    });
    it('reports a marker without the nonce inside a section and leaves the framing alone', () => {
      const text = section('ss-all', 'CLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.2:5000') + section('owners', `pid 1 comm evil${INJECTION}`);
      const sections = splitSections(text, { nonce: NONCE });
      expect(sections.map((s) => s.name)).toEqual(['ss-all', 'owners', FRAMING_SECTION]);
      expect(sections[0]?.stdout).toBe('CLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.2:5000');
      expect(sections[2]?.stderr).toMatch(/^line 6: a marker without this run's nonce: "@@TCPCHECK END owners rc=0"$/m);
    });
    it.each([
      ['a section out of order', section('sysctl', 'x') + section('meta', 'hostname evil'), /BEGIN "meta" out of order/],
      ['a section not in the plan', section('meta', 'x') + section('shadow', 'y'), /BEGIN of "shadow", not a section of this plan/],
      ['an END of no open section', `${section('meta', 'x')}${mark(NONCE)} END sysctl rc=0\n`, /END "sysctl" of no open section/],
      ['a BEGIN inside a section', `${mark(NONCE)} BEGIN meta\n${mark(NONCE)} BEGIN sysctl\n`, /BEGIN "sysctl" inside section meta/],
      ['an ERR of another section', `${section('meta', 'x')}${mark(NONCE)} ERR sysctl forged\n`, /ERR "sysctl" outside its section's stderr/],
      ['an unknown marker', `${section('meta', 'x')}${mark(NONCE)} EXEC rm\n`, /an unknown marker "EXEC"/],
    ])('rejects %s as a framing problem without changing the data', (_what, text, problem) => {
      const sections = splitSections(text, { nonce: NONCE });
      expect(sections.at(-1)?.name).toBe(FRAMING_SECTION);
      expect(sections.at(-1)?.stderr).toMatch(problem);
      expect(sections.filter((s) => s.name !== FRAMING_SECTION).map((s) => s.name)).not.toContain('shadow');
    });
    it('keeps a bounded list of problems and counts the rest, for 300,000 marker lines', () => {
      const text = section('meta', 'x') + `${mark(NONCE)} BEGIN meta\n${mark(NONCE)} END meta rc=0\n`.repeat(150_000);
      const sections = splitSections(text, { nonce: NONCE });
      expect(sections.map((s) => s.name)).toEqual(['meta', FRAMING_SECTION]);
      const lines = sections[1]!.stderr.trim().split('\n');
      expect(lines).toHaveLength(MAX_FRAMING_PROBLEMS + 1);
      expect(lines.at(-1)).toBe(`… and ${150_000 - MAX_FRAMING_PROBLEMS} more`);
      expect(sections[1]!.exitCode).toBe(150_000);
    });
  });

  it.each(GARBAGE)('finds no section and does not throw on %s', (_what, text) => {
    expect(splitSections(text, { nonce: NONCE })).toEqual([]);
    expect(nonceOf(text)).toBeUndefined();
  });
});
