/**
 * The `ssh:`, `nodes:`, `resolvers:` and `limits:` sections of the config file (the inventory
 * and how to reach it). Composed with the other sections in src/config/index.ts; every field is
 * documented in config/tcpcheck.example.yaml.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { HOSTNAME, isHostOrAddress } from './names.js';

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). */
export function parseCidr(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', bits, ...rest] = s.split('/');
  const v = isIP(address);
  if (v === 0 || rest.length > 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

const host = z.string().refine(isHostOrAddress, 'must be a host name (RFC 1123) or an IP address');
const port = z.number().int().min(1).max(65535);
/** POSIX-ish login names, as useradd accepts them. */
const user = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a login name (letters, digits, "_", "-", ".")');
const cidr = z.string().refine((s) => parseCidr(s) !== null, 'must be an address or CIDR such as 10.0.0.0/8');
const path = z.string().min(1);

/** `[user@]host[:port]`, as `ssh -J` takes it. */
export function parseJumpSpec(spec: string): { host: string; port?: number; user?: string } | null {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/.exec(spec);
  if (!m) return null;
  const h = m[2]!.replace(/^\[|\]$/g, '');
  const p = m[3] === undefined ? undefined : Number(m[3]);
  if (!isHostOrAddress(h) || (p !== undefined && (p < 1 || p > 65535))) return null;
  if (m[1] !== undefined && !user.safeParse(m[1]).success) return null;
  return { host: h, ...(p === undefined ? {} : { port: p }), ...(m[1] === undefined ? {} : { user: m[1] }) };
}

/** A bastion: `user@host:port` or `{host, port, user}`. */
const jump = z.preprocess(
  (v) => (typeof v === 'string' ? (parseJumpSpec(v) ?? v) : v),
  z.object({ host, port: port.optional(), user: user.optional() }, { error: 'must be [user@]host[:port] or {host, port, user}' }).strict(),
);

export const sshDefaultsSchema = z
  .object({
    /** Login user. @defaultValue 'root' */
    user: user.default('root'),
    /** @defaultValue 22 */
    port: port.default(22),
    /** Private key file; `~` is expanded. Unset: the ssh-agent only. */
    identityFile: path.optional(),
    /** Environment variable holding the identity file's passphrase (never the passphrase itself). */
    passphraseEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    /** Also offer the keys of the ssh-agent at $SSH_AUTH_SOCK. @defaultValue true */
    useAgent: z.boolean().default(true),
    /** known_hosts file every host key must be in. @defaultValue '~/.ssh/known_hosts' */
    knownHostsFile: path.default('~/.ssh/known_hosts'),
    /** `strict` refuses unknown keys; `accept-new` adds them (a changed key is always refused). @defaultValue 'strict' */
    hostKeyPolicy: z.enum(['strict', 'accept-new']).default('strict'),
    /** Bastion for every node (ProxyJump). */
    jump: jump.optional(),
    /** Run the plan with `sudo -n` (for a non-root user). @defaultValue false */
    sudo: z.boolean().default(false),
  })
  .strict();

/** RFC 1123 names as Kubernetes uses them for nodes (lower case). */
const nodeName = z.string().regex(HOSTNAME, 'must be a node name (RFC 1123: letters, digits, "-", ".")').transform((s) => s.toLowerCase());

export const nodeSchema = z
  .object({
    /** What users type: `tcpcheck check NAME`, `/tcpcheck NAME`. */
    name: nodeName,
    /** Address or DNS name to SSH to. Required for `transport: ssh`. */
    host: host.optional(),
    port: port.optional(),
    user: user.optional(),
    identityFile: path.optional(),
    jump: jump.optional(),
    sudo: z.boolean().optional(),
    /** `ssh`, or `kube` (exec through the Kubernetes API; see the `kube:` section). @defaultValue 'ssh' */
    transport: z.enum(['ssh', 'kube']).default('ssh'),
  })
  .strict()
  .refine((n) => n.transport === 'kube' || n.host !== undefined, { message: 'needs host: (or transport: kube)', path: ['host'] });

/** `true`/`false` is shorthand for `{enabled: true|false}`. */
const toggle = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((v) => (typeof v === 'boolean' ? { enabled: v } : v), z.object({ enabled: z.boolean().default(false), ...shape }).strict());

export const resolversSchema = z
  .object({
    /** Resolve node names through the Kubernetes API (node → InternalIP). */
    kubernetes: toggle({
      /** `kube`: exec through the API; `ssh`: SSH to the node's InternalIP. @defaultValue 'kube' */
      transport: z.enum(['kube', 'ssh']).default('kube'),
    }).prefault({}),
    /** EC2-style names: `ip-172-1-52-100` → 172.1.52.100, only inside `cidrs`. */
    awsNames: toggle({
      /** Addresses such names may map to. @defaultValue the RFC 1918 ranges */
      cidrs: z.array(cidr).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
    }).prefault({}),
    /** Addresses a user may type instead of a name. @defaultValue [] (never connect to a typed address) */
    allowAddresses: z.array(cidr).default([]),
  })
  .strict();

export const limitsSchema = z
  .object({
    /** TCP connect + SSH handshake + auth, per hop. @defaultValue 10000 */
    connectTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** The collection script, from start to exit (on top of the sampling interval). @defaultValue 60000 */
    commandTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    /** Stop reading a node's output past this size. @defaultValue 67108864 (64 MiB) */
    maxOutputBytes: z.number().int().min(4096).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Seconds between the two samples when none is given. @defaultValue 5 */
    intervalSec: z.number().int().min(0).max(60).default(5),
  })
  .strict();

/** The inventory sections; src/config/index.ts adds the others. */
export const inventoryShape = {
  ssh: sshDefaultsSchema.prefault({}),
  nodes: z
    .array(nodeSchema)
    .default([])
    .superRefine((nodes, ctx) => {
      const seen = new Set<string>();
      nodes.forEach((n, i) => {
        if (seen.has(n.name)) ctx.addIssue({ code: 'custom', message: `duplicate node name "${n.name}"`, path: [i, 'name'] });
        seen.add(n.name);
      });
    }),
  resolvers: resolversSchema.prefault({}),
  limits: limitsSchema.prefault({}),
};

export type SshDefaults = z.infer<typeof sshDefaultsSchema>;
export type NodeEntry = z.infer<typeof nodeSchema>;
export type JumpSpec = NonNullable<SshDefaults['jump']>;
