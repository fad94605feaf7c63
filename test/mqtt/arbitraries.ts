// fast-check arbitraries for random VALID MQTT 3.1.1 packets as a neutral object model, and adapters
// between that model and (a) our encoders, (b) our decoded Packet view, (c) mqtt-packet's object format.
import fc from "fast-check";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT,
} from "../../firmware/mqtt/packet-types";
import {
  connectOptions, encodeConnect, encodeConnack, encodePublish, encodeAck, encodeEmpty, encodeSubscribe,
  encodeSuback, encodeUnsubscribe,
} from "../../firmware/mqtt/encode";
import { Packet, entryLength, nextEntry } from "../../firmware/mqtt/packet";
import { Decoder, type PacketSink } from "../../firmware/mqtt/decoder";
import { utf8Bytes, utf8Read } from "../../firmware/mqtt/utf8";

// ---------------------------------------------------------------------------------------------------
// The neutral model. Strings are JS strings (well-formed, so their UTF-8 is valid); binary is Uint8Array.

export type AckType = "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback";
export type EmptyType = "pingreq" | "pingresp" | "disconnect";

export interface Will { topic: string; payload: Uint8Array; qos: number; retain: boolean }
export type Model =
  | {
    type: "connect"; level: 3 | 4; clean: boolean; keepAlive: number; clientId: string; will: Will | null;
    username: string | null; password: Uint8Array | null;
  }
  | { type: "connack"; sessionPresent: boolean; returnCode: number }
  | {
    type: "publish"; qos: number; dup: boolean; retain: boolean; packetId: number; topic: string;
    payload: Uint8Array;
  }
  | { type: AckType; packetId: number }
  | { type: "subscribe"; packetId: number; subscriptions: { filter: string; qos: number }[] }
  | { type: "suback"; packetId: number; returnCodes: number[] }
  | { type: "unsubscribe"; packetId: number; filters: string[] }
  | { type: EmptyType };

export const TYPE_NAMES = [
  "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
  "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect",
] as const;
export type TypeName = (typeof TYPE_NAMES)[number];

/** Control packet type number (1-14) of a model type name. */
export function typeCode(name: TypeName): number {
  return TYPE_NAMES.indexOf(name) + 1;
}

// ---------------------------------------------------------------------------------------------------
// fast-check parameters: bounded runs; FC_SEED=<n> replays a seed (fast-check prints it on failure).

export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;
  return seed === undefined ? { numRuns } : { numRuns, seed };
}

// ---------------------------------------------------------------------------------------------------
// Strings.

// Interesting non-ASCII code points: the edges of each UTF-8 length, BMP non-characters, astral.
const EDGE_CHARS = [
  "\u0080", "\u00e9", "\u07ff", "\u0800", "\u20ac", "\ud7ff", "\ue000", "\ufeff", "\uffff",
  "\u{10000}", "\u{1f600}", "\u{10ffff}", "\u00a0", "\u0001", "\u007f", "$", " ",
];

/** One code point of a topic level: never '/', '+', '#' or U+0000; mostly ASCII, some non-ASCII. */
export const levelChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.") },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_CHARS) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
      .filter((c) => c !== "/" && c !== "+" && c !== "#" && c !== "\u0000"),
  },
);

/** A topic level (possibly empty). */
export const topicLevel: fc.Arbitrary<string> = fc.string({ unit: levelChar, minLength: 0, maxLength: 8 });

/** A valid topic name: non-empty, no wildcards, no U+0000; empty levels and a leading '$' allowed. */
export const topicName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(topicLevel, { minLength: 1, maxLength: 6 }).map((l) => l.join("/")) },
  { weight: 1, arbitrary: fc.array(topicLevel, { minLength: 1, maxLength: 3 }).map((l) => "$" + l.join("/")) },
  { weight: 1, arbitrary: fc.constantFrom("/", "//", "a", "$SYS/broker/load", "\u{1f600}/\u00e9") },
).filter((t) => t.length > 0);

/** A valid topic filter: '+' alone in its level anywhere, '#' alone in the last level only. */
export const topicFilter: fc.Arbitrary<string> = fc.tuple(
  fc.array(fc.oneof({ weight: 3, arbitrary: topicLevel }, { weight: 1, arbitrary: fc.constant("+") }), {
    minLength: 1, maxLength: 6,
  }),
  fc.boolean(),
).map(([levels, hash]) => (hash ? levels.concat("#") : levels).join("/"))
  .filter((f) => f.length > 0);

/** A UTF-8 string field (client id, user name): any code point but U+0000. */
export const utf8Field = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_:/+#") },
      { weight: 1, arbitrary: fc.constantFrom(...EDGE_CHARS) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => c !== "\u0000") },
    ),
    maxLength,
  });

// ---------------------------------------------------------------------------------------------------
// Numbers and binary.

export const packetId: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 65535 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2, 127, 128, 255, 256, 32768, 65534, 65535) },
);
export const qos: fc.Arbitrary<number> = fc.integer({ min: 0, max: 2 });

/** Binary: mostly short, sometimes empty, sometimes a few KB (multi-byte remaining lengths). */
export const binary = (maxSmall = 40, maxBig = 4000): fc.Arbitrary<Uint8Array> => fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: maxSmall }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: maxBig, size: "max" }) },
);

// ---------------------------------------------------------------------------------------------------
// Packet arbitraries.

export const connectArb: fc.Arbitrary<Model> = fc.record({
  level: fc.constantFrom(3 as const, 4 as const),
  clean: fc.boolean(),
  keepAlive: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(0, 1, 60, 65535)),
  clientId: fc.oneof({ weight: 1, arbitrary: fc.constant("") }, { weight: 5, arbitrary: utf8Field(23) }),
  will: fc.option(fc.record({ topic: topicName, payload: binary(30, 1000), qos, retain: fc.boolean() })),
  cred: fc.option(fc.tuple(utf8Field(12), fc.option(binary(12, 300)))),
}).map(({ level, clean, keepAlive, clientId, will, cred }) => ({
  // A zero-byte client id needs clean session [MQTT-3.1.3-7] and MQTT 3.1 needs one at all.
  type: "connect" as const, level, clean, keepAlive, clientId: clientId === "" && (level === 3 || !clean) ? "id" : clientId, will,
  username: cred === null ? null : cred[0],
  password: cred === null ? null : cred[1],
}));

export const connackArb: fc.Arbitrary<Model> = fc.integer({ min: 0, max: 5 }).chain((rc) =>
  (rc === 0 ? fc.boolean() : fc.constant(false)).map((sp) => ({
    type: "connack" as const, sessionPresent: sp, returnCode: rc,
  })));

export const publishArb: fc.Arbitrary<Model> = fc.record({
  qos, dup: fc.boolean(), retain: fc.boolean(), packetId, topic: topicName, payload: binary(),
}).map((r) => ({
  type: "publish" as const, qos: r.qos, dup: r.qos > 0 && r.dup, retain: r.retain,
  packetId: r.qos > 0 ? r.packetId : 0, topic: r.topic, payload: r.payload,
}));

const ackArb = (type: AckType): fc.Arbitrary<Model> => packetId.map((id) => ({ type, packetId: id }));

export const subscribeArb: fc.Arbitrary<Model> = fc.record({
  packetId,
  subscriptions: fc.array(fc.record({ filter: topicFilter, qos }), { minLength: 1, maxLength: 8 }),
}).map((r) => ({ type: "subscribe" as const, ...r }));

export const subackArb: fc.Arbitrary<Model> = fc.record({
  packetId,
  returnCodes: fc.oneof(
    { weight: 5, arbitrary: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 120, maxLength: 300, size: "max" }) },
  ),
}).map((r) => ({ type: "suback" as const, ...r }));

export const unsubscribeArb: fc.Arbitrary<Model> = fc.record({
  packetId, filters: fc.array(topicFilter, { minLength: 1, maxLength: 8 }),
}).map((r) => ({ type: "unsubscribe" as const, ...r }));

const emptyArb = (type: EmptyType): fc.Arbitrary<Model> => fc.constant({ type });

/** One arbitrary per packet type. */
export const arbByType: Record<TypeName, fc.Arbitrary<Model>> = {
  connect: connectArb,
  connack: connackArb,
  publish: publishArb,
  puback: ackArb("puback"),
  pubrec: ackArb("pubrec"),
  pubrel: ackArb("pubrel"),
  pubcomp: ackArb("pubcomp"),
  subscribe: subscribeArb,
  suback: subackArb,
  unsubscribe: unsubscribeArb,
  unsuback: ackArb("unsuback"),
  pingreq: emptyArb("pingreq"),
  pingresp: emptyArb("pingresp"),
  disconnect: emptyArb("disconnect"),
};

/** Any valid packet (publish weighted up: it is the one with the most shapes). */
export const anyPacket: fc.Arbitrary<Model> = fc.oneof(
  ...TYPE_NAMES.map((t) => ({ weight: t === "publish" ? 4 : t === "connect" || t.startsWith("sub") ? 2 : 1, arbitrary: arbByType[t] })),
);

// ---------------------------------------------------------------------------------------------------
// Adapter 1: our encoders.

const ACK_CODE: Record<AckType, number> = {
  puback: PUBACK, pubrec: PUBREC, pubrel: PUBREL, pubcomp: PUBCOMP, unsuback: UNSUBACK,
};
const EMPTY_CODE: Record<EmptyType, number> = { pingreq: PINGREQ, pingresp: PINGRESP, disconnect: DISCONNECT };

/** encodeOurs(model, buf, off) -> what our encoder returns: end offset or a negative error code. */
export function encodeOurs(m: Model, buf: Uint8Array, off: number): number {
  switch (m.type) {
    case "connect": {
      const o = connectOptions();
      o.protocolLevel = m.level;
      o.cleanSession = m.clean;
      o.keepAlive = m.keepAlive;
      o.clientId = utf8Bytes(m.clientId);
      if (m.will !== null) {
        o.willTopic = utf8Bytes(m.will.topic);
        o.willPayload = m.will.payload;
        o.willQos = m.will.qos;
        o.willRetain = m.will.retain;
      }
      o.username = m.username === null ? null : utf8Bytes(m.username);
      o.password = m.password;
      return encodeConnect(buf, off, o);
    }
    case "connack":
      return encodeConnack(buf, off, m.sessionPresent, m.returnCode);
    case "publish": {
      const t = utf8Bytes(m.topic);
      return encodePublish(buf, off, m.qos, m.retain, m.dup, m.packetId, t, 0, t.length, m.payload, 0, m.payload.length);
    }
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback":
      return encodeAck(buf, off, ACK_CODE[m.type], m.packetId);
    case "subscribe": {
      const filters = m.subscriptions.map((s) => utf8Bytes(s.filter));
      const q = m.subscriptions.map((s) => s.qos);
      return encodeSubscribe(buf, off, m.packetId, filters, q, 0, filters.length);
    }
    case "suback":
      return encodeSuback(buf, off, m.packetId, m.returnCodes, 0, m.returnCodes.length);
    case "unsubscribe": {
      const filters = m.filters.map((f) => utf8Bytes(f));
      return encodeUnsubscribe(buf, off, m.packetId, filters, 0, filters.length);
    }
    case "pingreq": case "pingresp": case "disconnect":
      return encodeEmpty(buf, off, EMPTY_CODE[m.type]);
  }
}

/** An upper bound of a model's encoded size. */
export function sizeBound(m: Model): number {
  const s = (x: string | null) => (x === null ? 0 : 2 + utf8Bytes(x).length);
  const b = (x: Uint8Array | null) => (x === null ? 0 : 2 + x.length);
  switch (m.type) {
    case "connect":
      return 5 + 10 + 2 + s(m.clientId) + (m.will ? s(m.will.topic) + b(m.will.payload) : 0) + s(m.username) + b(m.password);
    case "publish": return 5 + 4 + s(m.topic) + m.payload.length;
    case "subscribe": return 7 + m.subscriptions.reduce((n, x) => n + s(x.filter) + 1, 0);
    case "unsubscribe": return 7 + m.filters.reduce((n, x) => n + s(x), 0);
    case "suback": return 7 + m.returnCodes.length;
    default: return 8;
  }
}

/** encodeToBytes(model) -> a fresh exact-size copy of our encoding; throws on an encoder error code. */
export function encodeToBytes(m: Model): Uint8Array {
  const buf = new Uint8Array(sizeBound(m));
  const end = encodeOurs(m, buf, 0);
  if (end < 0) throw new Error("encoder returned " + end + " for " + describe(m));
  return buf.slice(0, end);
}

// ---------------------------------------------------------------------------------------------------
// Adapter 2: our decoded Packet view -> model (copies everything: the view is reused).

const copy = (buf: Uint8Array, off: number, len: number) => Uint8Array.from(buf.subarray(off, off + len));

export function readOurs(p: Packet): Model {
  const b = p.buf;
  switch (p.type) {
    case CONNECT: {
      const cf = p.connectFlags;
      return {
        type: "connect",
        level: p.protocolLevel as 3 | 4,
        clean: p.cleanSession,
        keepAlive: p.keepAlive,
        clientId: utf8Read(b, p.clientIdOff, p.clientIdLen),
        will: p.willFlag
          ? { topic: utf8Read(b, p.topicOff, p.topicLen), payload: copy(b, p.payloadOff, p.payloadLen), qos: p.qos, retain: p.retain }
          : null,
        username: (cf & 0x80) !== 0 ? utf8Read(b, p.usernameOff, p.usernameLen) : null,
        password: (cf & 0x40) !== 0 ? copy(b, p.passwordOff, p.passwordLen) : null,
      };
    }
    case CONNACK:
      return { type: "connack", sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case PUBLISH:
      return {
        type: "publish", qos: p.qos, dup: p.dup, retain: p.retain, packetId: p.qos > 0 ? p.packetId : 0,
        topic: utf8Read(b, p.topicOff, p.topicLen), payload: copy(b, p.payloadOff, p.payloadLen),
      };
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      return { type: TYPE_NAMES[p.type - 1] as AckType, packetId: p.packetId };
    case SUBSCRIBE: {
      const subscriptions: { filter: string; qos: number }[] = [];
      for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) {
        const n = entryLength(p, pos);
        subscriptions.push({ filter: utf8Read(b, pos + 2, n), qos: b[pos + 2 + n] });
      }
      return { type: "subscribe", packetId: p.packetId, subscriptions };
    }
    case UNSUBSCRIBE: {
      const filters: string[] = [];
      for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) filters.push(utf8Read(b, pos + 2, entryLength(p, pos)));
      return { type: "unsubscribe", packetId: p.packetId, filters };
    }
    case SUBACK:
      return { type: "suback", packetId: p.packetId, returnCodes: Array.from(b.subarray(p.listOff, p.listEnd)) };
    case PINGREQ: case PINGRESP: case DISCONNECT:
      return { type: TYPE_NAMES[p.type - 1] as EmptyType };
  }
  throw new Error("readOurs: packet type " + p.type);
}

/** One decoder event: a packet (as a model) or an error code with the type seen. */
export type Event = { packet: Model } | { error: number; type: number; length?: number };

/** A sink that turns every callback into an Event (copied at once: the view is reused). */
export function collectingSink(events: Event[]): PacketSink {
  return {
    onPacket: (p) => { events.push({ packet: readOurs(p) }); },
    onDecodeError: (code, p) => { events.push({ error: code, type: p.type }); },
  };
}

/** decodeAll(bytes, rxSize) -> the events of feeding bytes in one chunk to a fresh Decoder. */
export function decodeAll(bytes: Uint8Array, rxSize = Math.max(bytes.length, 5)): Event[] {
  const events: Event[] = [];
  new Decoder(rxSize, collectingSink(events)).feed(bytes, 0, bytes.length);
  return events;
}

// ---------------------------------------------------------------------------------------------------
// Adapter 3: mqtt-packet's object format (and back, for its parser's output).

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.length);

export function toMqttPacket(m: Model): Record<string, any> {
  switch (m.type) {
    case "connect": {
      const o: Record<string, any> = {
        cmd: "connect", protocolId: m.level === 4 ? "MQTT" : "MQIsdp", protocolVersion: m.level,
        clean: m.clean, keepalive: m.keepAlive, clientId: m.clientId,
      };
      if (m.will !== null) o.will = { topic: m.will.topic, payload: buf(m.will.payload), qos: m.will.qos, retain: m.will.retain };
      if (m.username !== null) o.username = m.username;
      if (m.password !== null) o.password = buf(m.password);
      return o;
    }
    case "connack":
      return { cmd: "connack", returnCode: m.returnCode, sessionPresent: m.sessionPresent };
    case "publish": {
      const o: Record<string, any> = {
        cmd: "publish", qos: m.qos, dup: m.dup, retain: m.retain, topic: m.topic, payload: buf(m.payload),
      };
      if (m.qos > 0) o.messageId = m.packetId;
      return o;
    }
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback":
      return { cmd: m.type, messageId: m.packetId };
    case "subscribe":
      return { cmd: "subscribe", messageId: m.packetId, subscriptions: m.subscriptions.map((s) => ({ topic: s.filter, qos: s.qos })) };
    case "suback":
      return { cmd: "suback", messageId: m.packetId, granted: m.returnCodes.slice() };
    case "unsubscribe":
      return { cmd: "unsubscribe", messageId: m.packetId, unsubscriptions: m.filters.slice() };
    case "pingreq": case "pingresp": case "disconnect":
      return { cmd: m.type };
  }
}

/** fromMqttPacket(obj) -> model, from what mqtt-packet's parser emits. */
export function fromMqttPacket(o: Record<string, any>): Model {
  const bytes = (x: any) => (x == null ? new Uint8Array(0) : Uint8Array.from(typeof x === "string" ? Buffer.from(x) : x));
  switch (o.cmd) {
    case "connect":
      return {
        type: "connect", level: o.protocolVersion, clean: o.clean, keepAlive: o.keepalive, clientId: o.clientId,
        will: o.will ? { topic: o.will.topic, payload: bytes(o.will.payload), qos: o.will.qos, retain: o.will.retain } : null,
        username: o.username === undefined ? null : o.username,
        password: o.password === undefined ? null : bytes(o.password),
      };
    case "connack":
      return { type: "connack", sessionPresent: o.sessionPresent, returnCode: o.returnCode };
    case "publish":
      return {
        type: "publish", qos: o.qos, dup: o.dup, retain: o.retain, packetId: o.qos > 0 ? o.messageId : 0,
        topic: o.topic, payload: bytes(o.payload),
      };
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback":
      return { type: o.cmd, packetId: o.messageId };
    case "subscribe":
      return { type: "subscribe", packetId: o.messageId, subscriptions: o.subscriptions.map((s: any) => ({ filter: s.topic, qos: s.qos })) };
    case "suback":
      return { type: "suback", packetId: o.messageId, returnCodes: o.granted.slice() };
    case "unsubscribe":
      return { type: "unsubscribe", packetId: o.messageId, filters: o.unsubscriptions.slice() };
    case "pingreq": case "pingresp": case "disconnect":
      return { type: o.cmd };
  }
  throw new Error("fromMqttPacket: " + o.cmd);
}

/** Short text of a model for failure messages. */
export function describe(m: Model): string {
  return JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? "<" + v.length + " bytes>" : v));
}
