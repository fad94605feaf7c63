// The client's subscriptions: a fixed table of pre-encoded filters, their requested QoS, and where each
// stands with the broker. Incoming topics are matched against it as bytes.
import { allocBytes, textOf } from "./bytes";
import { topicMatches, filterMatcher } from "./topic";
import { SUB_FREE, SUB_WANTED, SUB_PENDING, SUB_ACTIVE, SUB_LEAVING } from "./states";

export { SUB_FREE, SUB_WANTED, SUB_PENDING, SUB_ACTIVE, SUB_LEAVING } from "./states";


export class Subscriptions {
  /**
   * Where the runtime makes strings natively (Espruino), each filter as text and, when it has wildcards,
   * as a pattern: received topics are matched with one native compare or regex test, not a byte loop.
   */
  private readonly matchers: (string | RegExp | null)[] = [];
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
    for (let i = 0; i < size; i++) {
      this.filters.push(none);
      if (typeof __MQTT_TOPIC_MATCH__ === "undefined" || __MQTT_TOPIC_MATCH__) this.matchers.push(null);
    }
  }

  /** add(filter, qos) -> the new entry's index, or -1 when full. */
  add(filter: Uint8Array, qos: number): number {
    for (let i = 0; i < this.size; i++) {
      if (this.state[i] === SUB_FREE) {
        this.filters[i] = filter;
        if (typeof __MQTT_TOPIC_MATCH__ === "undefined" || __MQTT_TOPIC_MATCH__) {
          const text = textOf(filter);
          this.matchers[i] = text === null ? null : filterMatcher(text);
        }
        this.qos[i] = qos;
        this.state[i] = SUB_WANTED;
        this.granted[i] = 0;
        this.pendingId[i] = 0;
        return i;
      }
    }
    return -1;
  }

  /**
   * match(topic, off, len, text) -> the first delivering entry whose filter matches, or -1. `text` is the
   * topic as a string (Packet.topicText) or null.
   */
  match(topic: Uint8Array, off: number, len: number, text: string | null): number {
    for (let i = 0; i < this.size; i++) {
      const s = this.state[i];
      if ((s === SUB_ACTIVE && this.granted[i] !== 0x80) || s === SUB_PENDING) {
        const m = this.matchers[i];
        if (text !== null && m !== null) {
          if (typeof m === "string" ? text === m : m.test(text)) return i;
          continue;
        }
        const f = this.filters[i];
        if (topicMatches(topic, off, len, f, 0, f.length)) return i;
      }
    }
    return -1;
  }

  /** usesId(id) -> whether a SUBSCRIBE or UNSUBSCRIBE in flight has packet id `id`. */
  usesId(id: number): boolean {
    // A native scan for the id; an entry no longer waiting for its ack may still hold it.
    for (let i = this.pendingId.indexOf(id); i >= 0; i = this.pendingId.indexOf(id, i + 1)) {
      if (this.state[i] === SUB_PENDING || this.state[i] === SUB_LEAVING) return true;
    }
    return false;
  }
}
