/**
 * List chunking as kube-apiserver does it (`?limit=N`, then `?continue=TOKEN`): a page of at most
 * N items, `metadata.continue` and `remainingItemCount` while more remain. The token is opaque to
 * clients; one the server did not issue is refused with 400, as a cluster refuses a mangled one.
 */
import type { Json } from './objects.js';

interface Token {
  /** Index of the next item. */
  start: number;
  /** The list the token belongs to, so a token cannot be replayed against another resource. */
  list: string;
}

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(text: string, list: string): Token {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (Number.isInteger(t.start) && t.start >= 0 && t.list === list) return t;
  } catch {
    // Falls through to the refusal below.
  }
  throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The page of `items` the query asks for, and the list metadata to send with it. Throws (answered 400) on a bad `limit` or `continue`. */
export function paginate(items: Json[], query: URLSearchParams, list: string): { items: Json[]; metadata: Json } {
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`invalid limit: ${limitText}`);
  const cont = query.get('continue');
  const start = cont ? decode(cont, list).start : 0;
  if (limit === 0 || start + limit >= items.length) return { items: items.slice(start), metadata: { resourceVersion: '1' } };
  const end = start + limit;
  return { items: items.slice(start, end), metadata: { resourceVersion: '1', continue: encode({ start: end, list }), remainingItemCount: items.length - end } };
}
