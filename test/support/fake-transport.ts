// A scripted Transport and Clock for the MQTT client's unit tests. The fake records every packet the
// client writes (decoded with our own Decoder into plain objects), lets a test deliver broker bytes in
// any chunking (split anywhere, coalesced), open, refuse, or close the link, and counts open/close calls.
// Time only moves when the test calls clock.advance(); the test then calls client.tick().
import type { Clock, Transport, TransportEvents } from "../../firmware/platform";
import { writeAckBytes } from "../../firmware/platform";
import {
  OK, CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, UNSUBACK, SUBACK, CONNACK,
  PACKET_NAMES, Decoder, Packet, PacketSink, encodeConnack, encodePublish, encodeAck, encodeEmpty,
  encodeSuback, entryLength, nextEntry, utf8Bytes, utf8Read, errorName,
} from "../../firmware/mqtt";

// ---------------------------------------------------------------------------------------------------
// Plain packets

/** A decoded packet as a plain object; only the fields of its type are present. */
export type Pkt = Record<string, any> & { type: string };

function text(buf: Uint8Array, off: number, len: number): string {
  return off < 0 ? "" : utf8Read(buf, off, len);
}

/** toPlain(p) -> the packet view as a plain object (copies everything out of the reused view). */
export function toPlain(p: Packet): Pkt {
  const type = PACKET_NAMES[p.type];
  const b = p.buf;
  switch (p.type) {
    case CONNECT:
      return {
        type,
        protocolName: text(b, p.protocolNameOff, p.protocolNameLen),
        protocolLevel: p.protocolLevel,
        cleanSession: p.cleanSession,
        keepAlive: p.keepAlive,
        clientId: text(b, p.clientIdOff, p.clientIdLen),
        will: p.willFlag
          ? { topic: text(b, p.topicOff, p.topicLen), payload: text(b, p.payloadOff, p.payloadLen), qos: p.qos, retain: p.retain }
          : null,
        username: p.usernameOff < 0 ? null : text(b, p.usernameOff, p.usernameLen),
        password: p.passwordOff < 0 ? null : text(b, p.passwordOff, p.passwordLen),
      };
    case PUBLISH: {
      const pkt: Pkt = {
        type, qos: p.qos, dup: p.dup, retain: p.retain, packetId: p.packetId,
        topic: text(b, p.topicOff, p.topicLen), payload: text(b, p.payloadOff, p.payloadLen),
      };
      // The payload's bytes as they were sent (the text above decodes them); not enumerable, so packets
      // still compare by their fields.
      Object.defineProperty(pkt, "payloadBytes", { value: b.slice(p.payloadOff, p.payloadOff + p.payloadLen) });
      return pkt;
    }
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      return { type, packetId: p.packetId };
    case CONNACK:
      return { type, sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case SUBSCRIBE: case UNSUBSCRIBE: {
      const filters: any[] = [];
      for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) {
        const f = utf8Read(b, pos + 2, entryLength(p, pos));
        filters.push(p.type === SUBSCRIBE ? { filter: f, qos: b[pos + 2 + entryLength(p, pos)] } : f);
      }
      return { type, packetId: p.packetId, filters };
    }
    case SUBACK: {
      const codes: number[] = [];
      for (let i = 0; i < p.count; i++) codes.push(b[p.listOff + i]);
      return { type, packetId: p.packetId, codes };
    }
    default:
      return { type };
  }
}

/** Short text for a packet ("PUBLISH q1 #3 dup a/b=x"), handy in ordering assertions. */
export function brief(p: Pkt): string {
  switch (p.type) {
    case "PUBLISH":
      return "PUBLISH q" + p.qos + (p.qos > 0 ? " #" + p.packetId : "") + (p.dup ? " dup" : "") + (p.retain ? " retain" : "") +
        " " + p.topic + "=" + p.payload;
    case "PUBACK": case "PUBREC": case "PUBREL": case "PUBCOMP": case "UNSUBACK":
      return p.type + " #" + p.packetId;
    case "SUBSCRIBE":
      return "SUBSCRIBE #" + p.packetId + " " + p.filters.map((f: any) => f.filter + ":" + f.qos).join(",");
    case "UNSUBSCRIBE":
      return "UNSUBSCRIBE #" + p.packetId + " " + p.filters.join(",");
    default:
      return p.type;
  }
}

// ---------------------------------------------------------------------------------------------------
// Broker-side packets, built with our encoders

const scratch = new Uint8Array(1 << 20);

function done(n: number, what: string): Uint8Array {
  if (n < 0) throw new Error("cannot encode " + what + ": " + errorName(n));
  return scratch.slice(0, n);
}

export function connack(sessionPresent = false, returnCode = 0): Uint8Array {
  return done(encodeConnack(scratch, 0, sessionPresent, returnCode), "CONNACK");
}

export interface PublishSpec {
  topic: string;
  payload?: string | Uint8Array;
  qos?: number;
  id?: number;
  retain?: boolean;
  dup?: boolean;
}

export function publish(s: PublishSpec): Uint8Array {
  const topic = utf8Bytes(s.topic);
  const payload = typeof s.payload === "string" || s.payload === undefined ? utf8Bytes(s.payload ?? "") : s.payload;
  const qos = s.qos ?? 0;
  return done(encodePublish(scratch, 0, qos, s.retain ?? false, s.dup ?? false, s.id ?? 0, topic, 0, topic.length,
    payload, 0, payload.length), "PUBLISH");
}

export function ack(type: number, id: number): Uint8Array {
  return done(encodeAck(scratch, 0, type, id), PACKET_NAMES[type]);
}
export const puback = (id: number): Uint8Array => ack(PUBACK, id);
export const pubrec = (id: number): Uint8Array => ack(PUBREC, id);
export const pubrel = (id: number): Uint8Array => ack(PUBREL, id);
export const pubcomp = (id: number): Uint8Array => ack(PUBCOMP, id);
export const unsuback = (id: number): Uint8Array => ack(UNSUBACK, id);

export function suback(id: number, codes: number[]): Uint8Array {
  return done(encodeSuback(scratch, 0, id, codes, 0, codes.length), "SUBACK");
}

export function empty(type: number): Uint8Array {
  return done(encodeEmpty(scratch, 0, type), PACKET_NAMES[type]);
}

/** concat(a, b, ...) -> one buffer (coalesced packets). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The fake clock

export class FakeClock implements Clock {
  t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

// ---------------------------------------------------------------------------------------------------
// The fake transport

/** "sync": close() calls onClose(OK) before it returns; "deferred": the test calls finishClose(). */
export type CloseMode = "sync" | "deferred";

export class FakeTransport implements Transport {
  /** Every packet written on any connection, in order. */
  readonly sent: Pkt[] = [];
  /** What happened, in order: "open", "refused", "accept", "write PUBLISH q1 #1 a=b", "close", "onClose -51". */
  readonly log: string[] = [];
  openCalls = 0;
  closeCalls = 0;
  /** write() calls that returned false (link not open). */
  failedWrites = 0;
  /** Bytes accepted by write() and bytes handed to onData, over all connections. */
  bytesWritten = 0;
  bytesDelivered = 0;
  /**
   * Writes that were not exactly one valid packet, or the first and second pieces of one (the client's
   * direct publish: header and topic, then the payload from its own bytes); always a client bug.
   */
  readonly badWrites: string[] = [];
  /** The last write started a packet the next must finish. */
  private partial = false;
  closeMode: CloseMode = "sync";

  /** pending: open() called, neither onOpen nor onClose yet. open: the byte stream is up. */
  pending = false;
  open_ = false;
  /** close() was called and (deferred mode) onClose is still owed. */
  closing = false;
  private events: TransportEvents | null = null;
  private refuse: number[] = [];
  /** Writes still to refuse though the stream looks open (a socket that died under the client). */
  private refuseWrites = 0;
  private taken = 0;
  private readonly decoder: Decoder;
  private readonly decoded: Pkt[] = [];

  constructor() {
    const decoded = this.decoded;
    const bad = this.badWrites;
    const sink: PacketSink = {
      onPacket(p: Packet): void {
        decoded.push(toPlain(p));
      },
      onDecodeError(code: number, p: Packet): void {
        bad.push(errorName(code) + " in " + PACKET_NAMES[p.type]);
      },
    };
    this.decoder = new Decoder(1 << 20, sink);
  }

  // ---- Transport ----

  open(events: TransportEvents): void {
    this.openCalls++;
    this.events = events;
    this.closing = false;
    if (this.refuse.length > 0) {
      const reason = this.refuse.shift() as number;
      this.log.push("open", "refused " + reason);
      events.onClose(reason);
      return;
    }
    this.log.push("open");
    this.pending = true;
  }

  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
  }

  write(buf: Uint8Array, off: number, len: number): boolean {
    if (!this.open_ || this.closing || this.refuseWrites > 0) {
      if (this.refuseWrites > 0) this.refuseWrites--;
      this.failedWrites++;
      return false;
    }
    this.bytesWritten += len;
    // Copy first: the client reuses its buffers at once.
    const copy = buf.slice(off, off + len);
    const before = this.decoded.length;
    this.decoder.feed(copy, 0, copy.length);
    const got = this.decoded.length - before;
    if (got === 0 && this.decoder.pending() > 0 && !this.partial) {
      this.partial = true;
      return true;
    }
    if (got !== 1 || this.decoder.pending() !== 0) {
      this.badWrites.push("write of " + len + " bytes held " + got + " packets" + (this.partial ? " after a partial one" : ""));
      this.decoder.reset();
    }
    this.partial = false;
    for (let i = before; i < this.decoded.length; i++) {
      this.sent.push(this.decoded[i]);
      this.log.push("write " + brief(this.decoded[i]));
    }
    return true;
  }

  close(): void {
    this.closeCalls++;
    this.log.push("close");
    if (!this.open_ && !this.pending) return; // nothing to close (contract: safe to call)
    if (this.closing) return;
    this.closing = true;
    if (this.closeMode === "sync") this.finishClose();
  }

  // ---- test controls ----

  /** The next open() refuses synchronously: onClose(reason) inside open(), as Espruino's net does. */
  refuseNextOpen(reason: number): void {
    this.refuse.push(reason);
  }

  /** The next n write() calls return false while the stream still looks open. */
  failWrites(n: number): void {
    this.refuseWrites = n;
  }

  /** The pending open succeeds: onOpen(). */
  accept(): void {
    if (!this.pending) throw new Error("accept(): no open() pending");
    this.pending = false;
    this.open_ = true;
    // A packet cut off with the last connection does not continue on this one.
    if (this.partial) this.badWrites.push("a packet left unfinished when the link closed");
    this.partial = false;
    this.decoder.reset();
    this.log.push("accept");
    (this.events as TransportEvents).onOpen();
  }

  /** The pending open fails later (asynchronously): onClose(reason). */
  fail(reason: number): void {
    if (!this.pending) throw new Error("fail(): no open() pending");
    this.pending = false;
    this.log.push("onClose " + reason);
    (this.events as TransportEvents).onClose(reason);
  }

  /** A close() in deferred mode completes: onClose(OK). */
  finishClose(reason = OK): void {
    if (!this.open_ && !this.pending) throw new Error("finishClose(): nothing open");
    this.open_ = false;
    this.pending = false;
    this.closing = false;
    this.log.push("onClose " + reason);
    (this.events as TransportEvents).onClose(reason);
  }

  /** The broker (or the network) ends the stream: onClose(reason). */
  remoteClose(reason = OK): void {
    if (!this.open_) throw new Error("remoteClose(): not open");
    this.open_ = false;
    this.closing = false;
    this.log.push("onClose " + reason);
    (this.events as TransportEvents).onClose(reason);
  }

  get isOpen(): boolean {
    return this.open_ && !this.closing;
  }

  /**
   * deliver(...chunks): each argument is one onData call. The bytes are copied into a bigger buffer at a
   * non-zero offset (so off/len are honoured) and scribbled over after the call (so nothing may keep them).
   */
  deliver(...chunks: Uint8Array[]): void {
    for (const c of chunks) {
      if (!this.open_) throw new Error("deliver(): not open");
      const pad = 3;
      const buf = new Uint8Array(c.length + 2 * pad).fill(0xee);
      buf.set(c, pad);
      this.bytesDelivered += c.length;
      (this.events as TransportEvents).onData(buf, pad, c.length);
      buf.fill(0xdd);
    }
  }

  /** deliverSplit(bytes, cuts): one onData per piece between the cut positions (sorted, 0 < cut < length). */
  deliverSplit(bytes: Uint8Array, cuts: number[]): void {
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const c of cuts) {
      pieces.push(bytes.subarray(from, c));
      from = c;
    }
    pieces.push(bytes.subarray(from));
    this.deliver(...pieces.filter((p) => p.length > 0));
  }

  /** One onData per byte. */
  deliverBytewise(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.deliver(bytes.subarray(i, i + 1));
  }

  /** take() -> packets written since the last take(). */
  take(): Pkt[] {
    const out = this.sent.slice(this.taken);
    this.taken = this.sent.length;
    return out;
  }

  /** takeBrief() -> take() as brief strings. */
  takeBrief(): string[] {
    return this.take().map(brief);
  }
}
