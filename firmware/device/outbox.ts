// The retained messages the device owes the broker: its status, each relay's state, and Home Assistant
// discovery. Each has one slot holding its latest payload and a pending flag; pump() publishes pending
// slots in slot order while the client has room in flight. So a burst (every state and config after a
// connect, or commands faster than PUBACKs) waits for acknowledgements instead of failing, and a relay
// that changed twice meanwhile publishes only its latest state, which is all a retained topic keeps anyway.
// A "direct" slot (a discovery config, far larger than anything else the board sends) goes out at QoS 0
// from its own bytes, so no in-flight slot or TX buffer is sized for it; slot order still holds, since
// everything before it was written first. "Cleanup" slots (discovery hand-over) are owed until retire().
import { allocBytes } from "../mqtt/bytes";
import { E_INFLIGHT_FULL } from "../mqtt/errors";

/** Publishes one message: returns client.publish's result. */
export interface OutboxSender {
  /** QoS 1, retained. */
  send(topic: Uint8Array, payload: Uint8Array): number;
  /** QoS 0, retained, written from the payload's own bytes; `slot` for a sender that keeps them elsewhere. */
  sendDirect(topic: Uint8Array, payload: Uint8Array, slot: number): number;
}

export class Outbox {
  readonly topics: Uint8Array[] = [];
  /** Each slot's latest payload: what markAll() publishes again. */
  readonly payloads: Uint8Array[] = [];
  private pending: Uint8Array = new Uint8Array(0);
  /** How many slots are pending. */
  waiting = 0;
  /** 1 for a direct slot. */
  private directs: Uint8Array = new Uint8Array(0);
  /** 1 for a slot markAll() marks: every slot but retired cleanup slots. */
  private active: Uint8Array = new Uint8Array(0);
  /** 1 for a cleanup slot. */
  private cleanups: Uint8Array = new Uint8Array(0);
  /** Flags as add() takes them, until seal(): 1 direct, 2 cleanup. */
  private kinds: number[] = [];
  private activeCount = 0;

  /** add(topic, payload, direct?, cleanup?) -> the new slot's index. Start-up only; call seal() after the last. */
  add(topic: Uint8Array, payload: Uint8Array, direct?: boolean, cleanup?: boolean): number {
    this.topics.push(topic);
    this.payloads.push(payload);
    this.kinds.push((direct === true ? 1 : 0) | (cleanup === true ? 2 : 0));
    return this.topics.length - 1;
  }

  /** seal(): allocates the flags once every slot was added. */
  seal(): void {
    const n = this.topics.length;
    this.pending = allocBytes(n);
    this.directs = allocBytes(n);
    this.cleanups = allocBytes(n);
    this.active = allocBytes(n);
    for (let i = 0; i < n; i++) {
      this.directs[i] = this.kinds[i] & 1;
      this.cleanups[i] = this.kinds[i] >> 1;
      this.active[i] = 1;
    }
    // A JS array costs the interpreter about two JsVars an element: the flags live on as bytes. (An array's
    // length cannot be set on Espruino 2v29: "Assignment to a constant".)
    this.kinds = [];
    this.activeCount = n;
  }

  /** mark(i, payload): slot i is to be published with this payload (replacing one not yet sent). */
  mark(i: number, payload: Uint8Array): void {
    this.payloads[i] = payload;
    if (this.pending[i] === 0) {
      this.pending[i] = 1;
      this.waiting++;
    }
  }

  /** markAll(): every active slot is to be published again, with its last payload. */
  markAll(): void {
    this.pending.set(this.active);
    this.waiting = this.activeCount;
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
      const r = this.directs[i] === 1 ? sender.sendDirect(this.topics[i], this.payloads[i], i) : sender.send(this.topics[i], this.payloads[i]);
      if (r === E_INFLIGHT_FULL) return;
      pending[i] = 0;
      this.waiting--;
    }
  }

  /**
   * retire(): the cleanup slots are owed no more (the hand-over they make is done): markAll() leaves them
   * out, and their bytes are let go. Called with nothing pending.
   */
  retire(): void {
    const none = new Uint8Array(0);
    for (let i = 0; i < this.topics.length; i++) {
      if (this.cleanups[i] === 0 || this.active[i] === 0) continue;
      this.active[i] = 0;
      this.activeCount--;
      this.topics[i] = none;
      this.payloads[i] = none;
    }
  }
}
