// Fuzz target "decoder": the streaming decoder alone, with an RX buffer of the stream's size. The stream
// is decoded three times: whole in one call, in the stream's chunks, and in the same chunks with the
// Natives seam as the board binds it (bytes become strings). All three must report the same packets and
// errors (chunking and the natives decide nothing), and each run must agree with the fuzz run's own
// framer (frames.ts): one report per packet, at the byte where the stream completes it, a packet's
// length, and the bytes of an unfinished packet taken so far (pending()). Besides: nothing thrown, every
// error a code of the table, every field of a packet view inside the packet, a reset decoder that
// decodes a valid packet, and a decoder that holds no more afterwards than before.
import { Decoder, type PacketSink } from "../../firmware/mqtt/decoder";
import { Packet, entryLength, nextEntry } from "../../firmware/mqtt/packet";
import { allErrorCodes, errorName } from "../../firmware/mqtt/errors";
import { setNatives, portableNatives } from "../../firmware/mqtt/bytes";
import { PUBLISH, SUBSCRIBE, UNSUBSCRIBE, SUBACK, CONNECT, PINGRESP } from "../../firmware/mqtt/packet-types";
import type { Natives } from "../../firmware/platform";
import { stringNatives } from "../support/natives";
import { Framer } from "./frames";
import { publish, pingresp, type Stream, type Vocabulary } from "./streams";
import { emptyResult, retainedVars, describeError, type StreamResult } from "./report";

const CODES = new Set(allErrorCodes());

/** The packets that leave a decoder's reused view in the same state before and after a stream. */
const SETTLE = [publish({ qos: 1, id: 7, topic: Uint8Array.from([0x61, 0x2f, 0x62]), payload: new Uint8Array(0) }), pingresp()];

/** What the decoder's streams hold: every kind of packet, the vectors more often than for a client. */
export function decoderVocabulary(...others: Vocabulary[]): Vocabulary {
  return {
    topics: others.flatMap((v) => v.topics),
    otherTopics: others.flatMap((v) => v.otherTopics),
    payloads: others.flatMap((v) => v.payloads),
    idPool: 40,
    weights: [40, 25, 15, 20],
  };
}

/** runDecoderStream(stream) -> what the decoder did wrong with it. */
export function runDecoderStream(stream: Stream): StreamResult {
  const res = emptyResult();
  const chunks = stream.steps.filter((s): s is { data: Uint8Array; atPacket: boolean } => s !== "cut").map((s) => s.data);
  const whole = new Uint8Array(stream.length);
  let at = 0;
  for (const c of chunks) {
    whole.set(c, at);
    at += c.length;
  }
  try {
    const a = decode([whole], stream.rx, portableNatives, res, "whole");
    const b = decode(chunks, stream.rx, portableNatives, res, "chunked");
    const c = decode(chunks, stream.rx, stringNatives, res, "chunked as strings");
    res.packets = a.events.length;
    for (const [name, x] of [["chunked", b], ["chunked as strings", c]] as const) {
      const k = firstDifference(a.events, x.events);
      if (k >= 0) res.escapes.push(`decoder: ${name} differs from whole at report ${k}: ${x.events[k] ?? "(none)"} where whole gave ${a.events[k] ?? "(none)"}`);
    }
  } finally {
    setNatives(portableNatives);
  }
  res.escapes = res.escapes.slice(0, 5);
  return res;
}

function firstDifference(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** One decode of the chunks: the reports as text, checked as they come. */
function decode(chunks: Uint8Array[], rx: number, natives: Natives, res: StreamResult, name: string): { events: string[] } {
  setNatives(natives);
  const events: string[] = [];
  const problems: string[] = [];
  const problem = (s: string) => {
    if (problems.length < 3) problems.push(s);
  };
  const framer = new Framer(Math.max(rx, 5));
  const expected: number[] = [];
  let fed = 0;
  // eslint-disable-next-line prefer-const
  let dec: Decoder;
  const sink: PacketSink = {
    onPacket(p: Packet): void {
      const fieldProblem = checkFields(p);
      if (fieldProblem) problem(fieldProblem);
      let h = 0;
      for (let i = p.packetOff; i < p.packetOff + p.length; i++) h = (h * 31 + p.buf[i]) >>> 0;
      events.push(`packet ${p.type} ${p.length} ${h}`);
      expected.push(p.length);
    },
    onDecodeError(code: number, p: Packet): void {
      if (!CODES.has(code)) problem(`error code ${code} is not in the table`);
      events.push(`error ${errorName(code)} type ${p.type}`);
      expected.push(-1);
    },
  };
  dec = new Decoder(rx, sink);
  const before = settle(dec);
  events.length = 0;
  expected.length = 0;
  for (const c of chunks) {
    // The chunk inside a larger buffer, at an offset, so off/len must be honoured.
    const host = new Uint8Array(c.length + 6).fill(0xee);
    host.set(c, 3);
    const n0 = events.length;
    try {
      dec.feed(host, 3, c.length);
    } catch (e) {
      res.escapes.push(`decoder (${name}): feed threw: ${describeError(e)}`);
      return { events };
    }
    fed += c.length;
    const frames = framer.push(c);
    const got = events.length - n0;
    if (got !== frames.length) problem(`${got} reports where the stream completes ${frames.length} packets (after ${fed} bytes)`);
    else {
      for (let k = 0; k < frames.length; k++) {
        const len = expected[n0 + k];
        if (len >= 0 && len !== frames[k].total) problem(`a ${len}-byte packet where the stream has ${frames[k].total} bytes`);
      }
    }
    if (dec.pending() !== framer.pending()) problem(`pending() ${dec.pending()} where the stream has ${framer.pending()} bytes of an unfinished packet`);
  }
  const n = events.length;
  dec.reset();
  dec.feed(pingresp(), 0, 2);
  if (events.length !== n + 1 || !events[n].startsWith("packet " + PINGRESP)) problem("after reset() a PINGRESP is not decoded");
  events.length = n;
  const after = settle(dec);
  if (after > before) problem(`holds ${after - before} JsVars more after the stream (${before} -> ${after})`);
  for (const p of problems) res.escapes.push(`decoder (${name}, rx ${rx}): ${p}`);
  return { events };
}

// The same packets from the same buffers, then the decoder's size: the view then refers to what it did
// before the stream, so any difference is something the decoder kept.
function settle(dec: Decoder): number {
  dec.reset();
  for (const p of SETTLE) dec.feed(p, 0, p.length);
  return retainedVars(dec, []);
}

/** checkFields(p) -> null, or which field of the view lies outside the packet. */
function checkFields(p: Packet): string | null {
  const lo = p.packetOff;
  const hi = p.packetOff + p.length;
  if (!(lo >= 0 && hi <= p.buf.length)) return `packet [${lo}, ${hi}) outside its ${p.buf.length}-byte buffer`;
  const inside = (name: string, off: number, len: number) =>
    off >= lo && len >= 0 && off + len <= hi ? null : `${name} [${off}, +${len}) outside packet [${lo}, ${hi}) type ${p.type}`;
  if (p.type === PUBLISH) return inside("topic", p.topicOff, p.topicLen) ?? inside("payload", p.payloadOff, p.payloadLen);
  if (p.type === CONNECT) return inside("client id", p.clientIdOff, p.clientIdLen);
  if (p.type === SUBSCRIBE || p.type === UNSUBSCRIBE) {
    let pos = p.listOff;
    let n = 0;
    for (; pos < p.listEnd && n <= p.count; pos = nextEntry(p, pos), n++) {
      const bad = inside("entry", pos, 2 + entryLength(p, pos) + (p.type === SUBSCRIBE ? 1 : 0));
      if (bad) return bad;
    }
    return pos === p.listEnd && n === p.count ? null : `list walks to ${pos} in ${n} entries, listEnd ${p.listEnd} count ${p.count}`;
  }
  if (p.type === SUBACK) return inside("codes", p.listOff, p.count);
  return null;
}
