/**
 * The runbook's ssh-like flags (`tcpcheck check --host H --port P --user U --identity F
 * --known-hosts F --jump [user@]host[:port]`) as a target. The operator types these in their own
 * terminal with their own key, as with `ssh`, so the address policy for named nodes does not
 * apply; the values are still validated strictly.
 */
import { inputInvalid } from '../errors.js';
import { isHostOrAddress, parseJumpSpec, type Config } from '../config/index.js';
import type { SshTarget } from '../domain/target.js';
import { sshTargetFor } from './resolve-target.js';

export interface SshFlags {
  host: string;
  port?: string | number;
  user?: string;
  identity?: string;
  knownHosts?: string;
  jump?: string;
}

const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

/** Builds an SSH target from the flags, with the config's ssh defaults for what they leave out. */
export function targetFromFlags(flags: SshFlags, config: Config): SshTarget {
  const host = flags.host.trim();
  if (!isHostOrAddress(host)) throw inputInvalid(`--host ${JSON.stringify(flags.host)} is not a host name or an IP address.`);
  const base = sshTargetFor(host.toLowerCase(), host, config, 'flags');
  let port = base.port;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || !/^\d+$/.test(String(flags.port))) throw inputInvalid(`--port ${JSON.stringify(String(flags.port))} is not a port number (1-65535).`);
  }
  if (flags.user !== undefined && !USER.test(flags.user)) throw inputInvalid(`--user ${JSON.stringify(flags.user)} is not a login name.`);
  const user = flags.user ?? base.user;
  let jump = base.jump;
  if (flags.jump !== undefined) {
    const parsed = parseJumpSpec(flags.jump);
    if (!parsed) throw inputInvalid(`--jump ${JSON.stringify(flags.jump)} is not [user@]host[:port].`);
    jump = { host: parsed.host, port: parsed.port ?? 22, user: parsed.user ?? user };
  }
  return {
    ...base,
    port,
    user,
    identityFile: flags.identity ?? base.identityFile,
    knownHostsFile: flags.knownHosts ?? base.knownHostsFile,
    jump,
  };
}
