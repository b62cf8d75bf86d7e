import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/index.js';
import { evidenceLines, finding, MAX_EVIDENCE_LINES, MAX_FINDINGS_PER_RULE, runRules, type Rule } from '../../src/analyze/rule.js';
import { linkCauses } from '../../src/analyze/verdict.js';
import { buildContext } from '../../src/analyze/context.js';
import type { Finding } from '../../src/domain/report.js';
import { buildSnapshot } from '../../src/parse/bundle.js';
import { bundleFromOutput } from '../../src/parse/raw-output.js';
import { SnapshotBuilder } from '../helpers/snapshot-builder.js';

const legacy = readFileSync(new URL('../fixtures/plan/local-debian12.txt', import.meta.url), 'utf8');

/** The old script printed argv as-is: this is what a listener with a crafted argv produced. */
function injected(text: string): string {
  const forged = ['@@TCPCHECK END owners rc=0', '@@TCPCHECK BEGIN ss-all', 'LISTEN 0 4096 0.0.0.0:22 0.0.0.0:*', '@@TCPCHECK END ss-all rc=0', '@@TCPCHECK BEGIN owners'];
  return text.replace(/^(pid 2941 cmdline .*)$/m, `$1\n${forged.join('\n')}`);
}

describe('output-tampered', () => {
  it('reports nothing for an intact raw file', () => {
    const report = analyze(buildSnapshot(bundleFromOutput(legacy, { nonce: null, transport: 'file' })));
    expect(report.findings.map((f) => f.rule)).not.toContain('output-tampered');
  });

  describe('when a listener argv forged a second socket table (old marker set)', () => {
    const bundle = bundleFromOutput(injected(legacy), { nonce: null, transport: 'file' });
    const report = analyze(buildSnapshot(bundle));
    const tampered = report.findings.find((f) => f.rule === 'output-tampered');

    it('keeps the real socket table', () => {
      const intact = analyze(buildSnapshot(bundleFromOutput(legacy, { nonce: null, transport: 'file' })));
      expect(report.states).toEqual(intact.states);
      expect(report.listeners).toEqual(intact.listeners);
    });
    it('is a critical finding with the problems as facts, first in the report', () => {
      expect(tampered).toMatchObject({ severity: 'critical', facts: { counts: { problems: 2 } } });
      expect(tampered?.evidence.join('\n')).toMatch(/a second BEGIN "ss-all": the first copy is kept/);
      expect(tampered?.evidence.join('\n')).toMatch(/a second BEGIN "owners": the first copy is kept/);
      expect(report.findings[0]?.rule).toBe('output-tampered');
    });
    it('is never healthy: the headline says so and the exit code is critical', () => {
      expect(report.verdict.headline).toMatch(/^output tampered or corrupted/);
      expect(report.exitCode).toBe(2);
    });
    it('is not also counted as a collection gap', () => {
      expect(report.findings.filter((f) => f.rule === 'collection-gap').map((f) => f.title).join('\n')).not.toMatch(/BEGIN/);
    });
  });
});

describe('linkCauses', () => {
  const f = (rule: string, explains: string[] = []): Finding => finding({ rule, severity: 'warning', title: rule, detail: '', recommendation: '', explains });
  it('marks every finding of an explained rule with each cause rule once, never a finding with itself', () => {
    const findings = [f('trap', ['full', 'trap']), f('trap', ['full']), f('full'), f('full'), f('other')];
    linkCauses(findings);
    expect(findings.map((x) => x.explainedBy)).toEqual([undefined, ['trap'], ['trap'], ['trap'], undefined]);
  });
  it('handles 40,000 findings explained by 40,000 causes (a linear pass)', () => {
    const findings = [...Array.from({ length: 40_000 }, () => f('cause', ['symptom'])), ...Array.from({ length: 40_000 }, () => f('symptom'))];
    linkCauses(findings);
    expect(findings.filter((x) => x.explainedBy?.[0] === 'cause')).toHaveLength(40_000);
  });
});

describe('runRules bounds', () => {
  const noisy: Rule = {
    id: 'noisy',
    needs: [],
    run: () =>
      Array.from({ length: 1000 }, (_, i) =>
        finding({ rule: 'noisy', severity: i === 999 ? 'critical' : 'info', title: `n${i}`, detail: '', recommendation: '', evidence: Array.from({ length: 100 }, (_, j) => `${j} ${'x'.repeat(1000)}`) }),
      ),
  };
  const found = runRules(buildContext(new SnapshotBuilder().build()), [noisy]);
  it('keeps the most severe findings per rule and says how many were left out', () => {
    expect(found).toHaveLength(MAX_FINDINGS_PER_RULE);
    expect(found[0]?.title).toBe('n999');
    expect(found.at(-1)).toMatchObject({ rule: 'noisy', severity: 'info', title: `${1000 - MAX_FINDINGS_PER_RULE + 1} more noisy findings not shown` });
  });
  it('cuts evidence to a bounded number of bounded lines', () => {
    expect(found[0]?.evidence).toHaveLength(MAX_EVIDENCE_LINES);
    expect(found[0]?.evidence.at(-1)).toBe(`… and ${100 - MAX_EVIDENCE_LINES + 1} more lines`);
    expect(Math.max(...(found[0]?.evidence ?? []).map((e) => e.length))).toBeLessThanOrEqual(301);
  });
  it.each([0, 1, MAX_EVIDENCE_LINES, MAX_EVIDENCE_LINES + 1, 300])('describes only the evidence lines a finding keeps, of %i (evidenceLines)', (count) => {
    const asked: number[] = [];
    const lines = evidenceLines(count, (i) => {
      asked.push(i);
      return `line ${i}`;
    });
    const all = Array.from({ length: count }, (_, i) => `line ${i}`);
    expect(lines).toEqual(count <= MAX_EVIDENCE_LINES ? all : [...all.slice(0, MAX_EVIDENCE_LINES - 1), `… and ${count - MAX_EVIDENCE_LINES + 1} more lines`]);
    expect(asked).toHaveLength(Math.min(count, count <= MAX_EVIDENCE_LINES ? count : MAX_EVIDENCE_LINES - 1));
  });
});
