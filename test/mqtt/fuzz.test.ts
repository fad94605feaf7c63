// Fuzzing the decoder and the encoders: random and mutated bytes, hostile arguments. Nothing may throw,
// every error is a code of the table, and nothing is read or written outside the buffers it was given.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  anyPacket, encodeToBytes, decodeAll, readOurs, fcParams, topicName, topicFilter, packetId as packetIdArb,
  describe as describeModel, type Model,
} from "./arbitraries";
import { toHex } from "../helpers/vectors";
import { Decoder } from "../../firmware/mqtt/decoder";
import { Packet, entryLength, nextEntry } from "../../firmware/mqtt/packet";
import { allErrorCodes, errorName } from "../../firmware/mqtt/errors";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT,
} from "../../firmware/mqtt/packet-types";
import {
  connectOptions, encodeConnect, encodeConnack, encodePublish, encodeAck, encodeEmpty, encodeSubscribe,
  encodeSuback, encodeUnsubscribe,
} from "../../firmware/mqtt/encode";
import { utf8Bytes } from "../../firmware/mqtt/utf8";

const CODES = new Set(allErrorCodes());

// ---------------------------------------------------------------------------------------------------
// Guarded buffers: a Proxy that logs every index read or write outside [lo, hi) (and, when readOnly,
// every write at all). Typed arrays ignore out-of-range accesses silently, so only a proxy sees them.

interface Guard { log: string[]; paused: boolean }

/** Records a violation; after 1,000 it throws, so a runaway loop over a huge length ends the run. */
function violation(g: Guard, text: string): void {
  if (g.log.length < 1000) g.log.push(text);
  else throw new Error("guard: over 1,000 out-of-range accesses, first: " + g.log[0]);
}

function isIndexKey(k: string | symbol): k is string {
  if (typeof k !== "string") return false;
  // A CanonicalNumericIndexString: what a typed array treats as an element access.
  return k === "-0" || String(Number(k)) === k;
}

function guarded(target: Uint8Array, lo: number, hi: number, g: Guard, label: string, readOnly: boolean): Uint8Array {
  return new Proxy(target, {
    get(t, k) {
      if (isIndexKey(k) && !g.paused) {
        const i = Number(k);
        if (!(Number.isInteger(i) && i >= lo && i < hi)) violation(g, `${label}: read [${k}] outside [${lo}, ${hi})`);
      }
      const v = (t as any)[k];
      return typeof v === "function" ? v.bind(t) : v;
    },
    set(t, k, v) {
      if (isIndexKey(k) && !g.paused) {
        const i = Number(k);
        if (readOnly) violation(g, `${label}: write [${k}] = ${v} into a read-only buffer`);
        else if (!(Number.isInteger(i) && i >= lo && i < hi)) violation(g, `${label}: write [${k}] = ${v} outside [${lo}, ${hi})`);
      }
      (t as any)[k] = v;
      return true;
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Decoder fuzzing.

/** Every offset/length the packet reports lies within [p.packetOff, p.packetOff + p.length). */
function checkFields(p: Packet, problems: string[]): void {
  const lo = p.packetOff;
  const hi = p.packetOff + p.length;
  const inside = (name: string, off: number, len: number) => {
    if (!(Number.isInteger(off) && Number.isInteger(len) && len >= 0 && off >= lo && off + len <= hi)) {
      problems.push(`${name} [${off}, +${len}) outside packet [${lo}, ${hi}) type ${p.type}`);
    }
  };
  if (p.length !== p.remainingLength + (p.length - p.remainingLength) || p.length - p.remainingLength < 2 || p.length - p.remainingLength > 5) {
    problems.push(`header length ${p.length - p.remainingLength}`);
  }
  switch (p.type) {
    case PUBLISH:
      inside("topic", p.topicOff, p.topicLen);
      inside("payload", p.payloadOff, p.payloadLen);
      break;
    case CONNECT:
      inside("protocolName", p.protocolNameOff, p.protocolNameLen);
      inside("clientId", p.clientIdOff, p.clientIdLen);
      if (p.willFlag) {
        inside("willTopic", p.topicOff, p.topicLen);
        inside("willPayload", p.payloadOff, p.payloadLen);
      }
      if (p.connectFlags & 0x80) inside("username", p.usernameOff, p.usernameLen);
      if (p.connectFlags & 0x40) inside("password", p.passwordOff, p.passwordLen);
      break;
    case SUBSCRIBE: case UNSUBSCRIBE: {
      inside("list", p.listOff, p.listEnd - p.listOff);
      let n = 0;
      let pos = p.listOff;
      for (; pos < p.listEnd && n <= p.count; pos = nextEntry(p, pos), n++) {
        inside("entry", pos, 2 + entryLength(p, pos) + (p.type === SUBSCRIBE ? 1 : 0));
      }
      if (pos !== p.listEnd || n !== p.count) problems.push(`list walks to ${pos} in ${n} entries, listEnd ${p.listEnd} count ${p.count}`);
      break;
    }
    case SUBACK:
      inside("codes", p.listOff, p.listEnd - p.listOff);
      if (p.count !== p.listEnd - p.listOff) problems.push(`suback count ${p.count}`);
      break;
  }
}

/** Length of the fixed header of encoded bytes. */
function headerLen(b: Uint8Array): number {
  let i = 1;
  while (b[i] & 0x80) i++;
  return i + 1;
}

const mutation = fc.oneof(
  fc.record({ k: fc.constant("flip" as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant("set" as const), pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant("insert" as const), pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant("delete" as const), pos: fc.nat() }),
);

/** Valid packets, concatenated, then flipped/overwritten/inserted/deleted bytes. */
const mutatedStream = fc.tuple(
  fc.array(anyPacket, { minLength: 1, maxLength: 4 }),
  fc.array(mutation, { minLength: 1, maxLength: 6 }),
).map(([models, muts]) => {
  const bytes: number[] = [];
  for (const m of models) bytes.push(...encodeToBytes(m));
  for (const mu of muts) {
    const pos = mu.pos % (bytes.length + (mu.k === "insert" ? 1 : 0) || 1);
    if (mu.k === "flip") bytes[pos] ^= 1 << mu.bit;
    else if (mu.k === "set") bytes[pos] = mu.byte;
    else if (mu.k === "insert") bytes.splice(pos, 0, mu.byte);
    else bytes.splice(pos, 1);
  }
  return Uint8Array.from(bytes.filter((b) => b !== undefined));
});

const fuzzInput = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 3000, size: "max" }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 5, arbitrary: mutatedStream },
);

const chunking = fc.oneof(
  fc.constant<"whole">("whole"),
  fc.constant<"bytes">("bytes"),
  fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
);

interface FuzzResult { problems: string[]; packets: number; errors: number }

function fuzzDecoder(input: Uint8Array, how: "whole" | "bytes" | number[], rxSize: number, pad: number): FuzzResult {
  const g: Guard = { log: [], paused: false };
  const problems: string[] = [];
  let packets = 0;
  let errors = 0;
  let src: Uint8Array = new Uint8Array(0);
  let win = [0, 0];
  // eslint-disable-next-line prefer-const
  let dec: Decoder;
  const sink = {
    onPacket(p: Packet) {
      packets++;
      if (p !== dec.packet) problems.push("onPacket got another Packet object");
      const inRx = p.buf === dec.rx;
      if (!inRx && p.buf !== src) problems.push("p.buf is neither the chunk nor rx");
      const [lo, hi] = inRx ? [0, rxSize] : win;
      if (!(p.packetOff >= lo && p.packetOff + p.length <= hi)) problems.push(`packet [${p.packetOff}, +${p.length}) outside its buffer window [${lo}, ${hi})`);
      checkFields(p, problems);
      // Anything we accept re-encodes to the very same bytes (the remaining length's own encoding aside).
      g.paused = true;
      try {
        const model: Model = readOurs(p);
        const actual = Uint8Array.from(p.buf.subarray(p.packetOff, p.packetOff + p.length));
        let again: Uint8Array | null = null;
        try { again = encodeToBytes(model); } catch (e) { problems.push("accepted but our encoder refuses: " + String(e) + " bytes " + toHex(actual)); }
        if (again !== null) {
          const a = toHex(actual[0] === again[0] ? actual.subarray(headerLen(actual)) : actual);
          const b = toHex(actual[0] === again[0] ? again.subarray(headerLen(again)) : again);
          if (a !== b) problems.push(`accepted ${toHex(actual)} re-encodes as ${toHex(again)} (${describeModel(model)})`);
        }
      } finally {
        g.paused = false;
      }
    },
    onDecodeError(code: number) {
      errors++;
      if (!CODES.has(code)) problems.push(`code ${code} is not in the errors table`);
    },
  };
  dec = new Decoder(rxSize, sink);
  const rxTarget = dec.rx;
  const realRxLen = rxTarget.length;
  (dec as { rx: Uint8Array }).rx = guarded(rxTarget, 0, realRxLen, g, "rx", false);
  rxSize = realRxLen;
  let fed = 0;
  const sizes = how === "whole" ? [input.length] : [];
  if (how !== "whole") for (let pos = 0, i = 0; pos < input.length; i++) {
    const n = Math.min(how === "bytes" ? 1 : how[i % how.length], input.length - pos);
    sizes.push(n);
    pos += n;
  }
  for (const n of sizes) {
    // The chunk sits inside a larger buffer with sentinels on both sides.
    const host = new Uint8Array(pad + n + 8).fill(0xa5);
    host.set(input.subarray(fed, fed + n), pad);
    const before = Uint8Array.from(host);
    win = [pad, pad + n];
    src = guarded(host, pad, pad + n, g, "chunk", true);
    try {
      dec.feed(src, pad, n);
    } catch (e) {
      problems.push("feed threw " + String(e));
      break;
    }
    fed += n;
    if (toHex(host) !== toHex(before)) problems.push("the chunk or its sentinels changed");
    if (dec.rx.length !== realRxLen) problems.push("rx length changed");
    const pending = dec.pending();
    if (!(Number.isInteger(pending) && pending >= 0 && pending <= fed)) problems.push(`pending() ${pending} with ${fed} bytes fed`);
  }
  return { problems: problems.concat(g.log.slice(0, 5)), packets, errors };
}

describe("fuzz: the decoder on random and mutated bytes", () => {
  it("never throws, reports only table codes, stays inside every buffer, and is canonical", () => {
    fc.assert(fc.property(
      fuzzInput, chunking, fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 5, max: 4096 })),
      fc.integer({ min: 0, max: 5 }),
      (input, how, rxSize, pad) => {
        const r = fuzzDecoder(input, how, rxSize, pad);
        expect(r.problems, "input " + toHex(input)).toEqual([]);
      },
    ), fcParams(400));
  });

  it("the guards work: a clean decode of valid packets logs nothing, and a proxied access outside is seen", () => {
    const bytes = encodeToBytes({ type: "publish", qos: 1, dup: false, retain: false, packetId: 7, topic: "a/b", payload: new Uint8Array([1, 2]) });
    const r = fuzzDecoder(bytes, "bytes", 64, 3);
    expect(r).toEqual({ problems: [], packets: 1, errors: 0 });
    const g: Guard = { log: [], paused: false };
    const b = guarded(new Uint8Array(4), 1, 3, g, "t", false);
    void b[0]; b[3] = 1; void b[1]; b[2] = 2;
    expect(g.log.length).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------
// Encoder fuzzing.

/** Numbers a careless caller might pass. */
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 70000 }),
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 1.5, -1, 65535, 65536, 2 ** 31, 2 ** 32 + 1, 2 ** 53, -(2 ** 31), 268435455, 268435456),
  fc.double(),
);
/** Offsets that are not offsets. */
const badOffset = fc.constantFrom(NaN, -1, -2, -100, 0.5, 1.5, Infinity, -Infinity, -(2 ** 31), 2 ** 53);
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  topicName.map(utf8Bytes),
  topicFilter.map(utf8Bytes),
  fc.constant(new Uint8Array(0)),
);
/** Booleans as a careless JS caller might pass them. */
const flag = fc.oneof(fc.boolean(), fc.constantFrom<any>(0, 1, "", "x", null, undefined, NaN));

/** A call of one encoder, with the arguments as generated. */
export interface Call { name: string; run: (buf: Uint8Array, off: number) => number; args: unknown }

/** [array, first, count] or [array, off, len]: in range, or (hostile) any numbers. */
function slice<T extends { length: number }>(arr: fc.Arbitrary<T>, hostile: boolean): fc.Arbitrary<[T, number, number]> {
  return arr.chain((a) => (hostile
    ? fc.tuple(fc.constant(a), fc.oneof(anyNumber, fc.constant(0)), fc.oneof(anyNumber, fc.constant(a.length)))
    : fc.integer({ min: 0, max: a.length }).chain((o) => fc.tuple(fc.constant(a), fc.constant(o), fc.integer({ min: 0, max: a.length - o })))));
}

const num = fc.oneof(anyNumber, packetIdArb);
const nullable = (a: fc.Arbitrary<Uint8Array>) => fc.option(a, { nil: null });

const connectCall: fc.Arbitrary<Call> = fc.record({
  level: fc.oneof(anyNumber, fc.constantFrom(3, 4)), clean: flag, keepAlive: num, clientId: bytesArb,
  willTopic: nullable(bytesArb), willPayload: nullable(bytesArb), willQos: anyNumber, willRetain: flag,
  username: nullable(bytesArb), password: nullable(bytesArb),
}).map((a) => ({
  name: "encodeConnect", args: a,
  run: (buf: Uint8Array, off: number) => {
    const o = connectOptions();
    o.protocolLevel = a.level; o.cleanSession = a.clean; o.keepAlive = a.keepAlive; o.clientId = a.clientId;
    o.willTopic = a.willTopic; o.willPayload = a.willPayload; o.willQos = a.willQos; o.willRetain = a.willRetain;
    o.username = a.username; o.password = a.password;
    return encodeConnect(buf, off, o);
  },
}));
const connackCall: fc.Arbitrary<Call> = fc.record({ sp: flag, rc: anyNumber }).map((a) => ({
  name: "encodeConnack", args: a, run: (buf: Uint8Array, off: number) => encodeConnack(buf, off, a.sp, a.rc),
}));
const publishCall = (hostileSlices: boolean): fc.Arbitrary<Call> => fc.record({
  qos: anyNumber, retain: flag, dup: flag, id: num, topic: slice(bytesArb, hostileSlices),
  payload: slice(fc.uint8Array({ maxLength: 300 }), hostileSlices),
}).map((a) => ({
  name: "encodePublish", args: a,
  run: (buf: Uint8Array, off: number) =>
    encodePublish(buf, off, a.qos, a.retain, a.dup, a.id, a.topic[0], a.topic[1], a.topic[2], a.payload[0], a.payload[1], a.payload[2]),
}));
const ackCall: fc.Arbitrary<Call> = fc.record({ type: fc.oneof(anyNumber, fc.constantFrom(PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK)), id: num })
  .map((a) => ({ name: "encodeAck", args: a, run: (buf: Uint8Array, off: number) => encodeAck(buf, off, a.type, a.id) }));
const emptyCall: fc.Arbitrary<Call> = fc.record({ type: fc.oneof(anyNumber, fc.constantFrom(PINGREQ, PINGRESP, DISCONNECT)) })
  .map((a) => ({ name: "encodeEmpty", args: a, run: (buf: Uint8Array, off: number) => encodeEmpty(buf, off, a.type) }));
const subscribeCall = (hostileSlices: boolean): fc.Arbitrary<Call> => fc.record({
  id: num, filters: slice(fc.array(fc.tuple(bytesArb, fc.oneof(anyNumber, fc.integer({ min: 0, max: 2 }))), { maxLength: 6 }), hostileSlices),
}).map((a) => ({
  name: "encodeSubscribe", args: a,
  run: (buf: Uint8Array, off: number) =>
    encodeSubscribe(buf, off, a.id, a.filters[0].map((x) => x[0]), a.filters[0].map((x) => x[1]), a.filters[1], a.filters[2]),
}));
const unsubscribeCall = (hostileSlices: boolean): fc.Arbitrary<Call> => fc.record({
  id: num, filters: slice(fc.array(bytesArb, { maxLength: 6 }), hostileSlices),
}).map((a) => ({
  name: "encodeUnsubscribe", args: a,
  run: (buf: Uint8Array, off: number) => encodeUnsubscribe(buf, off, a.id, a.filters[0], a.filters[1], a.filters[2]),
}));
const subackCall = (hostileSlices: boolean): fc.Arbitrary<Call> => fc.record({
  id: num, codes: slice(fc.array(fc.oneof(anyNumber, fc.constantFrom(0, 1, 2, 0x80)), { maxLength: 6 }), hostileSlices),
}).map((a) => ({
  name: "encodeSuback", args: a,
  run: (buf: Uint8Array, off: number) => encodeSuback(buf, off, a.id, a.codes[0], a.codes[1], a.codes[2]),
}));

/** Every encoder, slices/first/count in range; all other numbers and flags hostile. */
const inRangeCall: fc.Arbitrary<Call> = fc.oneof(
  connectCall, connackCall, publishCall(false), ackCall, emptyCall, subscribeCall(false), unsubscribeCall(false), subackCall(false),
);

export function showArgs(c: Call): string {
  return c.name + " " + JSON.stringify(c.args, (_k, v) =>
    (v instanceof Uint8Array ? "<" + toHex(v) + ">" : typeof v === "number" && !Number.isFinite(v) ? String(v) : v === undefined ? "undefined" : v));
}

/** Runs one encoder call into a guarded buffer with sentinels; the list of what went wrong. */
export function runEncoder(c: Call, bufLen: number, off: number): string[] {
  const problems: string[] = [];
  const PAD = 8;
  const host = new Uint8Array(PAD + bufLen + PAD).fill(0x5a);
  const view = host.subarray(PAD, PAD + bufLen);
  const g: Guard = { log: [], paused: false };
  const buf = guarded(view, 0, bufLen, g, "buf", false);
  let r: number;
  try {
    r = c.run(buf, off);
  } catch (e) {
    return ["threw " + String(e)];
  }
  for (const s of g.log) if (s.includes("write")) { problems.push(s); break; }
  for (let i = 0; i < PAD; i++) {
    if (host[i] !== 0x5a || host[PAD + bufLen + i] !== 0x5a) { problems.push("sentinel changed"); break; }
  }
  if (CODES.has(r)) return problems;
  if (!(Number.isInteger(r) && off >= 0 && r > off && r <= bufLen)) {
    problems.push(`returned ${r}: neither a table code nor an end offset in (${off}, ${bufLen}]`);
    return problems;
  }
  // A success is exactly one packet that our own decoder accepts.
  const events = decodeAll(Uint8Array.from(view.subarray(off, r)));
  if (!(events.length === 1 && "packet" in events[0])) {
    problems.push(`returned ${r} but bytes ${toHex(view.subarray(off, r))} decode as ` +
      JSON.stringify(events.map((e) => ("error" in e ? errorName(e.error) : e.packet.type))));
  }
  return problems;
}

const bufLenArb = fc.integer({ min: 0, max: 400 });
function check(c: Call, bufLen: number, off: number): void {
  expect(runEncoder(c, bufLen, off), showArgs(c) + ` buf ${bufLen} off ${off}`).toEqual([]);
}

describe("fuzz: encoders with random arguments", () => {
  it("hostile numbers and flags, in-range offset and slices: no throw, no write outside buf, a code or one valid packet", () => {
    fc.assert(fc.property(inRangeCall, bufLenArb, fc.double({ min: 0, max: 1.2, noNaN: true }), (c, bufLen, f) => {
      check(c, bufLen, Math.floor(f * bufLen));
    }), fcParams(3000));
  });

  // The three properties below fail on the codec as it is (argument validation gaps); see the report.
  it("hostile `off` (NaN, negative, fractional, infinite): a table code, nothing written", () => {
    fc.assert(fc.property(inRangeCall, bufLenArb, badOffset, check), fcParams(500));
  });

  it("hostile first/count for encodeSubscribe/encodeUnsubscribe/encodeSuback: no throw, a code or one valid packet", () => {
    fc.assert(fc.property(fc.oneof(subscribeCall(true), unsubscribeCall(true), subackCall(true)), bufLenArb,
      fc.double({ min: 0, max: 1, noNaN: true }), (c, bufLen, f) => check(c, bufLen, Math.floor(f * bufLen))), fcParams(500));
  });

  it("hostile topic/payload offsets and lengths for encodePublish: no throw, no write outside buf, a code or one valid packet", () => {
    fc.assert(fc.property(publishCall(true), bufLenArb, fc.double({ min: 0, max: 1, noNaN: true }),
      (c, bufLen, f) => check(c, bufLen, Math.floor(f * bufLen))), fcParams(500));
  });
});
