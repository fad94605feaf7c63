// Shared by the MQTT codec suites: maps the vectors' neutral packet objects onto the encoder API, reads a
// decoded Packet view back into the same neutral shape, and records what a Decoder reports.
import { expect } from "vitest";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT, PACKET_NAMES,
  Decoder, Packet, PacketSink, connectOptions, encodeConnect, encodeConnack, encodePublish, encodeAck,
  encodeEmpty, encodeSubscribe, encodeUnsubscribe, encodeSuback, entryLength, nextEntry, utf8Bytes, utf8Read,
} from "../../firmware/mqtt";
import { fromHex, toHex, textBytes } from "../helpers/vectors";

export type Neutral = Record<string, any>;

/** Packet type number for a vector's "type" name; throws for a name the codec does not have. */
export function typeOf(name: string): number {
  const t = PACKET_NAMES.indexOf(name);
  if (t < 1 || t > 14) throw new Error("unknown packet type in vectors: " + name);
  return t;
}

/** The bytes of a vector payload: "payloadHex" is binary, "payload" is text (with the "A x 200" shorthand). */
function payloadOf(o: Neutral): Uint8Array {
  if (o.payloadHex !== undefined) return fromHex(o.payloadHex);
  return textBytes(o.payload ?? "");
}

/**
 * encodeNeutral(pk, buf, off) -> the encoder's result for a vector's packet object. List packets are
 * encoded from arrays with a junk entry in front (first = 1), which must not show up in the bytes.
 */
export function encodeNeutral(pk: Neutral, buf: Uint8Array, off: number): number {
  const type = typeOf(pk.type);
  switch (type) {
    case CONNECT: {
      expect(pk.protocolName).toBe(pk.protocolLevel === 3 ? "MQIsdp" : "MQTT"); // the encoder derives it
      const o = connectOptions();
      o.protocolLevel = pk.protocolLevel;
      o.cleanSession = pk.cleanSession;
      o.keepAlive = pk.keepAlive;
      o.clientId = utf8Bytes(pk.clientId);
      if (pk.will !== undefined) {
        o.willTopic = utf8Bytes(pk.will.topic);
        o.willPayload = payloadOf(pk.will);
        o.willQos = pk.will.qos;
        o.willRetain = pk.will.retain;
      }
      if (pk.username !== undefined) o.username = utf8Bytes(pk.username);
      if (pk.password !== undefined) o.password = utf8Bytes(pk.password);
      return encodeConnect(buf, off, o);
    }
    case CONNACK:
      return encodeConnack(buf, off, pk.sessionPresent, pk.returnCode);
    case PUBLISH: {
      const topic = utf8Bytes(pk.topic);
      const payload = payloadOf(pk);
      return encodePublish(buf, off, pk.qos, pk.retain, pk.dup, pk.packetId ?? 0, topic, 0, topic.length,
        payload, 0, payload.length);
    }
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      return encodeAck(buf, off, type, pk.packetId);
    case SUBSCRIBE: {
      const subs = pk.subscriptions as { filter: string; qos: number }[];
      const filters = [utf8Bytes("junk/#")].concat(subs.map((s) => utf8Bytes(s.filter)));
      const qos = [3].concat(subs.map((s) => s.qos));
      return encodeSubscribe(buf, off, pk.packetId, filters, qos, 1, subs.length);
    }
    case UNSUBSCRIBE: {
      const filters = [utf8Bytes("junk/#")].concat((pk.filters as string[]).map(utf8Bytes));
      return encodeUnsubscribe(buf, off, pk.packetId, filters, 1, pk.filters.length);
    }
    case SUBACK:
      return encodeSuback(buf, off, pk.packetId, [7].concat(pk.returnCodes), 1, pk.returnCodes.length);
    case PINGREQ: case PINGRESP: case DISCONNECT:
      return encodeEmpty(buf, off, type);
  }
  throw new Error("no encoder mapping for " + pk.type);
}

/** A vector's packet object with payloads normalised to upper-case spaced hex ("payloadHex"). */
export function expectedNeutral(pk: Neutral): Neutral {
  const out: Neutral = { ...pk };
  if (pk.type === "PUBLISH") {
    delete out.payload;
    out.payloadHex = toHex(payloadOf(pk));
  }
  if (pk.will !== undefined) {
    out.will = { ...pk.will };
    delete out.will.payload;
    out.will.payloadHex = toHex(payloadOf(pk.will));
  }
  return out;
}

function str(p: Packet, off: number, len: number): string {
  return utf8Read(p.buf, off, len);
}

function hex(p: Packet, off: number, len: number): string {
  return toHex(p.buf.subarray(off, off + len));
}

/** neutralOf(p) -> the decoded packet in the vectors' neutral shape (payloads as hex). */
export function neutralOf(p: Packet): Neutral {
  const type = PACKET_NAMES[p.type];
  switch (p.type) {
    case CONNECT: {
      const o: Neutral = {
        type, protocolName: str(p, p.protocolNameOff, p.protocolNameLen), protocolLevel: p.protocolLevel,
        cleanSession: p.cleanSession, keepAlive: p.keepAlive, clientId: str(p, p.clientIdOff, p.clientIdLen),
      };
      if (p.willFlag) {
        o.will = { topic: str(p, p.topicOff, p.topicLen), payloadHex: hex(p, p.payloadOff, p.payloadLen), qos: p.qos, retain: p.retain };
      }
      if ((p.connectFlags & 0x80) !== 0) o.username = str(p, p.usernameOff, p.usernameLen);
      if ((p.connectFlags & 0x40) !== 0) o.password = str(p, p.passwordOff, p.passwordLen);
      return o;
    }
    case CONNACK:
      return { type, sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case PUBLISH: {
      const o: Neutral = { type, dup: p.dup, qos: p.qos, retain: p.retain, topic: str(p, p.topicOff, p.topicLen) };
      if (p.qos > 0) o.packetId = p.packetId;
      o.payloadHex = hex(p, p.payloadOff, p.payloadLen);
      return o;
    }
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      return { type, packetId: p.packetId };
    case SUBSCRIBE: case UNSUBSCRIBE: {
      const list: any[] = [];
      let pos = p.listOff;
      for (let i = 0; i < p.count; i++) {
        const len = entryLength(p, pos);
        const filter = str(p, pos + 2, len);
        list.push(p.type === SUBSCRIBE ? { filter, qos: p.buf[pos + 2 + len] } : filter);
        pos = nextEntry(p, pos);
      }
      expect(pos).toBe(p.listEnd); // the walk ends exactly at the end of the list
      return p.type === SUBSCRIBE ? { type, packetId: p.packetId, subscriptions: list }
        : { type, packetId: p.packetId, filters: list };
    }
    case SUBACK: {
      const codes: number[] = [];
      for (let i = 0; i < p.count; i++) codes.push(p.buf[p.listOff + i]);
      expect(p.listOff + p.count).toBe(p.listEnd);
      return { type, packetId: p.packetId, returnCodes: codes };
    }
  }
  return { type };
}

export type Event =
  | { kind: "packet"; bytes: string; remainingLength: number; packet: Neutral }
  | { kind: "error"; code: number; type: number; flags: number; remainingLength: number };

/** A PacketSink that snapshots every report (the Packet view is only valid during the call). */
export class Recorder implements PacketSink {
  events: Event[] = [];
  views: Packet[] = [];
  /** Called after each report is recorded, e.g. to reset the decoder from inside the callback. */
  after: ((e: Event) => void) | null = null;

  onPacket(p: Packet): void {
    this.views.push(p);
    const e: Event = {
      kind: "packet", bytes: toHex(p.buf.subarray(p.packetOff, p.packetOff + p.length)),
      remainingLength: p.remainingLength, packet: neutralOf(p),
    };
    this.events.push(e);
    if (this.after) this.after(e);
  }

  onDecodeError(code: number, p: Packet): void {
    this.views.push(p);
    const e: Event = { kind: "error", code, type: p.type, flags: p.flags, remainingLength: p.remainingLength };
    this.events.push(e);
    if (this.after) this.after(e);
  }
}

/** decodeIn(bytes, chunkSizes, rxSize) -> the events of feeding bytes in chunks of the given sizes (cycled). */
export function decodeIn(bytes: Uint8Array, chunkSizes: number[], rxSize = 1024): Event[] {
  const rec = new Recorder();
  const d = new Decoder(rxSize, rec);
  let off = 0;
  let k = 0;
  while (off < bytes.length) {
    const n = Math.min(Math.max(1, chunkSizes[k++ % chunkSizes.length]), bytes.length - off);
    d.feed(bytes, off, n);
    off += n;
  }
  return rec.events;
}

/** concat(...parts) -> one Uint8Array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

/**
 * guarded(size) -> a size-byte buffer to encode into, and a check that nothing was written past its end.
 * The buffer is a subarray of a larger one whose tail holds a sentinel; because a typed array silently
 * drops an out-of-range indexed write (so a sentinel alone would never see it), the view is also wrapped
 * in a Proxy that records every indexed write outside 0 .. size-1.
 */
export function guarded(size: number, pad = 32): { buf: Uint8Array; untouched: () => boolean; strayWrites: number[] } {
  const SENTINEL = 0xa5;
  const whole = new Uint8Array(size + pad).fill(SENTINEL);
  const view = whole.subarray(0, size);
  const strayWrites: number[] = [];
  const buf = new Proxy(view, {
    set(t, k, v) {
      if (typeof k === "string" && /^-?\d+(\.\d+)?$/.test(k)) {
        const i = Number(k);
        if (!(i >= 0 && i < t.length && i === Math.floor(i))) strayWrites.push(i);
      }
      return Reflect.set(t, k, v);
    },
    get(t, k) {
      const v = Reflect.get(t, k);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  return {
    buf,
    strayWrites,
    untouched: () => strayWrites.length === 0 && whole.subarray(size).every((b) => b === SENTINEL),
  };
}
