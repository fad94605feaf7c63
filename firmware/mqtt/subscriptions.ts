// The client's subscriptions: a fixed table of pre-encoded filters, their requested QoS, and where each
// stands with the broker. Incoming topics are matched against it as bytes.
import { allocBytes } from "./bytes";
import { topicMatches } from "./topic";

export const SUB_FREE = 0;
/** Wanted, not yet sent on this connection. */
export const SUB_WANTED = 1;
/** SUBSCRIBE sent, SUBACK awaited (its packet id in `pendingId`). */
export const SUB_PENDING = 2;
/** Granted (or refused with 0x80: then `granted` is 0x80). */
export const SUB_ACTIVE = 3;
/** UNSUBSCRIBE sent (or waiting to be sent); no longer delivered. */
export const SUB_LEAVING = 4;

export class Subscriptions {
  readonly filters: Uint8Array[] = [];
  readonly qos: Uint8Array;
  readonly state: Uint8Array;
  readonly granted: Uint8Array;
  readonly pendingId: Uint16Array;
  readonly size: number;

  /** new Subscriptions(size): room for `size` filters. */
  constructor(size: number) {
    this.size = size;
    this.qos = allocBytes(size);
    this.state = allocBytes(size);
    this.granted = allocBytes(size);
    this.pendingId = new Uint16Array(size);
    const none = new Uint8Array(0);
    for (let i = 0; i < size; i++) this.filters.push(none);
  }

  /** add(filter, qos) -> the new entry's index, or -1 when full. */
  add(filter: Uint8Array, qos: number): number {
    for (let i = 0; i < this.size; i++) {
      if (this.state[i] === SUB_FREE) {
        this.filters[i] = filter;
        this.qos[i] = qos;
        this.state[i] = SUB_WANTED;
        this.granted[i] = 0;
        this.pendingId[i] = 0;
        return i;
      }
    }
    return -1;
  }

  /** match(topic, off, len) -> the first delivering entry whose filter matches, or -1. */
  match(topic: Uint8Array, off: number, len: number): number {
    for (let i = 0; i < this.size; i++) {
      const s = this.state[i];
      if ((s === SUB_ACTIVE && this.granted[i] !== 0x80) || s === SUB_PENDING) {
        const f = this.filters[i];
        if (topicMatches(topic, off, len, f, 0, f.length)) return i;
      }
    }
    return -1;
  }

  /** usesId(id) -> whether a SUBSCRIBE or UNSUBSCRIBE in flight has packet id `id`. */
  usesId(id: number): boolean {
    for (let i = 0; i < this.size; i++) {
      if ((this.state[i] === SUB_PENDING || this.state[i] === SUB_LEAVING) && this.pendingId[i] === id) return true;
    }
    return false;
  }
}
