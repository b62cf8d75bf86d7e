/**
 * Coded errors, one small class per case (the bolt-js pattern). Every message says what happened
 * in words a tired on-call engineer understands; `hint` says what to do next.
 * `retryable` tells the job queue whether another attempt can help (BullMQ's UnrecoverableError otherwise).
 */

export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  NodeNotFound: 'node_not_found',
  NodeUnreachable: 'node_unreachable',
  ConnectionRefused: 'connection_refused',
  HostKeyUnknown: 'host_key_unknown',
  HostKeyChanged: 'host_key_changed',
  AuthFailed: 'auth_failed',
  ConnectTimeout: 'connect_timeout',
  CommandTimeout: 'command_timeout',
  ConnectionLost: 'connection_lost',
  OutputTooLarge: 'output_too_large',
  Cancelled: 'cancelled',
  PrivilegeDenied: 'privilege_denied',
  KubeApi: 'kube_api_error',
  KubeNoAgentPod: 'kube_no_agent_pod',
  KubePodNotReady: 'kube_pod_not_ready',
  InputInvalid: 'input_invalid',
  CollectionFailed: 'collection_failed',
  SlackRefused: 'slack_refused',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Marks a coded error in whichever copy of this module made it (see {@link TcpcheckError}). */
const BRAND = Symbol.for('tcpcheck.TcpcheckError');

/**
 * A coded error. `instanceof` holds for a coded error made by any copy of this module: the built
 * CLI runs from bundles that each carry one (scripts/bundle.mjs), and an error one throws is caught
 * and reported by another.
 */
export class TcpcheckError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TcpcheckError';
    this.code = code;
    this.hint = opts.hint ?? '';
    this.retryable = opts.retryable ?? false;
  }
}

/** True for any coded error, also one that crossed a process boundary as plain data. */
export function isTcpcheckError(err: unknown): err is TcpcheckError {
  return err instanceof TcpcheckError;
}

export const configInvalid = (message: string) =>
  new TcpcheckError(ErrorCode.ConfigInvalid, message, { hint: 'Fix the configuration file or environment and start again.' });

export const nodeNotFound = (name: string) =>
  new TcpcheckError(ErrorCode.NodeNotFound, `No node called "${name}" in the inventory, the Kubernetes API or the enabled naming conventions.`, {
    hint: 'Check the spelling, or add the node to the inventory (nodes: in the config file).',
  });

export const nodeUnreachable = (target: string, cause?: unknown) =>
  new TcpcheckError(ErrorCode.NodeUnreachable, `Could not reach ${target}: no route or no answer.`, {
    hint: 'Check that the node is up and that this worker can reach it (security groups, bastion).',
    retryable: true,
    cause,
  });

export const connectionRefused = (target: string, cause?: unknown) =>
  new TcpcheckError(ErrorCode.ConnectionRefused, `${target} refused the SSH connection: nothing listens on that port.`, {
    hint: 'Check that sshd runs on the node and the port in the config is right.',
    retryable: true,
    cause,
  });

export const hostKeyUnknown = (target: string, fingerprint: string, knownHosts: string) =>
  new TcpcheckError(ErrorCode.HostKeyUnknown, `The host key of ${target} (${fingerprint}) is not in ${knownHosts}; refusing to connect.`, {
    hint: `Verify the fingerprint out of band, then add it: ssh-keyscan -H <host> >> ${knownHosts}`,
  });

export const hostKeyChanged = (target: string, fingerprint: string, knownHosts: string) =>
  new TcpcheckError(ErrorCode.HostKeyChanged, `The host key of ${target} has CHANGED (now ${fingerprint}); refusing to connect. This can mean a rebuilt node or a man in the middle.`, {
    hint: `If the node was rebuilt, remove the old entry (ssh-keygen -R <host> -f ${knownHosts}) and add the new one after checking it.`,
  });

export const authFailed = (target: string, user: string, cause?: unknown) =>
  new TcpcheckError(ErrorCode.AuthFailed, `${target} refused authentication for user "${user}".`, {
    hint: 'Check the user, the identity file (and its passphrase env var) or the ssh-agent, and authorized_keys on the node.',
    cause,
  });

export const connectTimeout = (target: string, ms: number) =>
  new TcpcheckError(ErrorCode.ConnectTimeout, `Connecting to ${target} timed out after ${ms} ms.`, {
    hint: 'The node may be down or firewalled; try again, or check it from the bastion.',
    retryable: true,
  });

export const commandTimeout = (target: string, ms: number) =>
  new TcpcheckError(ErrorCode.CommandTimeout, `The diagnostics on ${target} did not finish within ${ms} ms.`, {
    hint: 'The node may be overloaded. Try again, or raise the command timeout in the config.',
    retryable: true,
  });

export const connectionLost = (target: string, cause?: unknown) =>
  new TcpcheckError(ErrorCode.ConnectionLost, `The connection to ${target} was lost before the diagnostics finished.`, {
    hint: 'Try again; if it keeps happening, check sshd and the network path to the node.',
    retryable: true,
    cause,
  });

export const outputTooLarge = (target: string, limit: number) =>
  new TcpcheckError(ErrorCode.OutputTooLarge, `The diagnostics on ${target} printed more than ${limit} bytes; stopped reading.`, {
    hint: 'Raise limits.maxOutputBytes in the config if the node really has that many sockets.',
  });

export const cancelled = (target: string) =>
  new TcpcheckError(ErrorCode.Cancelled, `The diagnosis of ${target} was cancelled.`);

export const inputInvalid = (message: string, hint = 'Usage: tcpcheck NODE [--deep] [--interval N]') => new TcpcheckError(ErrorCode.InputInvalid, message, { hint });

/** What `tcpcheck analyze` takes, for errors about the path it was given. */
export const ANALYZE_USAGE = 'Usage: tcpcheck analyze PATH (a saved listing or transcript, raw collection output, or a `check --save` directory; - for standard input)';

export const slackRefused = (code: string) =>
  new TcpcheckError(ErrorCode.SlackRefused, `Slack refused the post: ${code}.`, {
    hint: 'Check that tcpcheck is in the channel and its token has the scopes in slack-app-manifest.yml.',
  });
