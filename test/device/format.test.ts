// The fixed-buffer writers against what JavaScript's own formatting says, including random values.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { writeInt, writeFixed, writeAscii, writeBytes, writeJsonString } from "../../firmware/device/format";
import { utf8Bytes, utf8Read } from "../../firmware/mqtt";

const buf = new Uint8Array(256);
const text = (end: number, start = 0) => utf8Read(buf, start, end - start);

describe("writeInt", () => {
  it.each([
    [0, "0"], [7, "7"], [10, "10"], [99, "99"], [100, "100"], [-1, "-1"], [2147483647, "2147483647"],
    [2147483648, "2147483648"], [-2147483649, "-2147483649"], [9007199254740991, "9007199254740991"], [1e18, "null"],
    [12.9, "12"], [-12.9, "-12"], [-0.5, "0"], [-0, "0"], [NaN, "null"], [Infinity, "null"], [-Infinity, "null"],
  ])("%s -> %s", (n, s) => {
    expect(text(writeInt(buf, 0, n))).toBe(s);
  });

  it("writes at an offset and returns the end", () => {
    buf.fill(0x2a);
    const end = writeInt(buf, 5, 1234);
    expect(end).toBe(9);
    expect(text(10, 4)).toBe("*1234*");
  });

  it("agrees with String(Math.trunc(n)) for any safe integer", () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => text(writeInt(buf, 0, n)) === String(n)));
  });
});

describe("writeFixed", () => {
  it.each([
    [42.5, 1, "42.5"], [42.5, 0, "43"], [42.54, 1, "42.5"], [42.55, 2, "42.55"], [0, 2, "0.00"], [0.001, 3, "0.001"],
    [0.0005, 3, "0.001"], [-0.3, 1, "-0.3"], [-0.04, 1, "0.0"], [-0, 1, "0.0"], [1e13, 2, "10000000000000.00"],
    [1e15, 2, "1000000000000000"], [-1e17, 2, "-100000000000000000"], [1e18, 0, "null"], [-1e30, 0, "null"], [123.456, 9, "123.456000"], [5, -1, "5"], [1.5, 0, "2"], [2.5, 0, "3"],
    [-2.5, 0, "-3"], [NaN, 2, "null"], [Infinity, 1, "null"], [0.1 + 0.2, 1, "0.3"], [99.96, 1, "100.0"],
  ])("%s with %s decimals -> %s", (v, d, s) => {
    expect(text(writeFixed(buf, 0, v, d))).toBe(s);
  });

  it("agrees with toFixed (rounding of the exact decimal aside) for values a sensor gives", () => {
    fc.assert(fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 6 }), (v, d) => {
      const got = text(writeFixed(buf, 0, v, d));
      // toFixed rounds the exact binary value; writeFixed rounds v * 10^d. They may differ by one unit
      // in the last place at exact ties; the value must be within one unit.
      const want = v.toFixed(d);
      if (got === want || got === want.replace(/^-(0\.?0*)$/, "$1")) return true;
      const units = (x: string) => BigInt(x.replace(".", ""));
      const diff = units(got) - units(want);
      return diff >= -1n && diff <= 1n;
    }));
  });

  it("never writes more than 20 bytes", () => {
    fc.assert(fc.property(fc.double(), fc.integer({ min: -2, max: 12 }), (v, d) => writeFixed(buf, 0, v, d) <= 20));
    fc.assert(fc.property(fc.double(), (v) => writeInt(buf, 0, v) <= 20));
  });
});

describe("writeAscii / writeBytes", () => {
  it("copy text and bytes", () => {
    let o = writeAscii(buf, 0, "{\"a\":");
    o = writeBytes(buf, o, utf8Bytes("\"b\"}"));
    expect(text(o)).toBe("{\"a\":\"b\"}");
    const long = utf8Bytes("x".repeat(40));
    expect(writeBytes(buf, 3, long)).toBe(43);
  });
});

describe("writeJsonString", () => {
  const json = (s: string | Uint8Array, limit = 256) => {
    const b = typeof s === "string" ? utf8Bytes(s) : s;
    return text(writeJsonString(buf, 0, limit, b, 0, b.length));
  };

  it("round-trips any string through JSON.parse", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const w = json(s);
      return JSON.parse(w) === s.replace(/[\ud800-\udfff]/g, "\ufffd") || /[\ud800-\udfff]/.test(s);
    }));
  });

  it("escapes quotes, backslashes and controls; passes UTF-8", () => {
    expect(json("a\"b\\c/\u0000\u001f\u007f\b\f\n\r\t")).toBe("\"a\\\"b\\\\c/\\u0000\\u001f\\u007f\\b\\f\\n\\r\\t\"");
    expect(json("ümlaut €uro 😀")).toBe("\"ümlaut €uro 😀\"");
  });

  it("bytes that are not UTF-8 become \\u00XX, so the result is valid JSON", () => {
    expect(JSON.parse(json(new Uint8Array([0x41, 0xc3, 0x28, 0xff])))).toBe("A\u00c3(\u00ff");
  });

  it("is cut at a character boundary to stay within the limit", () => {
    for (let limit = 2; limit < 20; limit++) {
      const out = json("ab\"€€😀xyz\n", limit);
      expect(utf8Bytes(out).length).toBeLessThanOrEqual(limit);
      expect(() => JSON.parse(out)).not.toThrow();
      expect("ab\"€€😀xyz\n".startsWith(JSON.parse(out))).toBe(true);
    }
  });
});
