/**
 * Strict parsing of the slash command's text: `NODE [--deep] [--interval N]`, `sweep [NODES…]`,
 * `history NODE` or `help` (so `help`, `sweep` and `history` are words, never node names).
 * Pure. Anything else is refused with the reasons, never guessed at; the node name is checked
 * against the hostname/IP character set here and against the inventory afterwards.
 */

export type CommandRequest =
  | { kind: 'help' }
  /** A sweep of these nodes, or of every inventory node when empty. */
  | { kind: 'sweep'; nodes: string[] }
  /** The last sweeps of one node. */
  | { kind: 'history'; node: string }
  | {
      kind: 'check';
      node: string;
      deep: boolean;
      /** Seconds between samples; null when not given (the config default applies). */
      intervalSec: number | null;
    };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** Longer text is refused before looking at it: no node name or option needs this much. */
export const MAX_COMMAND_TEXT = 300;

export const USAGE = 'Usage: `/tcpcheck NODE [--deep] [--interval SECONDS]`, `/tcpcheck sweep [NODES…]`, `/tcpcheck history NODE` or `/tcpcheck help`';

/** RFC 1123 host name: labels of letters, digits and inner hyphens, at most 63 each, 253 in all. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** IPv6 in the forms people paste (no zone, no brackets); the inventory decides whether it is allowed. */
const IPV6 = /^(?=.*:)[0-9A-Fa-f:.]{2,45}$/;

/** True when `name` is a syntactically valid host name or IP address. */
export function isNodeName(name: string): boolean {
  return HOSTNAME.test(name) || IPV4.test(name) || (IPV6.test(name) && (name.match(/::/g)?.length ?? 0) <= 1);
}

/** Parses the text of `/tcpcheck …`. */
export function parseCommandText(raw: string): ParseResult<CommandRequest> {
  if (raw.length > MAX_COMMAND_TEXT) return { ok: false, issues: [`The text is ${raw.length} characters long; a node name and options need far fewer (at most ${MAX_COMMAND_TEXT}).`] };
  const text = raw.trim();
  if (text === '') return { ok: false, issues: ['Say which node to check.'] };
  // Only printable ASCII separated by plain spaces: rules out shell metacharacters, control
  // characters and look-alike Unicode in one place, before any token is interpreted.
  if (!/^[A-Za-z0-9.:=\- ]+$/.test(text)) {
    return { ok: false, issues: ['Only letters, digits, ".", ":", "-" and spaces are accepted; nothing was run.'] };
  }
  const tokens = text.split(/ +/);
  const verb = tokens[0]!.toLowerCase();
  if (tokens.length === 1 && verb === 'help') return { ok: true, value: { kind: 'help' } };
  if (verb === 'sweep' || verb === 'history') return parseNodeWords(verb, tokens.slice(1));

  const issues: string[] = [];
  let node: string | null = null;
  let deep = false;
  let intervalSec: number | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--deep') {
      deep = true;
    } else if (token === '--interval' || token.startsWith('--interval=')) {
      const value = token === '--interval' ? tokens[++i] : token.slice('--interval='.length);
      if (value === undefined || !/^\d{1,2}$/.test(value) || Number(value) > 60) issues.push('--interval takes whole seconds from 0 to 60.');
      else intervalSec = Number(value);
    } else if (token.startsWith('-')) {
      issues.push(`Unknown option "${token}".`);
    } else if (node !== null) {
      issues.push(`One node at a time: got "${node}" and "${token}".`);
    } else if (!isNodeName(token)) {
      issues.push(`"${token}" is not a host name or IP address.`);
    } else {
      // Host names are case-insensitive (RFC 4343); Kubernetes node names are lower case.
      node = token.toLowerCase();
    }
  }
  if (node === null && issues.length === 0) issues.push('Say which node to check.');
  if (issues.length > 0 || node === null) return { ok: false, issues };
  return { ok: true, value: { kind: 'check', node, deep, intervalSec } };
}

/** `sweep [NODES…]` (any number, none meaning all) and `history NODE` (exactly one). */
function parseNodeWords(verb: 'sweep' | 'history', words: string[]): ParseResult<CommandRequest> {
  const issues = words.filter((w) => w.startsWith('-')).map((w) => `\`${verb}\` takes no options ("${w}").`);
  const bad = words.filter((w) => !w.startsWith('-') && !isNodeName(w));
  issues.push(...bad.map((w) => `"${w}" is not a host name or IP address.`));
  // Host names are case-insensitive (RFC 4343); Kubernetes node names are lower case.
  const nodes = [...new Set(words.filter((w) => !w.startsWith('-') && isNodeName(w)).map((w) => w.toLowerCase()))];
  if (verb === 'history' && nodes.length !== 1 && issues.length === 0) issues.push('Say which one node: `/tcpcheck history NODE`.');
  if (issues.length > 0) return { ok: false, issues };
  return verb === 'sweep' ? { ok: true, value: { kind: 'sweep', nodes } } : { ok: true, value: { kind: 'history', node: nodes[0]! } };
}
