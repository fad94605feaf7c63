// Streaming: however a stream of valid packets is cut into chunks, the Decoder delivers the same packets
// in the same order; and a too-small RX buffer costs exactly the packets that do not fit.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { anyPacket, encodeToBytes, decodeAll, collectingSink, fcParams, typeCode, type Event, type Model } from "./arbitraries";
import { Decoder } from "../../firmware/mqtt/decoder";
import { E_RX_OVERFLOW } from "../../firmware/mqtt/errors";

/** How to cut the stream: one chunk, all 1-byte chunks, or sizes cycled from a random list. */
const chunking = fc.oneof(
  fc.constant<"whole">("whole"),
  fc.constant<"bytes">("bytes"),
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
  fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 100, max: 3000 })), { minLength: 1, maxLength: 10 }),
);

function chunkSizes(total: number, how: "whole" | "bytes" | number[]): number[] {
  if (how === "whole") return [total];
  const out: number[] = [];
  for (let pos = 0, i = 0; pos < total; i++) {
    const n = Math.min(how === "bytes" ? 1 : how[i % how.length], total - pos);
    out.push(n);
    pos += n;
  }
  return out;
}

interface Stream { models: Model[]; packets: Uint8Array[]; bytes: Uint8Array; starts: number[] }

function makeStream(models: Model[]): Stream {
  const packets = models.map(encodeToBytes);
  const bytes = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  const starts: number[] = [];
  let pos = 0;
  for (const p of packets) {
    starts.push(pos);
    bytes.set(p, pos);
    pos += p.length;
  }
  return { models, packets, bytes, starts };
}

/**
 * Feeds the stream in chunks, each copied into a larger buffer at a random offset (so `off` matters and
 * the decoder must not look past the chunk); checks pending() after every chunk. Returns the events.
 */
function feedChunked(s: Stream, rxSize: number, how: "whole" | "bytes" | number[], pad: number, checkPending: boolean): Event[] {
  const events: Event[] = [];
  const dec = new Decoder(rxSize, collectingSink(events));
  let fed = 0;
  for (const n of chunkSizes(s.bytes.length, how)) {
    const host = new Uint8Array(pad + n + 7).fill(0xee);
    host.set(s.bytes.subarray(fed, fed + n), pad);
    dec.feed(host, pad, n);
    fed += n;
    if (checkPending) {
      // Bytes of the packet under way: fed minus the start of the packet that contains byte `fed`.
      let k = s.starts.length - 1;
      while (k > 0 && s.starts[k] > fed) k--;
      const start = s.starts[k];
      const inside = fed < start + s.packets[k].length ? fed - start : 0;
      expect(dec.pending()).toBe(inside);
    }
  }
  expect(fed).toBe(s.bytes.length);
  expect(dec.pending()).toBe(0);
  return events;
}

describe("stream: chunking never changes what is decoded", () => {
  it("1-20 random packets, any chunking -> the same packets as decoding each alone", () => {
    fc.assert(fc.property(
      fc.array(anyPacket, { minLength: 1, maxLength: 20 }), chunking, fc.integer({ min: 0, max: 9 }),
      (models, how, pad) => {
        const s = makeStream(models);
        const alone = s.packets.flatMap((p) => decodeAll(p));
        expect(alone).toEqual(models.map((m) => ({ packet: m })));
        const maxLen = Math.max(...s.packets.map((p) => p.length));
        expect(feedChunked(s, maxLen, how, pad, true)).toEqual(alone);
      },
    ), fcParams(250));
  });

  it("the same stream through an RX buffer smaller than some packets: E_RX_OVERFLOW for exactly those", () => {
    fc.assert(fc.property(
      fc.array(anyPacket, { minLength: 1, maxLength: 20 }), chunking, fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 9 }),
      (models, how, frac, pad) => {
        const s = makeStream(models);
        const lens = s.packets.map((p) => p.length);
        const min = Math.min(...lens);
        const max = Math.max(...lens);
        // Somewhere between "smaller than every packet" (the decoder's minimum is 5) and the largest.
        const rxSize = Math.max(5, Math.floor(Math.min(min, 5) + frac * (max - Math.min(min, 5))));
        const expected: Event[] = models.map((m, i) =>
          lens[i] > rxSize ? { error: E_RX_OVERFLOW, type: typeCode(m.type) } : { packet: m });
        expect(feedChunked(s, rxSize, how, pad, true)).toEqual(expected);
      },
    ), fcParams(250));
  });

  it("an RX buffer of 1 byte is raised to the 5-byte minimum and still frames every packet", () => {
    fc.assert(fc.property(fc.array(anyPacket, { minLength: 1, maxLength: 10 }), chunking, (models, how) => {
      const s = makeStream(models);
      const expected: Event[] = models.map((m, i) =>
        s.packets[i].length > 5 ? { error: E_RX_OVERFLOW, type: typeCode(m.type) } : { packet: m });
      expect(feedChunked(s, 1, how, 0, true)).toEqual(expected);
    }), fcParams(100));
  });
});
