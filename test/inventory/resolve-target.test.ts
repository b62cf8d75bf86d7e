import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { ErrorCode, TcpcheckError } from '../../src/errors.js';
import { addressFromAwsName, resolveTarget, targetFromFlags, type KubeNodeInfo } from '../../src/inventory/index.js';

const HOME = { env: { HOME: '/home/ops' } };
const base = parseConfig({
  ssh: { user: 'ops', identityFile: '~/.ssh/tcpcheck', passphraseEnv: 'KEY_PASS', jump: 'bastion.example.com' },
  nodes: [
    { name: 'lab-node-0', host: '198.18.0.100' },
    { name: 'db-1', host: 'db-1.internal', port: 2222, user: 'admin', sudo: true, jump: 'root@198.18.0.101:22' },
    { name: 'worker-7', transport: 'kube' },
  ],
}, 'test', HOME);

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<TcpcheckError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(TcpcheckError);
    return err as TcpcheckError;
  }
  throw new Error('expected a coded error');
}

/** A Kubernetes lookup that records what it was asked. */
function kubeLookup(nodes: Record<string, string | null>) {
  const asked: string[] = [];
  const lookup = async (name: string): Promise<KubeNodeInfo | null> => {
    asked.push(name);
    return name in nodes ? { name, internalIP: nodes[name] ?? null } : null;
  };
  return { asked, lookup };
}

describe('resolveTarget', () => {
  describe('when the name is not a plain host name or address', () => {
    it.each([
      ['a;reboot'], ['$(id)'], ['`id`'], ['-oProxyCommand=sh'], ['node 1'], ['node\n1'], [''], ['../etc/passwd'], ['a'.repeat(254)], ['node|cat'], ['*'], ['ip-1-2-3-4;x'],
    ])('refuses %j before any lookup', async (name) => {
      const kube = kubeLookup({});
      const config = parseConfig({ resolvers: { kubernetes: true, awsNames: true } }, 'test', HOME);
      const err = await codeOf(resolveTarget(name, config, { lookupKubeNode: kube.lookup }));
      expect(err.code).toBe(ErrorCode.InputInvalid);
      expect(kube.asked).toEqual([]);
    });
  });

  describe('when the node is in the inventory', () => {
    it('fills in the ssh defaults, with ~ expanded', async () => {
      expect(await resolveTarget('lab-node-0', base)).toEqual({
        transport: 'ssh', name: 'lab-node-0', host: '198.18.0.100', port: 22, user: 'ops', identityFile: '/home/ops/.ssh/tcpcheck',
        passphraseEnv: 'KEY_PASS', useAgent: true, knownHostsFile: '/home/ops/.ssh/known_hosts', hostKeyPolicy: 'strict',
        jump: { host: 'bastion.example.com', port: 22, user: 'ops' }, sudo: false, source: 'inventory',
      });
    });

    it('applies the entry’s overrides and matches names case-insensitively', async () => {
      expect(await resolveTarget('DB-1', base)).toMatchObject({ host: 'db-1.internal', port: 2222, user: 'admin', sudo: true, jump: { host: '198.18.0.101', port: 22, user: 'root' } });
    });

    it('gives a kube target for transport: kube, and honours --transport', async () => {
      expect(await resolveTarget('worker-7', base)).toEqual({ transport: 'kube', name: 'worker-7', nodeName: 'worker-7', source: 'inventory' });
      expect(await resolveTarget('lab-node-0', base, {}, { transport: 'kube' })).toMatchObject({ transport: 'kube', nodeName: 'lab-node-0', host: '198.18.0.100' });
      expect((await codeOf(resolveTarget('worker-7', base, {}, { transport: 'ssh' }))).code).toBe(ErrorCode.NodeNotFound);
    });
  });

  describe('when the user types an address', () => {
    it('refuses it unless resolvers.allowAddresses covers it', async () => {
      const err = await codeOf(resolveTarget('198.18.0.100', base));
      expect(err.code).toBe(ErrorCode.NodeNotFound);
      expect(err.hint).toContain('allowAddresses');
      const allowing = parseConfig({ resolvers: { allowAddresses: ['198.18.0.0/15', 'fd00::/8'] } }, 'test', HOME);
      expect(await resolveTarget('198.18.0.100', allowing)).toMatchObject({ transport: 'ssh', host: '198.18.0.100', source: 'address' });
      expect(await resolveTarget('FD00::1', allowing)).toMatchObject({ host: 'fd00::1' });
      expect((await codeOf(resolveTarget('10.0.0.1', allowing))).code).toBe(ErrorCode.NodeNotFound);
    });
  });

  describe('when the EC2 naming convention is enabled', () => {
    const aws = parseConfig({ resolvers: { awsNames: { enabled: true, cidrs: ['172.1.0.0/16'] } } }, 'test', HOME);

    it('maps ip-a-b-c-d names inside the allowed ranges', async () => {
      expect(await resolveTarget('ip-172-1-52-100', aws)).toMatchObject({ transport: 'ssh', name: 'ip-172-1-52-100', host: '172.1.52.100', source: 'aws-name' });
      expect(await resolveTarget('ip-172-1-52-100.us-west-2.compute.internal', aws)).toMatchObject({ host: '172.1.52.100' });
    });

    it('refuses names that map outside them, and the convention when disabled', async () => {
      expect((await codeOf(resolveTarget('ip-10-0-0-1', aws))).message).toContain('10.0.0.1');
      expect((await codeOf(resolveTarget('ip-172-1-52-100', base))).code).toBe(ErrorCode.NodeNotFound);
    });
  });

  describe('when the Kubernetes API is a resolver', () => {
    it('asks it for unknown names and uses the node’s InternalIP or the kube transport', async () => {
      const kube = kubeLookup({ 'ip-10-0-1-5.ec2.internal': '10.0.1.5', 'no-ip': null });
      const viaKube = parseConfig({ resolvers: { kubernetes: true } }, 'test', HOME);
      expect(await resolveTarget('ip-10-0-1-5.ec2.internal', viaKube, { lookupKubeNode: kube.lookup })).toEqual({
        transport: 'kube', name: 'ip-10-0-1-5.ec2.internal', nodeName: 'ip-10-0-1-5.ec2.internal', host: '10.0.1.5', source: 'kubernetes',
      });
      const viaSsh = parseConfig({ resolvers: { kubernetes: { enabled: true, transport: 'ssh' } } }, 'test', HOME);
      expect(await resolveTarget('ip-10-0-1-5.ec2.internal', viaSsh, { lookupKubeNode: kube.lookup })).toMatchObject({ transport: 'ssh', host: '10.0.1.5', source: 'kubernetes' });
      expect((await codeOf(resolveTarget('no-ip', viaSsh, { lookupKubeNode: kube.lookup }))).code).toBe(ErrorCode.NodeNotFound);
      expect((await codeOf(resolveTarget('ghost', viaKube, { lookupKubeNode: kube.lookup }))).code).toBe(ErrorCode.NodeNotFound);
      expect(kube.asked).toEqual(['ip-10-0-1-5.ec2.internal', 'ip-10-0-1-5.ec2.internal', 'no-ip', 'ghost']);
    });

    it('says so when it is enabled but no client is wired', async () => {
      const err = await codeOf(resolveTarget('worker-9', parseConfig({ resolvers: { kubernetes: true } })));
      expect(err.code).toBe(ErrorCode.KubeApi);
    });
  });

  it('refuses a name nothing vouches for', async () => {
    const err = await codeOf(resolveTarget('nowhere', base));
    expect(err.code).toBe(ErrorCode.NodeNotFound);
    expect(err.message).toContain('nowhere');
  });
});

describe('addressFromAwsName', () => {
  it.each([
    ['ip-172-1-52-100', '172.1.52.100'],
    ['ip-10-0-0-1.ec2.internal', '10.0.0.1'],
    ['ip-10-0-0-256', null],
    ['ip-10-0-0', null],
    ['node-10-0-0-1', null],
  ])('%s → %s', (name, address) => {
    expect(addressFromAwsName(name)).toBe(address);
  });
});

describe('targetFromFlags', () => {
  it('builds an SSH target from ssh-like flags, config defaults for the rest', () => {
    expect(targetFromFlags({ host: '198.18.0.100', port: '2222', user: 'root', identity: '/k', knownHosts: '/kh', jump: 'ops@198.18.0.101:22' }, base)).toMatchObject({
      transport: 'ssh', host: '198.18.0.100', port: 2222, user: 'root', identityFile: '/k', knownHostsFile: '/kh', jump: { host: '198.18.0.101', port: 22, user: 'ops' }, source: 'flags',
    });
    expect(targetFromFlags({ host: 'node.example.com' }, base)).toMatchObject({ port: 22, user: 'ops', identityFile: '/home/ops/.ssh/tcpcheck', jump: { host: 'bastion.example.com' } });
  });

  it.each([
    [{ host: 'a;b' }, '--host'],
    [{ host: 'a', port: '22x' }, '--port'],
    [{ host: 'a', port: '0' }, '--port'],
    [{ host: 'a', user: 'root;id' }, '--user'],
    [{ host: 'a', jump: 'x@y@z' }, '--jump'],
    [{ host: 'a', jump: '-oProxyCommand=sh' }, '--jump'],
  ])('refuses %j', async (flags, flag) => {
    const err = await codeOf(() => targetFromFlags(flags, base));
    expect(err.code).toBe(ErrorCode.InputInvalid);
    expect(err.message).toContain(flag);
  });
});
