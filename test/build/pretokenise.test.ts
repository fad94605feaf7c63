// The pretokenised form npm run flash stores (sim/build/pretokenise.ts): byte-exact on each kind of token,
// with the spaces the interpreter's lexer needs to split tokens again, and, over the whole firmware, the
// same token stream as the text. test/espruino/pretokenise.test.ts compares it with the interpreter's own
// tokeniser.
import { describe, expect, it } from "vitest";
import * as acorn from "acorn";
import { pretokenise, TOKEN, tokenCode, tokenText } from "../../sim/build/pretokenise";
import { bundleBoard } from "../../sim/build/bundle";
import { boardConfig } from "../device/harness";

const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const ascii = (s: string) => hex(Buffer.from(s, "latin1"));

// Token numbers as the interpreter itself wrote them (E.setFlags({pretokenise:1}) in Espruino 2v29).
const VAR = "ac", RETURN = "ab", THIS = "af", TYPEEQUAL = "8b", NTYPEEQUAL = "8d", OROR = "a0", GEQUAL = "91",
  NULL = "b6", ANDAND = "9e", IN = "b9", FUNCTION = "aa", UNDEFINED = "b7", DEFAULT = "bd", MINUSMINUS = "99", TYPEOF = "bf";

const cases: { what: string; code: string; bytes: string }[] = [
  { what: "reserved words and operators are a byte each", code: "return this.a===1&&b!==c||d>=e",
    bytes: `${RETURN} ${THIS} ${ascii(".a")} ${TYPEEQUAL} d4 01 ${ANDAND} ${ascii("b")} ${NTYPEEQUAL} ${ascii("c")} ${OROR} ${ascii("d")} ${GEQUAL} ${ascii("e")}` },
  { what: "whitespace goes; a word after a reserved word needs no space", code: "var  a = null ;",
    bytes: `${VAR} ${ascii("a=")} ${NULL} ${ascii(";")}` },
  { what: "two names keep one space", code: "a in b, typeof c", bytes: `${ascii("a")} ${IN} ${ascii("b,")} ${TYPEOF} ${ascii("c")}` },
  { what: "- then - and + then + keep their space (not -- or ++)", code: "a - -b + +c", bytes: ascii("a- -b+ +c") },
  { what: "-- stays one token", code: "a--", bytes: `${ascii("a")} ${MINUSMINUS}` },
  { what: "a regex after a division keeps its space", code: "a / /x/g", bytes: ascii("a/ /x/g") },
  { what: "a number kept as text, then a dot, keeps its space", code: "100000 .toString()", bytes: ascii("100000 .toString()") },
  { what: "a raw integer, then a name: one space, as the interpreter writes it", code: "a=1\nb=2", bytes: "61 3d d4 01 20 62 3d d4 02" },
  { what: "integers: 0, 8 bits, 16 bits little-endian, hex; larger ones and others as text",
    code: "[0,127,128,-5,32767,0x7f00,32768,1.5,1e3,010]",
    bytes: `5b d3 2c d4 7f 2c d5 80 00 2c 2d d4 05 2c d5 ff 7f 2c d5 00 7f 2c ${ascii("32768,1.5,1e3,010]")}` },
  { what: "an ASCII string is raw: a tag, its length, its bytes (escapes decoded)", code: "'a\\\"b\\n'",
    bytes: `d1 04 ${ascii('a"b\n')}` },
  { what: "a string of 256 bytes or more takes a 16-bit length", code: JSON.stringify("x".repeat(300)),
    bytes: `d2 2c 01 ${ascii("x".repeat(300))}` },
  { what: "a \\x escape beyond ASCII is one byte on every build: raw", code: '"\\xb0C"', bytes: "d1 02 b0 43" },
  { what: "the empty string, and \\u beyond ASCII (UTF-8 on some builds, a byte on others), stay text",
    code: '["","\\u00b0C","\\\\u00b0"]', bytes: `${ascii('["","\\u00b0C",')} d1 06 ${ascii("\\u00b0")} 5d` },
  { what: "reserved words as property names and undefined are tokens, as the lexer makes them from text",
    code: "a.default=undefined", bytes: `${ascii("a.")} ${DEFAULT} ${ascii("=")} ${UNDEFINED}` },
  { what: "a function", code: "function f(a){return a}", bytes: `${FUNCTION} ${ascii("f(a){")} ${RETURN} ${ascii("a}")}` },
];

describe("pretokenise: the bytes of each kind of token", () => {
  it.each(cases)("$what", ({ code, bytes }) => {
    expect(hex(pretokenise(code))).toBe(bytes.replace(/\s+/g, " ").trim());
  });

  it("the tags are the interpreter's (jslex.h): raw string 0xD1 and 0xD2, raw integers 0xD3 to 0xD5, ?? 0xD0", () => {
    expect([TOKEN.NULLISH, TOKEN.RAW_STRING8, TOKEN.RAW_STRING16, TOKEN.RAW_INT0, TOKEN.RAW_INT8, TOKEN.RAW_INT16])
      .toEqual([0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5]);
    expect(tokenCode("==")).toBe(138);
    expect(tokenCode("=>")).toBe(162);
    expect(tokenCode("if")).toBe(163);
    expect(tokenCode("of")).toBe(198);
    expect(tokenCode("a")).toBeUndefined();
    expect(tokenText(163)).toBe("if");
  });

  it.each([
    { what: "a template string", code: "var a = `x`;", says: "Unexpected character '`' (1:8)" },
    { what: "an arrow function", code: "var f = (a) => a;", says: "Unexpected token (1:13)" },
  ])("refuses what is not ES5, with its place: $what", ({ code, says }) => {
    expect(() => pretokenise(code)).toThrow(says);
  });
});

// Text back from the pretokenised bytes: each token byte and raw value written out with a space either side,
// every other byte as it is, so two pieces of text that would merge when lexed merge here too.
function detokenise(b: Buffer): string {
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 128) out += String.fromCharCode(c);
    else if (c === TOKEN.RAW_STRING8 || c === TOKEN.RAW_STRING16) {
      const len = c === TOKEN.RAW_STRING8 ? b[i + 1] : b[i + 1] | (b[i + 2] << 8);
      const at = i + (c === TOKEN.RAW_STRING8 ? 2 : 3);
      out += " " + JSON.stringify(b.subarray(at, at + len).toString("latin1")) + " ";
      i = at + len - 1;
    } else if (c === TOKEN.RAW_INT0) out += " 0 ";
    else if (c === TOKEN.RAW_INT8) out += ` ${(b[++i] << 24) >> 24} `;
    else if (c === TOKEN.RAW_INT16) {
      out += ` ${((b[i + 1] | (b[i + 2] << 8)) << 16) >> 16} `;
      i += 2;
    } else out += " " + tokenText(c) + " ";
  }
  return out;
}

// Tokens as (kind, value): strings by value, numbers by value, the rest by their text.
function tokens(code: string): string[] {
  return [...acorn.tokenizer(code, { ecmaVersion: 5 })].map((t) =>
    t.type === acorn.tokTypes.string || t.type === acorn.tokTypes.num ? `${t.type.label}:${JSON.stringify((t as acorn.Token & { value: unknown }).value)}` : code.slice(t.start, t.end));
}

describe("pretokenise: the firmware", () => {
  it("the board's bundle is the same token stream pretokenised, and about a fifth smaller", async () => {
    const src = await bundleBoard(boardConfig());
    const tok = pretokenise(src);
    expect(tokens(detokenise(tok))).toEqual(tokens(src));
    expect(tok.length).toBeLessThan(src.length * 0.85);
  });
});
