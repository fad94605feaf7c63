// Messages published while the link is down, kept until it comes back: a fixed byte ring of records
// (flags, topic, payload). A record is stored contiguously, so it can be encoded straight from the ring;
// where one does not fit before the end, the rest of the end is marked unused and it starts at 0.
import { copyBytes, readU16 } from "./bytes";

// A record: [length u16][flags u8][topic length u16][payload length u16][topic][payload].
const HEAD = 7;
const WRAP = 0xffff; // a record length that means "skip to the start"

export class OfflineQueue {
  readonly bytes: Uint8Array;
  private head = 0; // next record to read
  private tail = 0; // where the next record is written
  count = 0;

  /** new OfflineQueue(capacity): capacity bytes; a message takes 7 + topic + payload bytes. */
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /**
   * push(flags, topic, tOff, tLen, payload, pOff, pLen) -> false when it does not fit (nothing stored).
   * flags: bit 0 retain, bits 1-2 QoS.
   */
  push(flags: number, topic: Uint8Array, tOff: number, tLen: number, payload: Uint8Array, pOff: number, pLen: number): boolean {
    const need = HEAD + tLen + pLen;
    const cap = this.bytes.length;
    const b = this.bytes;
    if (need > 0xfffe || need > cap) return false;
    let at = this.tail;
    if (this.count === 0) {
      at = this.head = 0;
    } else if (this.tail > this.head) {
      // Free: [tail, cap) and [0, head).
      if (cap - at < need) {
        if (this.head < need) return false;
        if (cap - at >= 2) { b[at] = WRAP >> 8; b[at + 1] = WRAP & 0xff; }
        at = 0;
      }
    } else if (this.head - at < need) {
      return false; // Free: [tail, head) only.
    }
    b[at] = need >> 8;
    b[at + 1] = need & 0xff;
    b[at + 2] = flags;
    b[at + 3] = tLen >> 8;
    b[at + 4] = tLen & 0xff;
    b[at + 5] = pLen >> 8;
    b[at + 6] = pLen & 0xff;
    copyBytes(b, at + HEAD, topic, tOff, tLen);
    copyBytes(b, at + HEAD + tLen, payload, pOff, pLen);
    this.tail = at + need === cap ? 0 : at + need;
    this.count++;
    return true;
  }

  /** peek() -> offset of the oldest record in `bytes`, or -1 when empty. */
  peek(): number {
    if (this.count === 0) return -1;
    const cap = this.bytes.length;
    if (cap - this.head < 2 || readU16(this.bytes, this.head) === WRAP) return 0;
    return this.head;
  }

  flags(at: number): number { return this.bytes[at + 2]; }
  topicOff(at: number): number { return at + HEAD; }
  topicLen(at: number): number { return readU16(this.bytes, at + 3); }
  payloadOff(at: number): number { return at + HEAD + readU16(this.bytes, at + 3); }
  payloadLen(at: number): number { return readU16(this.bytes, at + 5); }

  /** pop(): drops the oldest record. */
  pop(): void {
    const at = this.peek();
    if (at < 0) return;
    const len = readU16(this.bytes, at);
    this.head = at + len === this.bytes.length ? 0 : at + len;
    this.count--;
    if (this.count === 0) this.head = this.tail = 0;
    // Past the last record before the end, head moves to the start at once, so push() sees the end of
    // the ring as free again.
    else this.head = this.peek();
  }
}
