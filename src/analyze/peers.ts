/**
 * Peer views: sockets in the states worth a look, grouped by local port, peer address and state,
 * so "125 CLOSE-WAIT from 2 load balancers on 32430" reads as two lines, not 125.
 */
import type { PeerView } from '../domain/report.js';
import type { Socket, TcpState } from '../domain/snapshot.js';
import { sortCollated } from '../domain/order.js';

/**
 * States whose peers are listed. ESTAB and TIME-WAIT are normal in any number and would drown the
 * rest; LISTEN has no peer.
 */
export const PEER_STATES: readonly TcpState[] = ['CLOSE-WAIT', 'SYN-RECV', 'LAST-ACK', 'FIN-WAIT-1', 'CLOSING'];

/**
 * Bytes a socket holds that its application has not read. In CLOSE-WAIT the peer's FIN takes one
 * sequence number, so Recv-Q counts it as one byte: a lone 1 is the FIN, not data.
 */
export function unreadBytes(s: Socket): number {
  return s.state === 'CLOSE-WAIT' ? Math.max(0, s.recvQ - 1) : s.recvQ;
}

/**
 * Groups the sockets in {@link PEER_STATES}: by local port, then state, then count (largest first),
 * then peer address in `localeCompare` order ({@link collate}).
 *
 * A big table has tens of thousands of such sockets, most from distinct peers: each socket gets
 * small numbers (its bucket, port and state; its address's place in collate order) and two
 * counting sorts put them in bucket and address order, so a group is a run of sockets. Only each
 * bucket's few groups are then sorted, by count. Maps of maps and a comparator called per pair
 * cost several times as much.
 */
export function buildPeerViews(sockets: readonly Socket[]): PeerView[] {
  const bucketIds = new Map<number, number>();
  const buckets: number[] = [];
  const addressIds = new Map<string, number>();
  const addresses: string[] = [];
  /** Per picked socket, in table order: its bucket's id, its address's id, its queue and unread bytes. */
  const bucketOf: number[] = [];
  const addressOf: number[] = [];
  const recvQs: number[] = [];
  const unread: number[] = [];
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i] as Socket;
    const stateIndex = PEER_STATES.indexOf(s.state);
    if (stateIndex < 0) continue;
    const k = s.localPort * PEER_STATES.length + stateIndex;
    let b = bucketIds.get(k);
    if (b === undefined) {
      b = buckets.length;
      bucketIds.set(k, b);
      buckets.push(k);
    }
    let a = addressIds.get(s.peerAddress);
    if (a === undefined) {
      a = addresses.length;
      addressIds.set(s.peerAddress, a);
      addresses.push(s.peerAddress);
    }
    bucketOf.push(b);
    addressOf.push(a);
    recvQs.push(s.recvQ);
    unread.push(unreadBytes(s));
  }
  // Places: addresses in collate order, buckets in port and state order.
  const addressPlace = new Int32Array(addresses.length);
  sortCollated(addresses).forEach((ip, place) => (addressPlace[addressIds.get(ip) as number] = place));
  const bucketPlace = new Int32Array(buckets.length);
  buckets
    .map((_, b) => b)
    .sort((x, y) => (buckets[x] as number) - (buckets[y] as number))
    .forEach((b, place) => (bucketPlace[b] = place));
  const byAddress = countingSort(bucketOf.length, (j) => addressPlace[addressOf[j] as number] as number, addresses.length);
  const order = countingSort(bucketOf.length, (j) => bucketPlace[bucketOf[j] as number] as number, buckets.length, byAddress);

  const out: PeerView[] = [];
  let bucket: PeerView[] = [];
  for (let x = 0; x < order.length; ) {
    // The sockets themselves are not touched again: read in this order, they would be read from all over memory.
    const first = order[x] as number;
    const b = bucketOf[first] as number;
    const a = addressOf[first] as number;
    const k = buckets[b] as number;
    const view: PeerView = { localPort: Math.floor(k / PEER_STATES.length), ip: addresses[a] as string, state: PEER_STATES[k % PEER_STATES.length] as TcpState, count: 0, unreadBytes: 0, maxRecvQ: 0 };
    for (; x < order.length && bucketOf[order[x] as number] === b && addressOf[order[x] as number] === a; x++) {
      const j = order[x] as number;
      view.count += 1;
      view.unreadBytes += unread[j] as number;
      view.maxRecvQ = Math.max(view.maxRecvQ, recvQs[j] as number);
    }
    bucket.push(view);
    if (x === order.length || bucketOf[order[x] as number] !== b) {
      // Stable: equal counts keep address order.
      bucket.sort((v, w) => w.count - v.count);
      for (const v of bucket) out.push(v);
      bucket = [];
    }
  }
  return out;
}

/**
 * The items `0..n-1` (or `items`, when given) ordered by `key` (integers in `0..range-1`), ties in
 * their given order.
 */
function countingSort(n: number, key: (j: number) => number, range: number, items?: Int32Array): Int32Array {
  const starts = new Int32Array(range + 1);
  for (let x = 0; x < n; x++) {
    const k = key(items ? (items[x] as number) : x) + 1;
    starts[k] = (starts[k] as number) + 1;
  }
  for (let r = 0; r < range; r++) starts[r + 1] = (starts[r + 1] as number) + (starts[r] as number);
  const out = new Int32Array(n);
  for (let x = 0; x < n; x++) {
    const j = items ? (items[x] as number) : x;
    const k = key(j);
    out[starts[k] as number] = j;
    starts[k] = (starts[k] as number) + 1;
  }
  return out;
}
