// What an expectation matches (topics and filters, exact payloads, regular expressions, JSON subsets,
// retain and QoS as the board sent them), how durations are written, and what the JUnit report escapes.
import { describe, expect, it } from "vitest";
import { checkMatch, jsonContains, matches, type BoardMessage, type MessageMatch } from "../../sim/scenario/match";
import { parseDuration } from "../../sim/scenario/duration";
import { esc } from "../../sim/scenario/junit";

const msg = (over: Partial<BoardMessage> = {}): BoardMessage => ({
  t: 0, topic: "devices/esp32-01/relay/pump/state", payload: "ON", qos: 1, retain: true, ...over,
});

describe("matches(match, message)", () => {
  const CASES: [string, MessageMatch, BoardMessage, boolean][] = [
    ["the same topic", { topic: "devices/esp32-01/relay/pump/state" }, msg(), true],
    ["another topic", { topic: "devices/esp32-01/relay/lamp/state" }, msg(), false],
    ["a + filter", { topic: "devices/+/relay/+/state" }, msg(), true],
    ["a # filter", { topic: "devices/#" }, msg(), true],
    ["a filter one level short", { topic: "devices/+/relay/pump" }, msg(), false],
    ["the exact payload", { topic: "#", payload: "ON" }, msg(), true],
    ["a payload differing in case", { topic: "#", payload: "on" }, msg(), false],
    ["a regex, unanchored", { topic: "#", match: "N" }, msg(), true],
    ["a regex that does not match", { topic: "#", match: "^OFF$" }, msg(), false],
    ["retained as sent", { topic: "#", retained: true }, msg(), true],
    ["not retained, but it was", { topic: "#", retained: false }, msg(), false],
    ["the QoS as sent", { topic: "#", qos: 1 }, msg(), true],
    ["another QoS", { topic: "#", qos: 0 }, msg(), false],
    ["a JSON subset", { topic: "#", json: { reason: "unknown payload" } }, msg({ payload: '{"topic":"a","reason":"unknown payload","payload":"FOO"}' }), true],
    ["a JSON subset with another value", { topic: "#", json: { reason: "retained command" } }, msg({ payload: '{"reason":"unknown payload"}' }), false],
    ["JSON asked of a payload that is not JSON", { topic: "#", json: {} }, msg({ payload: "ON" }), false],
  ];
  it.each(CASES)("%s", (_name, m, message, want) => {
    expect(matches(m, message)).toBe(want);
  });
});

describe("jsonContains(doc, want)", () => {
  const CASES: [unknown, unknown, boolean][] = [
    [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: [1, { x: 1, y: 2 }] }, { a: [1, { y: 2 }] }, true],
    [{ a: [1, 2, 3] }, { a: [1, 2] }, false],
    [{ a: null }, { a: null }, true],
    [{ a: "1" }, { a: 1 }, false],
    [[1, 2], { 0: 1 }, false],
    [{ constructor: 1 }, { toString: undefined }, false],
  ];
  it.each(CASES)("%j holds %j: %s", (doc, want, holds) => {
    expect(jsonContains(doc, want)).toBe(holds);
  });
});

describe("checkMatch(match)", () => {
  it.each([
    [{ topic: "" }, "topic is empty"],
    [{ topic: "a/#/b" }, 'topic "a/#/b" is not a topic or filter'],
    [{ topic: "a", payload: "x", json: {} }, "give one of payload, match and json"],
    [{ topic: "a", match: "[" }, "match: Invalid regular expression"],
    [{ topic: "a", qos: 3 }, "qos 3: must be 0, 1 or 2"],
  ] as [MessageMatch, string][])("%j -> %s", (m, problem) => {
    expect(checkMatch(m)).toContain(problem);
  });
});

describe("parseDuration(text)", () => {
  it.each([
    ["121s", 121_000], ["500ms", 500], ["2m", 120_000], ["2min", 120_000], ["1.5h", 5_400_000], ["0s", 0], [" 30 s ", 30_000],
  ] as [string, number][])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each([
    [121, "a duration needs a unit: write 121s or 500ms, not 121"],
    ["121", "a duration needs a unit: write 121s or 500ms, not 121"],
    ["-1s", '"-1s" is not a duration'],
    ["1 day", '"1 day" is not a duration'],
    [null, "a duration is a number and a unit (121s, 500ms), not null"],
  ] as [unknown, string][])("%j is refused", (text, problem) => {
    expect(parseDuration(text)).toContain(problem);
  });
});

describe("JUnit escaping", () => {
  it("escapes markup and drops characters XML cannot hold", () => {
    expect(esc(`<a href="x">&'\u0001\u0007ok\ttab\nline</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;ok\ttab\nline&lt;/a&gt;");
  });
});
