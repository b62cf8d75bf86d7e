/** An OpenedNode around a transport a test built itself, with the config's default limits and, if given, a cluster source. */
import { runLimits, type OpenedNode } from '../../src/app/targets.js';
import type { Transport } from '../../src/collect/transport.js';
import { parseConfig } from '../../src/config/index.js';

const DEFAULT_LIMITS = runLimits(parseConfig({}));

export function openedNode(name: string, transport: Transport, limits: Partial<OpenedNode['limits']> = {}, cluster: OpenedNode['cluster'] = null): OpenedNode {
  return { name, target: null, transport, limits: { ...DEFAULT_LIMITS, ...limits }, cluster };
}
