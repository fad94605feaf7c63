// The strict JSON parser agrees with JSON.parse on every input, and adds positions and duplicate keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonSyntaxError, MAX_DEPTH, lineColumn, parseJson } from "../../sim/board/json";

function outcome(f: () => unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: f() };
  } catch {
    return { ok: false };
  }
}

describe("parseJson", () => {
  it("returns what JSON.parse returns for any JSON document", () => {
    fc.assert(fc.property(fc.json(), (text) => {
      expect(parseJson(text).value).toEqual(JSON.parse(text));
    }), { numRuns: 500 });
  });

  it("accepts and refuses exactly what JSON.parse does", () => {
    const pieces = fc.constantFrom("{", "}", "[", "]", ",", ":", '"a"', '"', "1", "-", "0", ".5", "e3", "true",
      "nul", "null", " ", "\n", "'x'", "\\", "\\u00e9", "//", "x", "\u0001");
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }).map((a) => a.join("")), (text) => {
      const mine = outcome(() => parseJson(text).value);
      const theirs = outcome(() => JSON.parse(text));
      expect(mine).toEqual(theirs);
    }), { numRuns: 3000 });
  });

  it("keeps __proto__ as an own key, like JSON.parse", () => {
    const v = parseJson('{"__proto__": {"x": 1}}').value as object;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("reports duplicate keys with their paths and lines", () => {
    const { duplicates, value } = parseJson('{"a": [{"k": 1,\n"k": 2}], "a": 3}');
    expect(value).toEqual({ a: 3 });
    expect(duplicates).toEqual([
      { path: ["a", 0, "k"], line: 2, column: 1, firstLine: 1 },
      { path: ["a"], line: 2, column: 11, firstLine: 1 },
    ]);
  });

  it("gives 1-based line and column", () => {
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    try {
      parseJson('[1,\n 2,,]');
      expect.fail("parsed");
    } catch (err) {
      expect(err).toBeInstanceOf(JsonSyntaxError);
      expect(err).toMatchObject({ line: 2, column: 4, reason: "unexpected ',', expected a value" });
    }
  });
});

describe("nesting", () => {
  // Each row: how to nest n levels, and the column of the opening bracket one level past MAX_DEPTH.
  it.each([
    ["arrays", (n: number) => "[".repeat(n) + "]".repeat(n), MAX_DEPTH + 1],
    ["objects", (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n), MAX_DEPTH * '{"a":'.length + 1],
  ])("accepts %s nested MAX_DEPTH deep and refuses deeper ones where they go too deep", (_kind, nest, column) => {
    expect(() => parseJson(nest(MAX_DEPTH))).not.toThrow();
    try {
      parseJson(nest(2000));
      expect.fail("parsed");
    } catch (err) {
      expect(err).toBeInstanceOf(JsonSyntaxError);
      expect(err).toMatchObject({ line: 1, column, reason: `nested more than ${MAX_DEPTH} levels deep` });
    }
  });
});
