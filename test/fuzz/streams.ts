// The streams a fuzz run feeds: valid packets (the repository's MQTT vectors and packets made here for
// each target: relay commands for the device, acknowledgements of what the client has in flight), some of
// them mutated (bit flips, overwritten bytes, truncation, splicing, a corrupted remaining length or topic
// length, header flags, a redelivery with DUP), junk in between, cut into chunks at random boundaries, and
// for a connected target now and then a connection the broker drops. Everything comes from one Rng.
import { loadVectors, fromHex } from "../helpers/vectors";
import { concat as join } from "../support/fake-transport";
import type { Rng } from "./rng";

export type Target = "decoder" | "client" | "device";

/**
 * One step of a stream: bytes in one data event (atPacket: they begin where a packet the stream was made
 * of begins), or "cut" (the broker's side closes the link).
 */
export type Step = { data: Uint8Array; atPacket: boolean } | "cut";

export interface Stream {
  steps: Step[];
  /** The Natives seam as the board binds it (bytes become strings) rather than as V8 does. */
  strings: boolean;
  /** Bytes in all steps. */
  length: number;
  /** The receive buffer of a target that takes its size from the stream (the decoder, the client). */
  rx: number;
}

/** What a target's packets talk about: the topics it listens on, the ids it has in flight. */
export interface Vocabulary {
  /** Topics of PUBLISH packets the target takes (relay set topics; subscribed topics). */
  topics: string[];
  /** Near misses and strangers: topics it must refuse or ignore. */
  otherTopics: string[];
  /** Payloads worth sending (command words, valid or not); random bytes are added. */
  payloads: string[];
  /** Highest packet id of the pool that acknowledgements and messages draw from (collisions wanted). */
  idPool: number;
  /** Weights of what a packet is: [command/message, acknowledgement, other control, vector]. */
  weights: [number, number, number, number];
}

// ---------------------------------------------------------------------------------------------------
// Packets, encoded here (remaining length minimal unless a mutation says otherwise).

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const utf8 = (s: string) => Uint8Array.from(Buffer.from(s, "utf8"));

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** packet(first, body) -> fixed header (first byte, remaining length) + body. */
export function packet(first: number, body: Uint8Array): Uint8Array {
  return join(Uint8Array.from([first, ...remainingLength(body.length)]), body);
}

export interface PublishSpec {
  qos: number;
  dup?: boolean;
  retain?: boolean;
  id?: number;
  topic: Uint8Array;
  payload: Uint8Array;
}

export function publish(s: PublishSpec): Uint8Array {
  const first = 0x30 | (s.dup ? 8 : 0) | (s.qos << 1) | (s.retain ? 1 : 0);
  const head = [s.topic.length >> 8, s.topic.length & 0xff];
  const id = s.qos > 0 ? [(s.id ?? 1) >> 8, (s.id ?? 1) & 0xff] : [];
  return packet(first, join(Uint8Array.from(head), s.topic, Uint8Array.from(id), s.payload));
}

export function ack(type: number, id: number): Uint8Array {
  return packet((type << 4) | (type === 6 ? 2 : 0), Uint8Array.from([id >> 8, id & 0xff]));
}

export function suback(id: number, codes: number[]): Uint8Array {
  return packet(0x90, Uint8Array.from([id >> 8, id & 0xff, ...codes]));
}

export const pingresp = (): Uint8Array => Uint8Array.from([0xd0, 0x00]);

// ---------------------------------------------------------------------------------------------------
// The repository's vectors, read once.

let vectorCache: { valid: Uint8Array[]; malformed: Uint8Array[] } | null = null;

/** vectors() -> the valid and malformed packets of test/fixtures/mqtt-vectors.json, as bytes. */
export function vectors(): { valid: Uint8Array[]; malformed: Uint8Array[] } {
  if (vectorCache === null) {
    const v = loadVectors();
    vectorCache = { valid: v.valid.map((x) => fromHex(x.hex)), malformed: v.malformed.map((x) => fromHex(x.hex)) };
  }
  return vectorCache;
}

// ---------------------------------------------------------------------------------------------------
// Making packets of a vocabulary.

const SPACES = [" ", "\t", "\r", "\n", "\r\n", "  "];

/** A payload: a word of the vocabulary in any case, sometimes padded, or random bytes. */
function payloadOf(rng: Rng, v: Vocabulary): Uint8Array {
  if (rng.chance(0.1)) return rng.bytes(rng.range(0, 24));
  let w = rng.pick(v.payloads);
  if (rng.chance(0.4)) w = [...w].map((c) => (rng.chance(0.5) ? c.toLowerCase() : c.toUpperCase())).join("");
  if (rng.chance(0.2)) w = rng.pick(SPACES) + w;
  if (rng.chance(0.2)) w = w + rng.pick(SPACES);
  return latin1(w);
}

function idOf(rng: Rng, v: Vocabulary): number {
  return rng.chance(0.7) ? rng.range(1, v.idPool) : rng.range(1, 65535);
}

interface Made {
  bytes: Uint8Array;
  /** A PUBLISH with QoS > 0 that a later redelivery may repeat with DUP set. */
  redeliverable: boolean;
}

function message(rng: Rng, v: Vocabulary): Made {
  const topic = rng.chance(0.85) ? latin1(rng.pick(v.topics)) : utf8(rng.pick(v.otherTopics));
  const qos = rng.weighted([[25, 0], [70, 1], [5, 2]] as const);
  const bytes = publish({
    qos, topic, payload: payloadOf(rng, v), id: idOf(rng, v), retain: rng.chance(0.1), dup: qos > 0 && rng.chance(0.1),
  });
  return { bytes, redeliverable: qos > 0 };
}

function acknowledgement(rng: Rng, v: Vocabulary): Made {
  const type = rng.weighted([[6, 4], [1, 5], [2, 6], [1, 7], [1, 11]] as const);
  return { bytes: ack(type, idOf(rng, v)), redeliverable: false };
}

function control(rng: Rng, v: Vocabulary): Made {
  const bytes = rng.weighted<() => Uint8Array>([
    [4, () => pingresp()],
    [3, () => suback(idOf(rng, v), Array.from({ length: rng.range(1, 3) }, () => rng.pick([0, 1, 2, 0x80])))],
    // Larger than any receive buffer: a message whose payload is skipped, or a control packet that is not.
    [2, () => publish({ qos: rng.int(2), id: idOf(rng, v), topic: latin1(rng.pick(v.topics)), payload: rng.bytes(rng.range(520, 3000)) })],
    [1, () => packet(rng.pick([0xd0, 0x40, 0x20, 0xb0, 0x00, 0xf0]), rng.bytes(rng.range(600, 1200)))],
    [1, () => Uint8Array.from([0x20, 0x02, 0x00, 0x00])],
  ]);
  return { bytes: bytes(), redeliverable: false };
}

function vector(rng: Rng): Made {
  const v = vectors();
  return { bytes: rng.chance(0.7) ? rng.pick(v.valid) : rng.pick(v.malformed), redeliverable: false };
}

// ---------------------------------------------------------------------------------------------------
// Mutations.

function headerLength(b: Uint8Array): number {
  let i = 1;
  while (i < 5 && i < b.length && (b[i] & 0x80) !== 0) i++;
  return Math.min(i + 1, b.length);
}

type Mutation = (rng: Rng, b: Uint8Array, other: Uint8Array) => Uint8Array;

const MUTATIONS: ReadonlyArray<readonly [number, Mutation]> = [
  [4, (rng, b) => {
    const c = Uint8Array.from(b);
    for (let k = rng.range(1, 3); k > 0 && c.length > 0; k--) c[rng.int(c.length)] ^= 1 << rng.int(8);
    return c;
  }],
  [2, (rng, b) => {
    const c = Uint8Array.from(b);
    if (c.length > 0) c[rng.int(c.length)] = rng.int(256);
    return c;
  }],
  // Truncation: the next packet's bytes are read as the rest of this one.
  [3, (rng, b) => b.subarray(0, rng.int(Math.max(1, b.length)))],
  [1, (rng, b) => join(b, rng.bytes(rng.range(1, 8)))],
  // The remaining length: off by a little, anything, huge, a longer encoding of itself, or never ending.
  [4, (rng, b) => {
    if (b.length === 0) return b;
    const h = headerLength(b);
    const body = b.subarray(h);
    const choice = rng.int(5);
    if (choice === 0) return join(Uint8Array.from([b[0], ...remainingLength(Math.max(0, body.length + rng.range(-3, 3)))]), body);
    if (choice === 1) return join(Uint8Array.from([b[0], ...remainingLength(rng.int(400))]), body);
    if (choice === 2) return join(Uint8Array.from([b[0], ...remainingLength(rng.pick([16384, 2097151, 268435455]))]), body);
    if (choice === 3) {
      const rl = remainingLength(body.length);
      if (rl.length >= 4) return b;
      rl[rl.length - 1] |= 0x80;
      return join(Uint8Array.from([b[0], ...rl, 0x00]), body);
    }
    return join(Uint8Array.from([b[0], 0x80, 0x80, 0x80, 0x80, rng.int(256)]), body);
  }],
  // A PUBLISH's topic length.
  [2, (rng, b) => {
    const h = headerLength(b);
    if (b[0] >> 4 !== 3 || b.length < h + 2) return b;
    const c = Uint8Array.from(b);
    const n = ((c[h] << 8) | c[h + 1]) + rng.pick([-2, -1, 1, 2, 200, 65535]);
    c[h] = (n >> 8) & 0xff;
    c[h + 1] = n & 0xff;
    return c;
  }],
  // Header flags or type.
  [2, (rng, b) => {
    const c = Uint8Array.from(b);
    c[0] = rng.chance(0.5) ? (c[0] & 0xf0) | rng.int(16) : (rng.int(16) << 4) | (c[0] & 0x0f);
    return c;
  }],
  // Splicing: the start of this packet and the end of another.
  [2, (rng, b, other) => join(b.subarray(0, rng.int(b.length + 1)), other.subarray(rng.int(other.length + 1)))],
];

// ---------------------------------------------------------------------------------------------------
// Streams.

/** makeStream(rng, target, vocabulary) -> one stream; the same Rng state gives the same stream. */
export function makeStream(rng: Rng, target: Target, v: Vocabulary): Stream {
  const count = rng.weighted([[3, rng.range(1, 4)], [5, rng.range(5, 30)], [3, rng.range(31, 80)]] as const);
  // How hostile this stream is: some are clean, most have a few bad packets, some are mostly broken.
  const mutateP = rng.pick([0, 0.02, 0.05, 0.15, 0.4]);
  const junkP = rng.pick([0, 0, 0.02, 0.1]);
  const packets: Uint8Array[] = [];
  const redeliverable: Uint8Array[] = [];
  const [wm, wa, wc, wv] = v.weights;
  for (let i = 0; i < count; i++) {
    let made: Made;
    if (redeliverable.length > 0 && rng.chance(0.06)) {
      // The broker sends a message again with DUP set, as after a reconnect [MQTT-4.4.0-1].
      const again = Uint8Array.from(rng.pick(redeliverable));
      again[0] |= 0x08;
      made = { bytes: again, redeliverable: false };
    } else {
      made = rng.weighted<() => Made>([[wm, () => message(rng, v)], [wa, () => acknowledgement(rng, v)], [wc, () => control(rng, v)], [wv, () => vector(rng)]])();
    }
    let bytes = made.bytes;
    if (made.redeliverable) redeliverable.push(bytes);
    if (rng.chance(mutateP)) {
      const other = packets.length > 0 ? rng.pick(packets) : vector(rng).bytes;
      bytes = rng.weighted(MUTATIONS)(rng, bytes, other);
    }
    packets.push(bytes);
    if (rng.chance(junkP)) packets.push(rng.bytes(rng.range(1, 40)));
  }
  const all = join(...packets);
  const steps = chunk(rng, all, packets);
  if (target !== "decoder" && steps.length > 1 && rng.chance(0.15)) {
    for (let k = rng.range(1, 2); k > 0; k--) steps.splice(rng.range(1, steps.length - 1), 0, "cut");
  }
  return { steps, strings: rng.chance(0.5), length: all.length, rx: rng.pick([5, 16, 64, 128, 512, 1500]) };
}

/**
 * The stream cut into data events: whole, a byte at a time, at random boundaries, a packet per event, or
 * as Espruino's sockets deliver (536 bytes at most).
 */
function chunk(rng: Rng, all: Uint8Array, packets: Uint8Array[]): Step[] {
  const starts = new Set<number>();
  for (let at = 0, k = 0; k < packets.length; at += packets[k++].length) starts.add(at);
  const how = rng.weighted([[2, "whole"], [1, "bytes"], [5, "random"], [2, "packets"], [2, "espruino"]] as const);
  const out: Step[] = [];
  const max = how === "whole" ? all.length : how === "bytes" ? 1 : how === "espruino" ? 536 : rng.pick([3, 16, 64, 536, 2000]);
  for (let at = 0, k = 0; at < all.length;) {
    const n = how === "packets" ? packets[k++].length : how === "random" ? rng.range(1, max) : max;
    if (n === 0) continue;
    out.push({ data: all.subarray(at, Math.min(all.length, at + n)), atPacket: starts.has(at) });
    at += n;
  }
  return out;
}
