/**
 * Label and field selectors as kube-apiserver evaluates them (equality-based forms only:
 * `k=v`, `k==v`, `k!=v`, `k`, `!k`). Unsupported field labels are refused with the server's
 * own wording, so a client that sends a wrong selector fails here as it would on a cluster.
 */
import type { Json } from './objects.js';

export interface Requirement {
  key: string;
  op: '=' | '!=' | 'exists' | '!exists';
  value: string;
}

/** Parses a selector; throws with the server's message on syntax it would refuse. */
export function parseSelector(text: string): Requirement[] {
  if (text.trim() === '') return [];
  return text.split(',').map((raw) => {
    const part = raw.trim();
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
    if (/^![^=!\s]+$/.test(part)) return { key: part.slice(1), op: '!exists', value: '' };
    if (/^[^=!\s]+$/.test(part)) return { key: part, op: 'exists', value: '' };
    throw new Error(`unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

function test(req: Requirement, value: string | undefined): boolean {
  switch (req.op) {
    case '=':
      return value === req.value;
    case '!=':
      return value !== req.value;
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.every((r) => test(r, labels?.[r.key]));
}

/** Kinds the double filters by selectors. */
export type SelectableKind = 'Pod' | 'Node' | 'Service' | 'EndpointSlice' | 'ConfigMap';

/** Field labels every object supports. */
const metaFields: Record<string, (obj: Json) => string | undefined> = {
  'metadata.name': (o) => (o.metadata as { name: string }).name,
  'metadata.namespace': (o) => (o.metadata as { namespace?: string }).namespace ?? '',
};

/** Field labels the real server supports for pods (a subset) and nodes. */
const podFields: Record<string, (pod: Json) => string | undefined> = {
  'metadata.name': (p) => (p.metadata as { name: string }).name,
  'metadata.namespace': (p) => (p.metadata as { namespace: string }).namespace,
  'spec.nodeName': (p) => (p.spec as { nodeName?: string }).nodeName ?? '',
  'status.phase': (p) => (p.status as { phase: string }).phase,
};
const nodeFields: Record<string, (node: Json) => string | undefined> = {
  'metadata.name': (n) => (n.metadata as { name: string }).name,
};

/** Throws `field label not supported: X` for a label the server would refuse for this kind. */
export function matchesFields(kind: SelectableKind, reqs: Requirement[], obj: Json): boolean {
  const table = kind === 'Pod' ? podFields : kind === 'Node' ? nodeFields : metaFields;
  return reqs.every((r) => {
    const get = table[r.key];
    if (!get) throw new Error(`field label not supported: ${r.key}`);
    if (r.op === 'exists' || r.op === '!exists') throw new Error(`invalid field selector: ${r.key}`);
    return test(r, get(obj));
  });
}
