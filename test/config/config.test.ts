import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { ErrorCode, TcpcheckError } from '../../src/errors.js';

const EXAMPLE = join(import.meta.dirname, '../../config/tcpcheck.example.yaml');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TcpcheckError);
    expect((err as TcpcheckError).code).toBe(ErrorCode.ConfigInvalid);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected config_invalid');
}

async function loadProblems(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    expect((err as TcpcheckError).code).toBe(ErrorCode.ConfigInvalid);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected config_invalid');
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tcpcheck-config-'));
  });

  it('reads the example file, every field of it valid', async () => {
    const config = await loadConfig(EXAMPLE, { env: { HOME: '/home/ops' } });
    expect(config.nodes).toEqual([{ name: 'lab-node-0', host: '198.18.0.100', transport: 'ssh' }]);
    expect(config.ssh).toMatchObject({ user: 'root', port: 22, identityFile: '/home/ops/.ssh/id_ed25519', knownHostsFile: '/home/ops/.ssh/known_hosts', hostKeyPolicy: 'strict', sudo: false });
    expect(config.resolvers.allowAddresses).toEqual([]);
    expect(config.kube.mode).toBe('daemonset');
    expect(config.slack.concurrency).toBe(4);
  });

  it('takes the path from TCPCHECK_CONFIG when no path is given', async () => {
    const config = await loadConfig(undefined, { env: { TCPCHECK_CONFIG: EXAMPLE, HOME: '/h' } });
    expect(config.nodes[0]?.name).toBe('lab-node-0');
  });

  it('gives safe defaults without any file: no inventory, no typed addresses, strict host keys', async () => {
    const config = await loadConfig(undefined, { env: { HOME: '/h' } });
    expect(config.nodes).toEqual([]);
    expect(config.resolvers).toEqual({
      kubernetes: { enabled: false, transport: 'kube' },
      awsNames: { enabled: false, cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
      allowAddresses: [],
    });
    expect(config.ssh.hostKeyPolicy).toBe('strict');
    expect(config.limits).toEqual({ connectTimeoutMs: 10_000, commandTimeoutMs: 60_000, maxOutputBytes: 64 * 1024 * 1024, intervalSec: 5 });
  });

  it('says when the file is missing', async () => {
    const problems = await loadProblems(loadConfig(join(dir, 'nope.yaml')));
    expect(problems).toEqual([`${join(dir, 'nope.yaml')}: cannot read the config file: ENOENT`]);
  });

  it('reports YAML syntax errors with their line', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'ssh:\n  user: root\nnodes: [\n  - name: x\n');
    const problems = await loadProblems(loadConfig(file));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(new RegExp(`^${file}:\\d+: `));
  });

  it('refuses duplicate keys', async () => {
    const file = join(dir, 'dup.yaml');
    await writeFile(file, 'ssh:\n  user: root\n  user: admin\n');
    expect((await loadProblems(loadConfig(file)))[0]).toMatch(/:3: /);
  });

  it('treats an empty file as all defaults', async () => {
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '');
    expect((await loadConfig(file)).nodes).toEqual([]);
  });
});

describe('parseConfig', () => {
  it('reports every problem on its own line, with its path', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          ssh: { user: 'root;reboot', port: 70000, hostKeyPolicy: 'yes', jump: 'a@b@c', passphraseEnv: 'my passphrase' },
          nodes: [{ name: 'Node_1', host: 'x;y' }, { name: 'b' }, { name: 'c', host: '1.2.3.4' }, { name: 'c', host: '1.2.3.5' }],
          resolvers: { allowAddresses: ['10.0.0.0/33', 'example.com'] },
          limits: { intervalSec: 61 },
          colour: true,
        },
        'tcpcheck.yaml',
      ),
    );
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^tcpcheck\.yaml: ssh\.user: must be a login name/),
      expect.stringMatching(/^tcpcheck\.yaml: ssh\.port: /),
      expect.stringMatching(/^tcpcheck\.yaml: ssh\.hostKeyPolicy: /),
      'tcpcheck.yaml: ssh.jump: must be [user@]host[:port] or {host, port, user}',
      'tcpcheck.yaml: ssh.passphraseEnv: must be an environment variable name',
      expect.stringMatching(/^tcpcheck\.yaml: nodes\[0\]\.name: must be a node name/),
      'tcpcheck.yaml: nodes[0].host: must be a host name (RFC 1123) or an IP address',
      'tcpcheck.yaml: nodes[1].host: needs host: (or transport: kube)',
      'tcpcheck.yaml: nodes[3].name: duplicate node name "c"',
      'tcpcheck.yaml: resolvers.allowAddresses[0]: must be an address or CIDR such as 10.0.0.0/8',
      'tcpcheck.yaml: resolvers.allowAddresses[1]: must be an address or CIDR such as 10.0.0.0/8',
      expect.stringMatching(/^tcpcheck\.yaml: limits\.intervalSec: /),
      expect.stringMatching(/^tcpcheck\.yaml: \(top level\): .*colour/),
    ]));
    expect(problems).toHaveLength(13);
  });

  it('reads a bastion as user@host:port or as an object', () => {
    expect(parseConfig({ ssh: { jump: 'ops@bastion.example.com:2222' } }).ssh.jump).toEqual({ host: 'bastion.example.com', port: 2222, user: 'ops' });
    expect(parseConfig({ ssh: { jump: '198.18.0.101' } }).ssh.jump).toEqual({ host: '198.18.0.101' });
    expect(parseConfig({ ssh: { jump: { host: 'b', user: 'ops' } } }).ssh.jump).toEqual({ host: 'b', user: 'ops' });
  });

  it('takes true/false as shorthand for a resolver', () => {
    const config = parseConfig({ resolvers: { kubernetes: true, awsNames: { enabled: true, cidrs: ['172.1.0.0/16'] } } });
    expect(config.resolvers.kubernetes).toEqual({ enabled: true, transport: 'kube' });
    expect(config.resolvers.awsNames).toEqual({ enabled: true, cidrs: ['172.1.0.0/16'] });
  });

  it('lower-cases node names and lets kube nodes go without a host', () => {
    const config = parseConfig({ nodes: [{ name: 'Worker-1.Example.com', transport: 'kube' }] });
    expect(config.nodes[0]).toEqual({ name: 'worker-1.example.com', transport: 'kube' });
  });
});
