// Outgoing QoS 1/2 messages awaiting acknowledgement: a fixed number of slots, each holding the encoded
// PUBLISH (so a resend after reconnect is one write) and where its flow stands.
import { allocBytes } from "./bytes";
import { SLOT_FREE } from "./states";

/** Slot states. */
export { SLOT_FREE, SLOT_PUBACK, SLOT_PUBREC, SLOT_PUBCOMP } from "./states";


export class Inflight {
  readonly slots: number;
  readonly slotBytes: number;
  /** Slot i's packet is bytes[i*slotBytes .. i*slotBytes+len[i]). */
  readonly bytes: Uint8Array;
  readonly state: Uint8Array;
  readonly id: Uint16Array;
  readonly len: Uint32Array;
  /** 1 once the PUBLISH went out on some connection, so a resend sets DUP [MQTT-3.3.1-1]. */
  readonly sent: Uint8Array;
  /** Order of use, so resends keep publish order [MQTT-4.6.0-2]. */
  readonly seq: Uint32Array;
  /** The next order number; public, as the client takes a slot itself on its message path (no call). */
  nextSeq = 1;
  used = 0;

  /** new Inflight(slots, slotBytes): all memory the store will ever use. */
  constructor(slots: number, slotBytes: number) {
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.bytes = new Uint8Array(slots * slotBytes);
    this.state = allocBytes(slots);
    this.id = new Uint16Array(slots);
    this.len = new Uint32Array(slots);
    this.sent = allocBytes(slots);
    this.seq = new Uint32Array(slots);
  }

  // Scans are native indexOf calls: one step on the interpreter where a JS loop takes several a slot.

  /** free() -> a free slot's index, or -1. */
  free(): number {
    return this.state.indexOf(SLOT_FREE);
  }

  /** take(i, id, state, len): slot i now holds a packet of len bytes (already encoded at offset(i)). */
  take(i: number, id: number, state: number, len: number): void {
    this.state[i] = state;
    this.id[i] = id;
    this.len[i] = len;
    this.sent[i] = 0;
    this.seq[i] = this.nextSeq++;
    this.used++;
  }

  /** offset(i) -> where slot i's bytes start in `bytes`. */
  offset(i: number): number {
    return i * this.slotBytes;
  }

  /** find(id) -> the slot holding packet id `id`, or -1. */
  find(id: number): number {
    // A free slot keeps the id it last held: skip those.
    let i = this.id.indexOf(id);
    while (i >= 0 && this.state[i] === SLOT_FREE) i = this.id.indexOf(id, i + 1);
    return i;
  }

  /** oldestAfter(seq) -> the busy slot with the smallest order number above seq, or -1. */
  oldestAfter(seq: number): number {
    let best = -1;
    for (let i = 0; i < this.slots; i++) {
      if (this.state[i] !== SLOT_FREE && this.seq[i] > seq && (best < 0 || this.seq[i] < this.seq[best])) best = i;
    }
    return best;
  }
}
