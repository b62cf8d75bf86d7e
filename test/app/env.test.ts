import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/app/env.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdefabcdef0123456789' };

describe('the ops port (METRICS_PORT)', () => {
  it('defaults to 9091, apart from the public 3000', () => {
    const r = loadEnv(base, 'bot');
    expect(r.ok && [r.value.PORT, r.value.METRICS_PORT]).toEqual([3000, 9091]);
  });
  it('refuses the public port for /healthz and /metrics, naming the variable', () => {
    expect(loadEnv({ ...base, PORT: '8080', METRICS_PORT: '8080' }, 'serve')).toEqual({ ok: false, issues: ['METRICS_PORT must differ from PORT: /healthz and /metrics stay off the public Slack port'] });
  });
  it('lets a worker, which serves no Slack endpoint, use any port', () => {
    expect(loadEnv({ ...base, PORT: '8080', METRICS_PORT: '8080' }, 'worker').ok).toBe(true);
  });
  it('refuses a METRICS_PORT that is not a port number', () => {
    const r = loadEnv({ ...base, METRICS_PORT: '70000' }, 'bot');
    expect(r.ok ? [] : r.issues).toEqual(['METRICS_PORT must be a port number']);
  });
});
