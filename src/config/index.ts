/**
 * The config file: YAML, validated once at start, every problem reported on its own line.
 * Path: `--config FILE`, else `$TCPCHECK_CONFIG`, else none (defaults: no inventory, typed
 * addresses refused). Example with every field: config/tcpcheck.example.yaml.
 *
 * Each part of the product owns its section's schema in its own file; this file only composes
 * them: a new section is one import and one line in {@link configSchema}.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { configInvalid } from '../errors.js';
import { clusterConfigSchema } from './cluster-schema.js';
import { deepConfigSchema } from './deep-schema.js';
import { kubeConfigSchema } from './kube-schema.js';
import { inventoryShape } from './schema.js';
import { slackConfigSchema } from './slack-schema.js';
import { historySchema, sweepsSchema } from './sweep-schema.js';

export const configSchema = z
  .object({
    ...inventoryShape,
    kube: kubeConfigSchema.prefault({}),
    cluster: clusterConfigSchema.prefault({}),
    slack: slackConfigSchema.prefault({}),
    deep: deepConfigSchema.prefault({}),
    sweeps: sweepsSchema,
    history: historySchema.prefault({}),
  })
  .strict();

/** The validated config, defaults applied, `~` expanded. */
export type Config = z.infer<typeof configSchema>;
/** What a config file may contain. */
export type ConfigInput = z.input<typeof configSchema>;

export { isHostOrAddress } from './names.js';
export { parseCidr, parseJumpSpec, type JumpSpec, type NodeEntry, type SshDefaults } from './schema.js';

export interface LoadConfigOptions {
  /** Environment for `TCPCHECK_CONFIG` and `~`. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

/** `nodes[2].host` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

function expandHome(p: string | undefined, home: string): string | undefined {
  return p === undefined ? undefined : p === '~' ? home : p.startsWith('~/') ? `${home}${p.slice(1)}` : p;
}

/**
 * Validates already-parsed config data (e.g. from YAML). Throws `config_invalid` listing every
 * problem, one per line, as `source: path: message`.
 */
export function parseConfig(data: unknown, source = 'config', opts: LoadConfigOptions = {}): Config {
  const result = configSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${formatPath(i.path) || '(top level)'}: ${i.message}`);
    throw configInvalid(lines.join('\n'));
  }
  const home = (opts.env ?? process.env).HOME || homedir();
  const config = result.data;
  config.ssh.identityFile = expandHome(config.ssh.identityFile, home);
  config.ssh.knownHostsFile = expandHome(config.ssh.knownHostsFile, home)!;
  for (const n of config.nodes) n.identityFile = expandHome(n.identityFile, home);
  return config;
}

/** Reads and validates the config file (see the module comment for where the path comes from). */
export async function loadConfig(path?: string, opts: LoadConfigOptions = {}): Promise<Config> {
  const file = path ?? (opts.env ?? process.env).TCPCHECK_CONFIG;
  if (!file) return parseConfig({}, 'defaults', opts);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw configInvalid(`${file}: cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw configInvalid(doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  return parseConfig(doc.toJS(), file, opts);
}
