/** A lab node reached over real SSH, for the Slack and queue tests. */
import { SshTransport } from '../../src/collect/transports/ssh.js';
import type { Transport } from '../../src/collect/transport.js';
import type { Lab } from '../lab/lab.js';

/** SSH transport to lab node `index` (root, the lab's key, strict known_hosts). */
export function labTransport(lab: Lab, index = 0): Transport {
  const node = lab.nodes[index]!;
  return new SshTransport({ host: node.address, port: node.sshPort, user: 'root', identityFile: lab.clientKeyPath, knownHostsFile: lab.knownHostsPath, agent: false, connectTimeoutMs: 5000 });
}

/** SSH transport to the lab address where nothing answers. */
export function unreachableTransport(lab: Lab): Transport {
  return new SshTransport({ host: lab.unusedAddress, port: 22, user: 'root', identityFile: lab.clientKeyPath, knownHostsFile: lab.knownHostsPath, agent: false, connectTimeoutMs: 1500 });
}
