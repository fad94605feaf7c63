// Topics as the interpreter's strings: where the runtime makes strings natively (Espruino), received
// topics are screened with one regex and matched against each filter's string or RegExp instead of byte
// loops. These must decide exactly what the byte functions decide (MQTT 3.1.1 section 4.7). Strings here
// are what Espruino makes from the bytes: one 8-bit character a byte (Node: latin1 of the UTF-8 bytes).
import { describe, expect, it, afterEach } from "vitest";
import fc from "fast-check";
import { topicMatches, filterMatcher, topicName, validateTopicName } from "../../firmware/mqtt/topic";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import { OK, E_TOPIC_WILDCARD, E_TOPIC_EMPTY, E_UTF8_NULL, E_UTF8_INVALID } from "../../firmware/mqtt/errors";
import { Decoder } from "../../firmware/mqtt/decoder";
import { Packet } from "../../firmware/mqtt/packet";
import { setNatives, portableNatives } from "../../firmware/mqtt/bytes";
import { stringNatives } from "../support/natives";
import { MATCHES } from "./topic-cases";

const text = (s: string) => Buffer.from(utf8Bytes(s)).toString("latin1");
const matches = (filter: string, topic: string) => {
  const m = filterMatcher(text(filter));
  return typeof m === "string" ? m === text(topic) : m.test(text(topic));
};

describe("filterMatcher", () => {
  it.each(MATCHES)("filter %j vs topic %j -> %s, as topicMatches decides", (filter, topic, want) => {
    expect(matches(filter, topic)).toBe(want);
  });

  it("a filter without wildcards is itself: one string compare", () => {
    expect(filterMatcher("devices/esp32-01/relay/pump/set")).toBe("devices/esp32-01/relay/pump/set");
  });

  it("regex characters in a filter stand for themselves", () => {
    for (const f of ["a.b/+", "a*b/+", "(a)/+/[b]", "a?b|c/#", "^a$/+", "a\\b/+", "a{1}/+", "a-b/+"]) {
      const topic = f.split("/").map((l) => (l === "+" ? "x" : l === "#" ? "y" : l)).join("/");
      expect(matches(f, topic), f).toBe(true);
      expect(matches(f, "z" + topic.slice(1)), f).toBe(false);
    }
  });

  const level = fc.string({ unit: fc.constantFrom("a", "b", "$", "é", ".", "*", "/"), maxLength: 3 }).map((s) => s.replace(/\//g, ""));
  const levels = fc.array(level, { minLength: 1, maxLength: 5 });

  it("agrees with topicMatches on random filters (each level kept, '+', or '#' last) and topics", () => {
    fc.assert(fc.property(levels, levels, fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }), (tl, fl, kinds) => {
      const topic = tl.join("/");
      fc.pre(topic.length > 0);
      const parts = fl.map((l, i) => (kinds[i] === 1 ? "+" : l));
      if (kinds[0] === 3) parts.push("#");
      const filter = parts.join("/");
      const f = utf8Bytes(filter);
      const t = utf8Bytes(topic);
      expect(matches(filter, topic)).toBe(topicMatches(t, 0, t.length, f, 0, f.length));
    }), { numRuns: 2000 });
  });
});

describe("topicName: topics are checked once, when their bytes are made", () => {
  it.each([
    ["a/+", E_TOPIC_WILDCARD],
    ["a/#", E_TOPIC_WILDCARD],
    ["", E_TOPIC_EMPTY],
    ["a\u0000b", E_UTF8_NULL],
  ])("topicName(%j) gives the rule it breaks [MQTT-3.3.2-2] [MQTT-4.7.3-1]", (name, code) => {
    expect(topicName(name as string)).toBe(code);
  });

  it("a valid name gives its UTF-8 bytes", () => {
    expect(Array.from(topicName("a/é") as Uint8Array)).toEqual([0x61, 0x2f, 0xc3, 0xa9]);
  });
});

describe("received topics screened as strings", () => {
  afterEach(() => setNatives(portableNatives));

  // Every topic name the byte check accepts or refuses, decoded with strings and with bytes.
  const TOPICS: [string, Uint8Array][] = [
    ["plain ASCII", utf8Bytes("devices/esp32-01/relay/pump/set")],
    ["spaces, '$' and punctuation", utf8Bytes("$SYS/my home/a,b;c:d!e~f")],
    ["UTF-8", utf8Bytes("café/日本/🌡️")],
    ["a control character", utf8Bytes("a\tb")],
    ["DEL", utf8Bytes("a\u007fb")],
    ["'+'", utf8Bytes("a/+/b")],
    ["'#'", utf8Bytes("a/#")],
    ["U+0000", Uint8Array.from([0x61, 0x00, 0x62])],
    ["ill-formed UTF-8", Uint8Array.from([0x61, 0xc3, 0x28])],
    ["an overlong form", Uint8Array.from([0xc0, 0xaf])],
    ["empty", new Uint8Array(0)],
  ];

  function decode(topic: Uint8Array): { code: number; text: string | null } {
    const pkt = new Uint8Array(4 + topic.length + 2);
    pkt.set([0x30, 2 + topic.length + 2, topic.length >> 8, topic.length & 255], 0);
    pkt.set(topic, 4);
    pkt.set([0x68, 0x69], 4 + topic.length);
    let code = OK;
    let seen: string | null = null;
    const d = new Decoder(256, {
      onPacket(p: Packet) { seen = p.topicText; },
      onDecodeError(c: number) { code = c; },
    });
    d.feed(pkt, 0, pkt.length);
    return { code, text: seen };
  }

  it.each(TOPICS)("%s: the same verdict as the byte check, and the topic as text", (_, topic) => {
    const want = validateTopicName(topic, 0, topic.length);
    const bytes = decode(topic);
    expect(bytes.code).toBe(want);
    expect(bytes.text).toBeNull();
    setNatives(stringNatives);
    const strings = decode(topic);
    expect(strings.code).toBe(want);
    if (want === OK) expect(strings.text).toBe(Buffer.from(topic).toString("latin1"));
    expect([OK, E_TOPIC_WILDCARD, E_UTF8_NULL, E_UTF8_INVALID, E_TOPIC_EMPTY]).toContain(want);
  });
});
