// Topic names, topic filters and matching (MQTT 3.1.1 section 4.7).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  OK, E_TOPIC_EMPTY, E_TOPIC_WILDCARD, E_FILTER_HASH, E_FILTER_PLUS, E_UTF8_NULL, E_UTF8_INVALID, E_STRING_TOO_LONG,
  validateTopicName, validateTopicFilter, topicMatches, errorName, utf8Bytes,
} from "../../firmware/mqtt";
import { fromHex } from "../helpers/vectors";
import { MATCHES } from "./topic-cases";

type Bytes = string | Uint8Array;
const bytesOf = (s: Bytes): Uint8Array => (typeof s === "string" ? utf8Bytes(s) : s);
const name = (code: number) => (code === OK ? "OK" : errorName(code));

// The same bytes at offset 3 of a larger buffer whose surrounding bytes are wildcards, U+0000 and '/',
// so a check that reads outside its window gives itself away.
function embedded(b: Uint8Array): { buf: Uint8Array; off: number } {
  const buf = new Uint8Array(b.length + 6);
  buf.set([0x2b, 0x00, 0x23], 0);
  buf.set(b, 3);
  buf.set([0x2f, 0x23, 0x00], 3 + b.length);
  return { buf, off: 3 };
}

const LONG_OK = "a".repeat(65535);
const TOO_LONG = "a".repeat(65536);

const TOPIC_NAMES: [string, Bytes, number][] = [
  ["a plain multi-level name", "sport/tennis/player1", OK],
  ["a single character", "a", OK],
  ["a single '/' (two empty levels)", "/", OK],
  ["a leading '/' (empty first level)", "/finance", OK],
  ["empty levels in the middle and at the end", "a//b/", OK],
  ["a $SYS name", "$SYS/monitor/Clients", OK],
  ["spaces inside levels", "my home/living room", OK],
  ["2-byte and 3-byte UTF-8", "café/日本/温度", OK],
  ["4-byte UTF-8", "sensors/🌡️/value", OK],
  ["exactly 65,535 bytes", LONG_OK, OK],
  ["length 0 [MQTT-4.7.3-1]", "", E_TOPIC_EMPTY],
  ["over 65,535 bytes [MQTT-4.7.3-3]", TOO_LONG, E_STRING_TOO_LONG],
  ["'+' as a level [MQTT-3.3.2-2] [MQTT-4.7.1-1]", "sport/+/player1", E_TOPIC_WILDCARD],
  ["'#' at the end [MQTT-3.3.2-2]", "sport/#", E_TOPIC_WILDCARD],
  ["'+' alone", "+", E_TOPIC_WILDCARD],
  ["'#' alone", "#", E_TOPIC_WILDCARD],
  ["a wildcard after the first 8 bytes", "abcdefghijklmnop/x+", E_TOPIC_WILDCARD],
  ["U+0000 [MQTT-4.7.3-2] [MQTT-1.5.3-2]", "a\u0000b", E_UTF8_NULL],
  ["U+0000 after the first 8 bytes", "abcdefghijk\u0000", E_UTF8_NULL],
  ["a UTF-16 surrogate encoded as UTF-8 [MQTT-1.5.3-1]", fromHex("61 2F ED A0 80"), E_UTF8_INVALID],
  ["an overlong '/' (C0 AF)", fromHex("61 C0 AF 62"), E_UTF8_INVALID],
  ["a truncated 3-byte sequence at the end", fromHex("61 62 63 64 65 66 67 68 E2 82"), E_UTF8_INVALID],
  ["a stray continuation byte", fromHex("61 80"), E_UTF8_INVALID],
];

describe("validateTopicName", () => {
  it.each(TOPIC_NAMES)("%s -> expected code", (_, topic, code) => {
    const b = bytesOf(topic);
    expect(name(validateTopicName(b, 0, b.length))).toBe(name(code));
  });

  it.each(TOPIC_NAMES)("%s -> same code when the name sits inside a larger buffer", (_, topic, code) => {
    const b = bytesOf(topic);
    const { buf, off } = embedded(b);
    expect(name(validateTopicName(buf, off, b.length))).toBe(name(code));
  });

  it("finds a wildcard or U+0000 at every position of a 20-byte name (the unrolled fast path)", () => {
    for (const bad of [0x2b, 0x23, 0x00]) {
      for (let i = 0; i < 20; i++) {
        const b = utf8Bytes("abcdefghij/klmnopqrs");
        b[i] = bad;
        expect(validateTopicName(b, 0, b.length)).toBe(bad === 0 ? E_UTF8_NULL : E_TOPIC_WILDCARD);
      }
    }
  });
});

const FILTERS: [string, Bytes, number][] = [
  ["a filter without wildcards", "sport/tennis/player1", OK],
  ["'#' alone (everything)", "#", OK],
  ["'#' as the last level", "sport/tennis/player1/#", OK],
  ["'+' alone", "+", OK],
  ["'+' as the first level", "+/tennis/#", OK],
  ["'+' in the middle", "sport/+/player1", OK],
  ["'+' as the last level", "sport/tennis/+", OK],
  ["'+' after an empty first level", "/+", OK],
  ["'+' on both sides of a '/'", "+/+", OK],
  ["'+' levels in a row", "+/+/+", OK],
  ["'#' after an empty level", "a//#", OK],
  ["$SYS with '#'", "$SYS/#", OK],
  ["non-ASCII levels with '+'", "café/+/温度", OK],
  ["exactly 65,535 bytes", LONG_OK, OK],
  ["'#' sharing a level [MQTT-4.7.1-2]", "sport/tennis#", E_FILTER_HASH],
  ["'#' not last [MQTT-4.7.1-2]", "sport/tennis/#/ranking", E_FILTER_HASH],
  ["'#' followed by '/' [MQTT-4.7.1-2]", "sport/#/", E_FILTER_HASH],
  ["'##' [MQTT-4.7.1-2]", "##", E_FILTER_HASH],
  ["'#' before text at the start [MQTT-4.7.1-2]", "#a", E_FILTER_HASH],
  ["'sport+' (the spec's invalid example) [MQTT-4.7.1-3]", "sport+", E_FILTER_PLUS],
  ["'+' before text in a level [MQTT-4.7.1-3]", "sport/+tennis", E_FILTER_PLUS],
  ["'+' after text in the last level [MQTT-4.7.1-3]", "sport/tennis+", E_FILTER_PLUS],
  ["'++' [MQTT-4.7.1-3]", "++", E_FILTER_PLUS],
  ["'+#' [MQTT-4.7.1-2] [MQTT-4.7.1-3]", "a/+#", E_FILTER_PLUS],
  ["length 0 [MQTT-4.7.3-1]", "", E_TOPIC_EMPTY],
  ["over 65,535 bytes [MQTT-4.7.3-3]", TOO_LONG, E_STRING_TOO_LONG],
  ["U+0000 [MQTT-4.7.3-2]", "a/\u0000/b", E_UTF8_NULL],
  ["a UTF-16 surrogate encoded as UTF-8 [MQTT-1.5.3-1]", fromHex("2B 2F ED B0 80"), E_UTF8_INVALID],
  ["a 4-byte sequence above U+10FFFF", fromHex("61 2F F4 90 80 80"), E_UTF8_INVALID],
];

describe("validateTopicFilter", () => {
  it.each(FILTERS)("%s -> expected code", (_, filter, code) => {
    const b = bytesOf(filter);
    expect(name(validateTopicFilter(b, 0, b.length))).toBe(name(code));
  });

  it.each(FILTERS)("%s -> same code when the filter sits inside a larger buffer", (_, filter, code) => {
    const b = bytesOf(filter);
    const { buf, off } = embedded(b);
    expect(name(validateTopicFilter(buf, off, b.length))).toBe(name(code));
  });

  it("accepts every valid topic name as a filter", () => {
    for (const [, topic, code] of TOPIC_NAMES) {
      if (code !== OK) continue;
      const b = bytesOf(topic);
      expect(validateTopicFilter(b, 0, b.length)).toBe(OK);
    }
  });
});

describe("topicMatches", () => {
  it.each(MATCHES)("filter %j vs topic %j -> %s", (filter, topic, want) => {
    const f = utf8Bytes(filter);
    const t = utf8Bytes(topic);
    expect(validateTopicFilter(f, 0, f.length)).toBe(OK);
    expect(validateTopicName(t, 0, t.length)).toBe(OK);
    expect(topicMatches(t, 0, t.length, f, 0, f.length)).toBe(want);
  });

  it.each(MATCHES)("filter %j vs topic %j -> %s inside larger buffers", (filter, topic, want) => {
    const f = embedded(utf8Bytes(filter));
    const t = embedded(utf8Bytes(topic));
    expect(topicMatches(t.buf, t.off, t.buf.length - 6, f.buf, f.off, f.buf.length - 6)).toBe(want);
  });

  const level = fc.string({ unit: fc.constantFrom("a", "b", "$", "é", "日"), maxLength: 3 });
  const topicName = fc.array(level, { minLength: 1, maxLength: 5 }).map((ls) => ls.join("/")).filter((s) => s.length > 0);

  it("a topic name used as a filter matches itself and only itself", () => {
    fc.assert(fc.property(topicName, topicName, (a, b) => {
      const x = utf8Bytes(a);
      const y = utf8Bytes(b);
      expect(topicMatches(x, 0, x.length, x, 0, x.length)).toBe(true);
      expect(topicMatches(y, 0, y.length, x, 0, x.length)).toBe(a === b);
    }));
  });

  it("'#' matches exactly the names that do not start with '$' [MQTT-4.7.2-1]", () => {
    const hash = utf8Bytes("#");
    fc.assert(fc.property(topicName, (a) => {
      const x = utf8Bytes(a);
      expect(topicMatches(x, 0, x.length, hash, 0, 1)).toBe(!a.startsWith("$"));
    }));
  });

  it("replacing any one level by '+' still matches, unless it is a leading level of a $ topic", () => {
    fc.assert(fc.property(fc.array(level, { minLength: 1, maxLength: 5 }), fc.nat(), (levels, k) => {
      const topic = levels.join("/");
      fc.pre(topic.length > 0);
      const i = k % levels.length;
      const filter = levels.map((l, j) => (j === i ? "+" : l)).join("/");
      const t = utf8Bytes(topic);
      const f = utf8Bytes(filter);
      expect(topicMatches(t, 0, t.length, f, 0, f.length)).toBe(!(i === 0 && topic.startsWith("$")));
    }));
  });
});
