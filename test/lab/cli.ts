/**
 * `npm run lab:up [-- --nodes N]` starts a lab that outlives this command, for demos;
 * `npm run lab:down` removes it (and any stale lab). Needs root.
 */
import { parseArgs } from 'node:util';
import { startLab, sweepStaleLabs } from './lab.js';

async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { nodes: { type: 'string', default: '3' } } });
  const lab = await startLab({ nodes: Number(values.nodes), persistent: true });
  const n0 = lab.nodes[0]!;
  const lines = [
    `lab ${lab.id} is up: ${lab.subnet}, namespaces ${lab.prefix}*`,
    ...lab.nodes.map((n) => `  ${n.name.padEnd(12)} ${n.address.padEnd(15)} netns ${n.netns}  host key ${n.hostKeyFingerprint}`),
    `  peers        ${lab.peer.addresses.join(', ')} (netns ${lab.peer.netns})`,
    `identity:    ${lab.clientKeyPath}`,
    `known_hosts: ${lab.knownHostsPath}`,
    `ports: ${Object.entries(lab.ports).map(([k, v]) => `${v} ${k}`).join(', ')}`,
    '',
    'try:',
    `  npx tcpcheck check --host ${n0.address} --user root --identity ${lab.clientKeyPath} --known-hosts ${lab.knownHostsPath}`,
    `  ip netns exec ${n0.netns} ss -ltnp`,
    'stop with: npm run lab:down',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function down(): Promise<void> {
  const swept = await sweepStaleLabs({ includePersistent: true });
  process.stdout.write(swept.length ? `removed lab ${swept.join(', ')}\n` : 'no lab to remove\n');
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'up' ? up(rest) : command === 'down' ? down() : Promise.reject(new Error('usage: cli.ts up [--nodes N] | down'));
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
