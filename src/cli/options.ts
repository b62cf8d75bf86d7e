/** Option parsers shared by the CLI commands: strict, with errors commander prints as usage errors. */
import { InvalidArgumentError } from 'commander';
import { FORMATS, type Format } from '../render/index.js';

/** Flags of `tcpcheck check`. */
export interface CheckFlags {
  format: Format;
  /** Unset: the config's limits.intervalSec. */
  interval?: number;
  save?: string;
  config?: string;
  transport?: 'ssh' | 'kube';
  host?: string;
  port?: string;
  user?: string;
  identity?: string;
  knownHosts?: string;
  jump?: string;
  /** Watch the flagged ports and their owners after the standard check. */
  deep?: boolean;
  deepSeconds?: number;
}


export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
}

/** Seconds between the two samples: an integer 0..60. */
export function parseInterval(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) > 60) throw new InvalidArgumentError('expected whole seconds from 0 to 60');
  return Number(value);
}

/** `--deep-seconds`: whole seconds from 1 to 60 (the deep probe's bound). */
export function parseDeepSeconds(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 60) throw new InvalidArgumentError('expected whole seconds from 1 to 60');
  return Number(value);
}

export function parseTransportKind(value: string): 'ssh' | 'kube' {
  if (value === 'ssh' || value === 'kube') return value;
  throw new InvalidArgumentError('expected ssh or kube');
}
