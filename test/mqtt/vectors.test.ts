// The shared MQTT 3.1.1 vectors (test/fixtures/mqtt-vectors.json): every valid packet encodes to its
// bytes and decodes back to every field, every malformed packet is rejected with its own error code,
// and every remaining-length example round-trips.
import { afterEach, describe, expect, it } from "vitest";
import {
  Decoder, MIN_RX_SIZE, PUBLISH, SUBACK, errorName, encodePublish, remainingLengthSize, writeRemainingLength,
  E_REMAINING_LENGTH, E_PACKET_TYPE_RESERVED, E_QOS_INVALID, E_HEADER_FLAGS, E_LENGTH_MISMATCH, E_CONNACK_FLAGS,
  E_TOPIC_WILDCARD, E_PACKET_ID, E_FIELD_OVERRUN, E_RETURN_CODE_INVALID, E_SUBSCRIBE_EMPTY, E_SUBSCRIBE_QOS,
  E_UNSUBSCRIBE_EMPTY, E_UTF8_NULL, E_PROTOCOL_NAME, E_RX_OVERFLOW, setByteCopy, loopCopy, nativeCopy,
} from "../../firmware/mqtt";
import { loadVectors, fromHex, toHex, textBytes } from "../helpers/vectors";
import { Recorder, concat, decodeIn, encodeNeutral, expectedNeutral } from "./codec-support";

const vectors = loadVectors();

describe("valid vectors", () => {
  it("the file has valid vectors", () => {
    expect(vectors.valid.length).toBeGreaterThan(0);
  });

  describe.each(vectors.valid)("$name", (v) => {
    const bytes = fromHex(v.hex);

    it("encodes to exactly the vector's bytes in an exact-size buffer", () => {
      const buf = new Uint8Array(bytes.length);
      expect(encodeNeutral(v.packet, buf, 0)).toBe(bytes.length);
      expect(toHex(buf)).toBe(toHex(bytes));
    });

    it("encodes at a non-zero offset of a larger buffer, returning the end offset and touching nothing else", () => {
      const off = 7;
      const buf = new Uint8Array(bytes.length + 20).fill(0xee);
      expect(encodeNeutral(v.packet, buf, off)).toBe(off + bytes.length);
      expect(toHex(buf.subarray(off, off + bytes.length))).toBe(toHex(bytes));
      expect(buf.subarray(0, off).every((b) => b === 0xee)).toBe(true);
      expect(buf.subarray(off + bytes.length).every((b) => b === 0xee)).toBe(true);
    });

    const expected = expectedNeutral(v.packet);

    it("decodes every field back from a chunk holding the packet at a non-zero offset", () => {
      const src = concat(fromHex("FF FF FF"), bytes, fromHex("FF"));
      const rec = new Recorder();
      const d = new Decoder(bytes.length, rec);
      d.feed(src, 3, bytes.length);
      expect(rec.events).toEqual([
        { kind: "packet", bytes: toHex(bytes), remainingLength: bytes.length - headerLength(bytes), packet: expected },
      ]);
      expect(d.pending()).toBe(0);
    });

    it("decodes every field back when fed one byte at a time", () => {
      const events = decodeIn(bytes, [1], bytes.length);
      expect(events).toEqual([
        { kind: "packet", bytes: toHex(bytes), remainingLength: bytes.length - headerLength(bytes), packet: expected },
      ]);
    });
  });
});

describe("valid vectors with the board's native byte copy installed", () => {
  afterEach(() => setByteCopy(loopCopy));

  it("encode to the same bytes and decode to the same fields, whole and split", () => {
    setByteCopy(nativeCopy);
    for (const v of vectors.valid) {
      const bytes = fromHex(v.hex);
      const buf = new Uint8Array(bytes.length + 8);
      expect(encodeNeutral(v.packet, buf, 5), v.name).toBe(5 + bytes.length);
      expect(toHex(buf.subarray(5, 5 + bytes.length)), v.name).toBe(toHex(bytes));
      const expected = [{ kind: "packet", bytes: toHex(bytes), remainingLength: bytes.length - headerLength(bytes), packet: expectedNeutral(v.packet) }];
      expect(decodeIn(bytes, [bytes.length], bytes.length), v.name).toEqual(expected);
      expect(decodeIn(bytes, [3], bytes.length), v.name).toEqual(expected);
    }
  });
});

// Length of the fixed header (type byte + remaining length bytes) of a well-framed packet.
function headerLength(bytes: Uint8Array): number {
  let i = 1;
  while (bytes[i] & 0x80) i++;
  return i + 1;
}

// Every malformed vector, by name, and the code it must be rejected with.
const MALFORMED: Record<string, number> = {
  "remaining length with a fifth byte": E_REMAINING_LENGTH, // section 2.2.3
  "packet type 0 (reserved)": E_PACKET_TYPE_RESERVED, // section 2.2.1
  "packet type 15 (reserved)": E_PACKET_TYPE_RESERVED,
  "PUBLISH with QoS 3": E_QOS_INVALID, // [MQTT-3.3.1-4]
  "SUBSCRIBE with fixed header flags 0000": E_HEADER_FLAGS, // [MQTT-3.8.1-1]
  "PUBREL with fixed header flags 0000": E_HEADER_FLAGS, // [MQTT-3.6.1-1]
  "CONNACK with remaining length 3": E_LENGTH_MISMATCH,
  "CONNACK with reserved acknowledge flag bits set": E_CONNACK_FLAGS, // section 3.2.2.1
  "PUBLISH topic containing a wildcard": E_TOPIC_WILDCARD, // [MQTT-3.3.2-2]
  "PUBLISH QoS 1 with packet id 0": E_PACKET_ID, // [MQTT-2.3.1-1]
  "PUBLISH whose topic length runs past the packet": E_FIELD_OVERRUN,
  "SUBACK with return code 3": E_RETURN_CODE_INVALID, // [MQTT-3.9.3-2]
  "SUBSCRIBE with no topic filter": E_SUBSCRIBE_EMPTY, // [MQTT-3.8.3-3]
  "SUBSCRIBE requesting QoS 3": E_SUBSCRIBE_QOS, // [MQTT-3.8.3-4]
  "UNSUBSCRIBE with no topic filter": E_UNSUBSCRIBE_EMPTY, // [MQTT-3.10.3-2]
  "PINGRESP with remaining length 1": E_LENGTH_MISMATCH,
  "topic with a U+0000 character": E_UTF8_NULL, // [MQTT-1.5.3-2]
  "CONNECT with an unknown protocol name": E_PROTOCOL_NAME, // [MQTT-3.1.2-1]
};

describe("malformed vectors", () => {
  it("the expected-code table covers every malformed vector, and names no vector that is gone", () => {
    const names = vectors.malformed.map((m) => m.name);
    expect(names.filter((n) => !(n in MALFORMED))).toEqual([]);
    expect(Object.keys(MALFORMED).filter((n) => !names.includes(n))).toEqual([]);
  });

  describe.each(vectors.malformed)("$name", (m) => {
    const bytes = fromHex(m.hex);
    const code = MALFORMED[m.name];

    it(`is rejected with ${errorName(code)} and nothing is delivered`, () => {
      expect(code).toBeDefined();
      let events: ReturnType<typeof decodeIn> = [];
      expect(() => { events = decodeIn(bytes, [bytes.length]); }).not.toThrow();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: "error", code, type: bytes[0] >> 4, flags: bytes[0] & 15 });
    });

    it("is rejected the same way when fed one byte at a time", () => {
      let events: ReturnType<typeof decodeIn> = [];
      expect(() => { events = decodeIn(bytes, [1]); }).not.toThrow();
      expect(events).toEqual(decodeIn(bytes, [bytes.length]));
      expect(events.map((e) => (e.kind === "error" ? errorName(e.code) : "packet"))).toEqual([errorName(code)]);
    });
  });
});

describe("remaining length vectors", () => {
  const rl = vectors.remainingLength.map(({ value, hex }) => ({ value, hex, rlBytes: fromHex(hex) }));

  it.each(rl)("$value: remainingLengthSize and writeRemainingLength produce $hex", ({ value, rlBytes }) => {
    expect(remainingLengthSize(value)).toBe(rlBytes.length);
    const buf = new Uint8Array(10).fill(0xee);
    expect(writeRemainingLength(buf, 3, value)).toBe(3 + rlBytes.length);
    expect(toHex(buf.subarray(3, 3 + rlBytes.length))).toBe(toHex(rlBytes));
    expect(buf[2]).toBe(0xee);
    expect(buf[3 + rlBytes.length]).toBe(0xee);
  });

  // Values up to 2 MiB are decoded whole; the larger ones only through the overflow path below.
  it.each(rl.filter((r) => r.value < 2097152))("$value: a packet with this remaining length decodes with it", ({ value, rlBytes }) => {
    let packet: Uint8Array;
    if (value >= 3) {
      // PUBLISH QoS 0 to "t": 3 bytes of topic field, the rest payload.
      const payload = textBytes("A x " + (value - 3));
      packet = new Uint8Array(1 + rlBytes.length + value);
      const t = textBytes("t");
      expect(encodePublish(packet, 0, 0, false, false, 0, t, 0, 1, payload, 0, payload.length)).toBe(packet.length);
      expect(toHex(packet.subarray(0, 1 + rlBytes.length))).toBe(toHex(concat(Uint8Array.of(0x30), rlBytes)));
    } else {
      // Too short for a PUBLISH: a PINGREQ header with this length (an error unless the length is 0).
      packet = concat(Uint8Array.of(0xc0), rlBytes, new Uint8Array(value));
    }
    const events = decodeIn(packet, [packet.length], packet.length);
    expect(events).toHaveLength(1);
    expect(events[0].remainingLength).toBe(value);
    if (value >= 3) expect(events[0]).toMatchObject({ kind: "packet", packet: { type: "PUBLISH" } });
    if (value === 0) expect(events[0]).toMatchObject({ kind: "packet", packet: { type: "PINGREQ" } });
  });

  // A SUBACK header: a packet the decoder skips whole once its length is known (an oversize PUBLISH is
  // read as far as it fits first, see decoder.test.ts).
  it.each(rl.filter((r) => 1 + r.rlBytes.length + r.value > MIN_RX_SIZE))(
    "$value: too large for a small rx buffer, E_RX_OVERFLOW reports the length and the skip eats exactly that many bytes",
    ({ value, rlBytes }) => {
      const rec = new Recorder();
      const d = new Decoder(MIN_RX_SIZE, rec);
      d.feed(concat(Uint8Array.of(0x90), rlBytes), 0, 1 + rlBytes.length);
      expect(rec.events).toEqual([
        { kind: "error", code: E_RX_OVERFLOW, type: SUBACK, flags: 0, remainingLength: value },
      ]);
      // Skip value - 1 body bytes in chunks of up to 1 MiB, then the last one together with a PINGREQ.
      const zeros = new Uint8Array(Math.min(1 << 20, value));
      let left = value - 1;
      while (left > 0) {
        const n = Math.min(left, zeros.length);
        d.feed(zeros, 0, n);
        left -= n;
      }
      expect(d.pending()).toBe(1 + rlBytes.length + value - 1);
      expect(rec.events).toHaveLength(1);
      d.feed(fromHex("00 C0 00"), 0, 3);
      expect(rec.events).toHaveLength(2);
      expect(rec.events[1]).toMatchObject({ kind: "packet", packet: { type: "PINGREQ" } });
      expect(d.pending()).toBe(0);
    },
  );
});
