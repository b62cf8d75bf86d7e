/**
 * The node inventory: from a name (or the CLI's ssh-like flags) to a target, and from a target to
 * nothing more: src/app/targets.ts turns a target into the transport that reaches it.
 *
 *     const config = await loadConfig(flags.config);
 *     const target = flags.host ? targetFromFlags(flags, config) : await resolveTarget(node, config, deps);
 *     const transport = await createTransport(target, config, deps);
 */
export { resolveTarget, sshTargetFor, type KubeNodeInfo, type ResolveDeps, type ResolveOptions } from './resolve-target.js';
export { targetFromFlags, type SshFlags } from './flags.js';
export { validateNodeName } from './node-name.js';
export { addressFromAwsName } from './aws-name.js';
export { addressAllowed } from './address-policy.js';
export type { KubeTarget, SshTarget, Target, TargetSource } from '../domain/target.js';
