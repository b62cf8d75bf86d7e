import { describe, expect, it } from 'vitest';
import { redactArgs, redactCmdline, REDACTED } from '../../src/parse/redact.js';

describe('redactArgs', () => {
  it.each([
    ['a --*password*= flag', ['app', '--db-password=hunter2'], ['app', `--db-password=${REDACTED}`]],
    ['a --*token*= flag', ['app', '--slack-token=xoxb-1-2'], ['app', `--slack-token=${REDACTED}`]],
    ['a --*secret*= flag', ['app', '--client-secret=s3'], ['app', `--client-secret=${REDACTED}`]],
    ['a --*key*= flag', ['app', '--api-key=AKIA123', '--tls-key=/etc/k.pem'], ['app', `--api-key=${REDACTED}`, `--tls-key=${REDACTED}`]],
    ['a secret flag and its value as two arguments', ['app', '--password', 'hunter2', '-v'], ['app', '--password', REDACTED, '-v']],
    ['user:pass@ in a URL', ['app', '--upstream=https://bob:pw@db.internal:5432/x'], ['app', `--upstream=https://bob:${REDACTED}@db.internal:5432/x`]],
    ['a URL as its own argument', ['redis://:pw@10.0.0.1:6379'], [`redis://:${REDACTED}@10.0.0.1:6379`]],
    ['an environment-style assignment', ['env', 'AWS_SECRET_ACCESS_KEY=abc', 'DB_PASSWORD=x', 'HOME=/root', 'app'], ['env', `AWS_SECRET_ACCESS_KEY=${REDACTED}`, `DB_PASSWORD=${REDACTED}`, 'HOME=/root', 'app']],
  ])('redacts %s', (_what, args, want) => {
    expect(redactArgs(args)).toEqual(want);
  });

  it('keeps what diagnosis needs: the binary, --proxy-mode, --kubeconfig, addresses', () => {
    const args = ['/usr/local/bin/kube-proxy', '--proxy-mode=ipvs', '--kubeconfig=/var/lib/kube-proxy/kubeconfig', '--v=2', '127.0.0.1:6379', 'http://db.internal:5432'];
    expect(redactArgs(args)).toEqual(args);
  });

  it('does not take the next flag for a secret value', () => {
    expect(redactArgs(['app', '--token', '--verbose'])).toEqual(['app', '--token', '--verbose']);
  });
});

describe('redactCmdline', () => {
  it('redacts a command line whose arguments were joined by spaces', () => {
    expect(redactCmdline('/usr/bin/app --db-password=hunter2 --password hunter3 --proxy-mode=iptables')).toBe(`/usr/bin/app --db-password=${REDACTED} --password ${REDACTED} --proxy-mode=iptables`);
  });
});
