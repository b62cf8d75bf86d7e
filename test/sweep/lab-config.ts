/** A config file whose inventory is a lab's nodes (root, the lab's key, strict known_hosts). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Lab } from '../lab/lab.js';

/** Writes `tcpcheck.yaml` into the lab's directory, with `extra` sections merged in; returns its path. */
export async function writeLabConfig(lab: Lab, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(lab.dir, 'tcpcheck.yaml');
  const config = {
    ssh: { user: 'root', identityFile: lab.clientKeyPath, knownHostsFile: lab.knownHostsPath, useAgent: false },
    nodes: lab.nodes.map((n) => ({ name: n.name, host: n.address })),
    limits: { connectTimeoutMs: 3000 },
    ...extra,
  };
  await writeFile(path, stringify(config));
  return path;
}
