// The streaming decoder: takes bytes in chunks of any size, reassembles packets in one fixed RX buffer
// (or reads them in place when a chunk holds the whole packet) and hands each to the sink as the one
// reused Packet view. Nothing is allocated after construction and nothing throws.
import {
  E_REMAINING_LENGTH, E_RX_OVERFLOW, E_QOS_INVALID, E_DUP_QOS0, E_PACKET_TYPE_RESERVED, E_LENGTH_MISMATCH,
} from "./errors";
import { Packet, parsePacket } from "./packet";
import { copyBytes } from "./bytes";
import { S_HEADER, S_LENGTH, S_BODY, S_SKIP, S_HEAD } from "./states";
import { PUBLISH, CONNACK, PUBACK, PUBCOMP, UNSUBACK, PINGREQ } from "./packet-types";

/** Where decoded packets and decode errors go. Bound once; called synchronously from feed(). */
export interface PacketSink {
  /** A valid packet; the view and its buffer are only valid during the call. */
  onPacket(p: Packet): void;
  /**
   * A packet broke a rule (code from errors.ts). p.type/flags/remainingLength say what was seen where
   * known (flags and remainingLength not after a parse error in a build without __MQTT_PACKET_FRAMING__).
   * After E_REMAINING_LENGTH the stream has no trustworthy framing; a client closes the link.
   */
  onDecodeError(code: number, p: Packet): void;
}

// The code for a packet of this type too large for the RX buffer (not PUBLISH: it is read in part).
function oversizeCode(type: number): number {
  if (type === 0 || type === 15) return E_PACKET_TYPE_RESERVED;
  // CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: 2 bytes; PINGREQ, PINGRESP, DISCONNECT: none.
  if (type === CONNACK || (type >= PUBACK && type <= PUBCOMP) || type === UNSUBACK || type >= PINGREQ) return E_LENGTH_MISMATCH;
  return E_RX_OVERFLOW;
}

/** Smallest RX buffer: a fixed header with a 4-byte remaining length, so framing always fits. */
export const MIN_RX_SIZE = 5;

export class Decoder {
  readonly rx: Uint8Array;
  readonly packet = new Packet();
  private sink: PacketSink;
  private state = S_HEADER;
  /** Bytes of the current packet held in rx (header included). */
  private fill = 0;
  /** Fixed header length (2-5) and whole length of the current packet once its header is complete. */
  private headerLen = 0;
  private total = 0;
  private rl = 0;
  private mul = 1;
  private skip = 0;
  /** Bumped by reset(), so feed() stops when a callback resets the decoder mid-chunk. */
  private generation = 0;
  private readonly counts: { bytesIn: number };
  /** The largest remaining length feed()'s one-step case takes: one length byte, and the packet fits rx. */
  private readonly quickRl: number;

  /**
   * new Decoder(rxSize, sink, counts?): packets larger than rxSize bytes (whole) are skipped as
   * E_RX_OVERFLOW; counts.bytesIn adds up every byte fed (the client's stats).
   */
  constructor(rxSize: number, sink: PacketSink, counts?: { bytesIn: number }) {
    this.rx = new Uint8Array(rxSize < MIN_RX_SIZE ? MIN_RX_SIZE : rxSize);
    this.quickRl = Math.min(127, this.rx.length - 2);
    this.sink = sink;
    this.counts = counts || { bytesIn: 0 };
  }

  /** reset(): forgets any partial packet (a new connection starts a new stream). */
  reset(): void {
    this.state = S_HEADER;
    this.fill = 0;
    this.skip = 0;
    this.generation++;
  }

  /** pending() -> bytes of an unfinished packet taken so far (0 between packets). */
  pending(): number {
    return this.state === S_SKIP ? this.total - this.skip : this.fill;
  }

  /** feed(src, off, len): decodes src[off .. off+len); every packet and error reaches the sink. */
  feed(src: Uint8Array, off: number, len: number): void {
    // The usual case first, in a few steps: the chunk is one whole packet with a one-byte remaining length.
    // The rest is a method of its own, not code after a return: the interpreter lexes every byte of a
    // function it does not run, ~450 instructions a byte (docs/espruino.md, "Cost model").
    if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) this.counts.bytesIn += len;
    const rl0 = len > 1 ? src[off + 1] : 128;
    if (rl0 + 2 === len && rl0 <= this.quickRl && this.state === S_HEADER) {
      // The view read where used: on the interpreter a local costs more than its two reads.
      const code = parsePacket(src, off, 2, rl0, this.packet);
      if (code < 0) this.sink.onDecodeError(code, this.packet);
      else this.sink.onPacket(this.packet);
    } else this.stream(src, off, len);
  }

  // Any other chunk: part of a packet, several, or a packet with a longer header, byte by byte.
  private stream(src: Uint8Array, off: number, len: number): void {
    const end = off + len;
    const gen = this.generation;
    while (off < end && gen === this.generation) {
      const state = this.state;
      if (state === S_HEADER) {
        const n = this.whole(src, off, end);
        if (n > 0) {
          off += n;
          continue;
        }
        this.rx[0] = src[off++];
        this.fill = 1;
        this.rl = 0;
        this.mul = 1;
        this.state = S_LENGTH;
      } else if (state === S_LENGTH) {
        const b = src[off++];
        this.rx[this.fill++] = b;
        this.rl += (b & 0x7f) * this.mul;
        this.mul *= 128;
        if ((b & 0x80) === 0) this.startBody();
        else if (this.fill === 5) this.fail(E_REMAINING_LENGTH);
      } else if (state === S_BODY || state === S_HEAD) {
        const limit = state === S_BODY ? this.total : this.rx.length;
        let n = limit - this.fill;
        if (n > end - off) n = end - off;
        copyBytes(this.rx, this.fill, src, off, n);
        this.fill += n;
        off += n;
        if (this.fill === limit) {
          if (state === S_BODY) this.deliverRx();
          else this.oversize();
        }
      } else {
        let n = this.skip;
        if (n > end - off) n = end - off;
        off += n;
        this.skip -= n;
        if (this.skip === 0) {
          this.state = S_HEADER;
          this.fill = 0;
        }
      }
    }
  }

  // Decodes a packet that lies entirely in src without copying it; returns its length, or 0 when the
  // chunk holds only part of it (or it is too large or badly framed: the byte path reports those).
  // Most packets arrive whole in one chunk and come through here, so this path is kept lean: no state or
  // fields touched, the header's sizes handed straight to the parser.
  private whole(src: Uint8Array, off: number, end: number): number {
    // The remaining length: 1-4 bytes of 7 bits each, least significant first (fits 28 bits).
    let i = off + 1;
    let rl = 0;
    let shift = 0;
    let b: number;
    do {
      if (i >= end || shift > 21) return 0;
      b = src[i++];
      rl |= (b & 0x7f) << shift;
      shift += 7;
    } while (b > 0x7f);
    const total = i - off + rl;
    if (total > end - off || total > this.rx.length) return 0;
    this.deliver(src, off, i - off, rl);
    return total;
  }

  private startBody(): void {
    this.headerLen = this.fill;
    this.total = this.fill + this.rl;
    if (this.total > this.rx.length) {
      if (this.rx[0] >> 4 === PUBLISH) {
        // Its topic and packet id come first: read what fits, so it can still be acknowledged.
        this.state = S_HEAD;
        if (this.fill === this.rx.length) this.oversize();
        return;
      }
      this.skip = this.rl;
      this.state = this.rl > 0 ? S_SKIP : S_HEADER;
      const p = this.packet;
      p.type = this.rx[0] >> 4;
      p.flags = this.rx[0] & 15;
      p.remainingLength = this.rl;
      p.length = this.total;
      // A type whose body has a fixed length breaks its rule at any size, and says so: an oversize
      // PINGRESP is as malformed as a 3-byte one.
      this.sink.onDecodeError(oversizeCode(p.type), p);
      return;
    }
    this.state = S_BODY;
    if (this.rl === 0) this.deliverRx();
  }

  // rx is full with the start of an oversize PUBLISH; the rest of it is skipped. It is reported as
  // E_RX_OVERFLOW with the view filled as far as rx holds it: where the topic and the packet id are
  // there, the view has them (else topicOff is -1 and packetId 0), and payloadLen is the whole
  // payload's length though rx holds only its start. A client can then acknowledge what it cannot read.
  // A malformed one is reported with the rule it breaks, as any other packet.
  private oversize(): void {
    const rx = this.rx;
    const hl = this.headerLen;
    const p = this.packet;
    this.skip = this.total - rx.length;
    this.state = S_SKIP;
    const h = rx[0];
    const qos = (h >> 1) & 3;
    if (qos !== 3 && !(qos === 0 && (h & 8) !== 0) && hl + 2 <= rx.length &&
      hl + 2 + ((rx[hl] << 8) | rx[hl + 1]) + (qos > 0 ? 2 : 0) <= rx.length) {
      // Topic and packet id are in rx: parsed and checked as usual; only the payload is cut short.
      const code = parsePacket(rx, 0, hl, this.rl, p);
      this.sink.onDecodeError(code < 0 ? code : E_RX_OVERFLOW, p);
      return;
    }
    p.buf = rx;
    p.type = PUBLISH;
    p.flags = h & 15;
    p.qos = qos;
    p.retain = (h & 1) !== 0;
    p.dup = (h & 8) !== 0;
    p.packetOff = 0;
    p.length = this.total;
    p.remainingLength = this.rl;
    p.packetId = 0;
    p.topicOff = -1;
    p.topicLen = 0;
    p.topicText = null;
    p.payloadOff = -1;
    p.payloadLen = 0;
    this.sink.onDecodeError(qos === 3 ? E_QOS_INVALID : qos === 0 && (h & 8) !== 0 ? E_DUP_QOS0 : E_RX_OVERFLOW, p);
  }

  // The packet assembled in rx is complete: back to waiting for a header, then hand it over.
  private deliverRx(): void {
    this.state = S_HEADER;
    this.fill = 0;
    this.deliver(this.rx, 0, this.headerLen, this.rl);
  }

  // The packet at buf[start] is complete (and the state already waits for the next header): fill the
  // view and hand it over.
  private deliver(buf: Uint8Array, start: number, headerLen: number, rl: number): void {
    const p = this.packet;
    const code = parsePacket(buf, start, headerLen, rl, p);
    if (code < 0) this.sink.onDecodeError(code, p);
    else this.sink.onPacket(p);
  }

  private fail(code: number): void {
    const p = this.packet;
    p.type = this.rx[0] >> 4;
    p.flags = this.rx[0] & 15;
    p.remainingLength = -1;
    this.state = S_HEADER;
    this.fill = 0;
    this.sink.onDecodeError(code, p);
  }
}
