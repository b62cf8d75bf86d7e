/** Identity of a socket across listings. */
import type { Socket } from '../domain/snapshot.js';

/** State plus local and peer endpoints: the same socket printed by two commands has the same key. */
export function socketKey(s: Socket): string {
  return `${s.state} ${s.localAddress} ${s.localPort} ${s.peerAddress} ${s.peerPort ?? '*'}`;
}
