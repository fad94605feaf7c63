// The retained QoS 1 messages the device owes the broker: its status, each relay's state, and the
// discovery configs. Each has one slot holding its latest payload and a pending flag; pump() publishes
// pending slots in slot order while the client has room in flight. So a burst (every state and config
// after a connect, or commands faster than PUBACKs) waits for acknowledgements instead of failing, and
// a relay that changed twice meanwhile publishes only its latest state, which is all a retained topic
// keeps anyway.
import { allocBytes } from "../mqtt/bytes";
import { E_INFLIGHT_FULL } from "../mqtt/errors";

/** Publishes one message: returns client.publish's result. */
export interface OutboxSender {
  send(topic: Uint8Array, payload: Uint8Array): number;
}

export class Outbox {
  readonly topics: Uint8Array[] = [];
  /** Each slot's latest payload: what markAll() publishes again. */
  readonly payloads: Uint8Array[] = [];
  private pending: Uint8Array = new Uint8Array(0);
  /** How many slots are pending. */
  waiting = 0;

  /** add(topic, payload) -> the new slot's index. Start-up only; call seal() after the last. */
  add(topic: Uint8Array, payload: Uint8Array): number {
    this.topics.push(topic);
    this.payloads.push(payload);
    return this.topics.length - 1;
  }

  /** seal(): allocates the flags once every slot was added. */
  seal(): void {
    this.pending = allocBytes(this.topics.length);
  }

  /** mark(i, payload): slot i is to be published with this payload (replacing one not yet sent). */
  mark(i: number, payload: Uint8Array): void {
    this.payloads[i] = payload;
    if (this.pending[i] === 0) {
      this.pending[i] = 1;
      this.waiting++;
    }
  }

  /** markAll(): every slot is to be published again, with its last payload. */
  markAll(): void {
    this.pending.fill(1);
    this.waiting = this.pending.length;
  }

  /**
   * pump(sender): sends pending slots in order until none is left or the client has no slot in flight
   * (then a later pump, after a PUBACK or on tick, goes on). Other errors drop the message: it could
   * never be sent (the caller logs them).
   */
  pump(sender: OutboxSender): void {
    // The next pending slot by a native scan, not a JS loop over every slot.
    const pending = this.pending;
    for (let i = pending.indexOf(1); i >= 0; i = pending.indexOf(1, i + 1)) {
      if (sender.send(this.topics[i], this.payloads[i]) === E_INFLIGHT_FULL) return;
      pending[i] = 0;
      this.waiting--;
    }
  }
}
