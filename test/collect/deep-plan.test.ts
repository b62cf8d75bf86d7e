import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newNonce, PLAN_ARG } from '../../src/collect/plan.js';
import { buildDeepPlan } from '../../src/collect/plans/deep.js';

describe('buildDeepPlan', () => {
  const nonce = newNonce();

  it('passes only name=number arguments every transport accepts', () => {
    const plan = buildDeepPlan({ seconds: 10, ports: [31493, 30899], pids: [1515], nonce });
    expect(plan.args).toEqual(['window=10', 'packets=2000', `nonce=${nonce}`, 'port=31493', 'port=30899', 'pid=1515']);
    expect(plan.args.every((a) => PLAN_ARG.test(a))).toBe(true);
    expect(plan).toMatchObject({ intervalSec: 10, expectedSec: 20, nonce });
  });

  it('bounds the window to 1..60 s and drops ports and pids that are not numbers in range', () => {
    expect(buildDeepPlan({ seconds: 600, ports: [1], pids: [], nonce }).intervalSec).toBe(60);
    expect(buildDeepPlan({ seconds: 0, ports: [1], pids: [], nonce }).intervalSec).toBe(1);
    const plan = buildDeepPlan({ seconds: 5, ports: [0, 70000, 1.5, 22, 22], pids: [-1, 42], nonce });
    expect(plan.args.filter((a) => /^(port|pid)=/.test(a))).toEqual(['port=22', 'pid=42']);
  });

  it('refuses a nonce that is not 128 bits of hex', () => {
    expect(() => buildDeepPlan({ seconds: 5, ports: [22], pids: [], nonce: 'abc' })).toThrow(/nonce/);
  });

  it('has a script that exits before running anything when an argument is not a decimal number', () => {
    const plan = buildDeepPlan({ seconds: 5, ports: [22], pids: [], nonce });
    // Hex passes the transports' PLAN_ARG; the script itself wants decimal digits.
    const run = spawnSync('sh', ['-s', '--', 'window=ff', ...plan.args.slice(1)], { input: plan.script, encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  });
});
