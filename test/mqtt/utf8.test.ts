// UTF-8 strings (MQTT 3.1.1 section 1.5.3): validation of bytes from the network, and the start-up/edge
// converters between JS strings and UTF-8.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  OK, E_UTF8_INVALID, E_UTF8_NULL, errorName, validateUtf8, utf8Bytes, utf8Read, utf8Length, utf8Write,
} from "../../firmware/mqtt";
import { fromHex, toHex } from "../helpers/vectors";

const name = (code: number) => (code === OK ? "OK" : errorName(code));

// [case, bytes, expected]
const CASES: [string, string, number][] = [
  ["empty", "", OK],
  ["ASCII", "68 65 6C 6C 6F", OK],
  ["U+007F, the last 1-byte code point", "7F", OK],
  ["U+0080, the first 2-byte code point", "C2 80", OK],
  ["U+00E9 (2 bytes)", "C3 A9", OK],
  ["U+07FF, the last 2-byte code point", "DF BF", OK],
  ["U+0800, the first 3-byte code point", "E0 A0 80", OK],
  ["U+20AC (3 bytes)", "E2 82 AC", OK],
  ["U+D7FF, just below the surrogates", "ED 9F BF", OK],
  ["U+E000, just above the surrogates", "EE 80 80", OK],
  ["U+FEFF (a BOM is kept, not skipped) [MQTT-1.5.3-3]", "EF BB BF", OK],
  ["U+FFFF", "EF BF BF", OK],
  ["U+10000, the first 4-byte code point", "F0 90 80 80", OK],
  ["U+1F600 (4 bytes)", "F0 9F 98 80", OK],
  ["U+10FFFF, the last code point", "F4 8F BF BF", OK],
  ["a control character U+0001 (allowed, though discouraged)", "01", OK],
  ["mixed widths", "61 C3 A9 E2 82 AC F0 9F 98 80 62", OK],
  ["overlong U+0000 (C0 80)", "C0 80", E_UTF8_INVALID],
  ["overlong '/' (C0 AF)", "C0 AF", E_UTF8_INVALID],
  ["overlong U+007F (C1 BF)", "C1 BF", E_UTF8_INVALID],
  ["overlong 3-byte U+0000 (E0 80 80)", "E0 80 80", E_UTF8_INVALID],
  ["overlong 3-byte U+07FF (E0 9F BF)", "E0 9F BF", E_UTF8_INVALID],
  ["overlong 4-byte U+0000 (F0 80 80 80)", "F0 80 80 80", E_UTF8_INVALID],
  ["overlong 4-byte U+FFFF (F0 8F BF BF)", "F0 8F BF BF", E_UTF8_INVALID],
  ["high surrogate U+D800 [MQTT-1.5.3-1]", "ED A0 80", E_UTF8_INVALID],
  ["low surrogate U+DFFF [MQTT-1.5.3-1]", "ED BF BF", E_UTF8_INVALID],
  ["a surrogate pair encoded separately (CESU-8) [MQTT-1.5.3-1]", "ED A0 BD ED B8 80", E_UTF8_INVALID],
  ["U+110000, above U+10FFFF (F4 90 80 80)", "F4 90 80 80", E_UTF8_INVALID],
  ["lead byte F5", "F5 80 80 80", E_UTF8_INVALID],
  ["a 5-byte form (F8)", "F8 88 80 80 80", E_UTF8_INVALID],
  ["byte FE", "FE", E_UTF8_INVALID],
  ["byte FF", "FF", E_UTF8_INVALID],
  ["truncated 2-byte sequence", "C3", E_UTF8_INVALID],
  ["truncated 3-byte sequence", "E2 82", E_UTF8_INVALID],
  ["truncated 4-byte sequence", "F0 9F 98", E_UTF8_INVALID],
  ["truncated sequence after text", "61 62 E2 82", E_UTF8_INVALID],
  ["a stray continuation byte", "80", E_UTF8_INVALID],
  ["a stray continuation byte between letters", "61 BF 62", E_UTF8_INVALID],
  ["a continuation byte after a complete sequence", "C3 A9 A9", E_UTF8_INVALID],
  ["an ASCII byte where a continuation belongs", "C3 41", E_UTF8_INVALID],
  ["a bad second continuation", "E2 82 28", E_UTF8_INVALID],
  ["U+0000 [MQTT-1.5.3-2]", "00", E_UTF8_NULL],
  ["U+0000 inside text [MQTT-1.5.3-2]", "61 00 62", E_UTF8_NULL],
  ["U+0000 after multi-byte text [MQTT-1.5.3-2]", "E2 82 AC 00", E_UTF8_NULL],
];

describe("validateUtf8", () => {
  it.each(CASES)("%s: %s", (_, hex, code) => {
    const b = fromHex(hex);
    expect(name(validateUtf8(b, 0, b.length))).toBe(name(code));
  });

  it.each(CASES)("%s: %s, inside a larger buffer", (_, hex, code) => {
    const b = fromHex(hex);
    const buf = new Uint8Array(b.length + 4).fill(0xff); // invalid everywhere outside the window
    buf.set(b, 2);
    expect(name(validateUtf8(buf, 2, b.length))).toBe(name(code));
  });

  it("does not complete a sequence with a byte past the end of the window", () => {
    const b = fromHex("61 E2 82 AC");
    expect(validateUtf8(b, 0, 4)).toBe(OK);
    expect(validateUtf8(b, 0, 3)).toBe(E_UTF8_INVALID);
    expect(validateUtf8(b, 0, 1)).toBe(OK);
  });

  // Byte strings made of well-formed pieces, lone bytes of every kind, and nulls.
  const pieces = fc.array(
    fc.oneof(
      fc.constantFrom("61", "00", "C3 A9", "E2 82 AC", "F0 9F 98 80", "F4 8F BF BF", "ED 9F BF", "EE 80 80").map(fromHex),
      fc.integer({ min: 0, max: 255 }).map((x) => Uint8Array.of(x)),
    ),
    { maxLength: 12 },
  ).map((parts) => {
    const out: number[] = [];
    for (const p of parts) out.push(...p);
    return Uint8Array.from(out);
  });

  it("agrees with a strict TextDecoder: ill-formed iff TextDecoder rejects, E_UTF8_NULL iff well-formed with a 0", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    fc.assert(fc.property(pieces, (b) => {
      let wellFormed = true;
      try { strict.decode(b); } catch { wellFormed = false; }
      const code = validateUtf8(b, 0, b.length);
      if (wellFormed) expect(name(code)).toBe(name(b.includes(0) ? E_UTF8_NULL : OK));
      else if (!b.includes(0)) expect(name(code)).toBe(name(E_UTF8_INVALID));
      else expect([E_UTF8_INVALID, E_UTF8_NULL]).toContain(code);
    }), { numRuns: 2000 });
  });
});

describe("utf8Bytes / utf8Read / utf8Length / utf8Write", () => {
  const encoder = new TextEncoder();

  // [what, string, UTF-8 hex]
  it.each([
    ["empty", "", ""],
    ["ASCII", "AB", "41 42"],
    ["2 bytes", "é", "C3 A9"],
    ["3 bytes", "€", "E2 82 AC"],
    ["4 bytes (a surrogate pair)", "😀", "F0 9F 98 80"],
    ["U+10FFFF", "\u{10FFFF}", "F4 8F BF BF"],
    ["a lone high surrogate becomes U+FFFD", "\uD800", "EF BF BD"],
    ["a lone low surrogate becomes U+FFFD", "\uDC00", "EF BF BD"],
    ["a reversed pair becomes two U+FFFD", "\uDC00\uD800", "EF BF BD EF BF BD"],
  ])("%s: utf8Bytes and utf8Length", (_, s, hex) => {
    expect(toHex(utf8Bytes(s))).toBe(hex);
    expect(utf8Length(s)).toBe(fromHex(hex).length);
  });

  it("utf8Bytes matches TextEncoder for any code points, and utf8Read gives the string back", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const b = utf8Bytes(s);
      expect(toHex(b)).toBe(toHex(encoder.encode(s)));
      expect(utf8Length(s)).toBe(b.length);
      expect(utf8Read(b, 0, b.length)).toBe(s);
      expect(validateUtf8(b, 0, b.length)).toBe(s.includes("\u0000") ? E_UTF8_NULL : OK);
    }), { numRuns: 1000 });
  });

  it("round-trips grapheme strings", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (s) => {
      const b = utf8Bytes(s);
      expect(toHex(b)).toBe(toHex(encoder.encode(s)));
      expect(utf8Read(b, 0, b.length)).toBe(s);
    }));
  });

  it("writes lone surrogates as U+FFFD exactly like TextEncoder", () => {
    const units = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(fc.property(fc.string({ unit: units, maxLength: 20 }), (s) => {
      const b = utf8Bytes(s);
      expect(toHex(b)).toBe(toHex(encoder.encode(s)));
      expect(utf8Length(s)).toBe(b.length);
      // s with U+FFFD for lone surrogates; a leading U+FEFF is a character here, not a BOM to strip.
      expect(utf8Read(b, 0, b.length)).toBe(new TextDecoder("utf-8", { ignoreBOM: true }).decode(encoder.encode(s)));
    }), { numRuns: 1000 });
  });

  it("utf8Write writes at an offset, returns the end offset and touches nothing else", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 20 }), fc.nat(8), (s, off) => {
      const n = utf8Length(s);
      const buf = new Uint8Array(off + n + 4).fill(0xee);
      expect(utf8Write(s, buf, off)).toBe(off + n);
      expect(toHex(buf.subarray(off, off + n))).toBe(toHex(encoder.encode(s)));
      expect(buf.subarray(0, off).every((x) => x === 0xee)).toBe(true);
      expect(buf.subarray(off + n).every((x) => x === 0xee)).toBe(true);
    }));
  });

  it("utf8Read reads only its window", () => {
    const b = fromHex("FF 68 C3 A9 FF");
    expect(utf8Read(b, 1, 3)).toBe("hé");
  });
});
