// The live view's keyboard as data: which key each sensor gets, and raw input -> action.
import { describe, expect, it } from "vitest";
import { ANALOG_STEP, decodeKey, keyBindings, keysHelp, splitKeys, type KeyBinding } from "../../sim/view/keys";
import { testConfig } from "./view-helpers";

const bindings = keyBindings(testConfig());

describe("keyBindings", () => {
  it("numbers the sensors 1.. in config order", () => {
    expect(bindings).toEqual([
      { key: "1", sensor: 0, name: "door", type: "digital" },
      { key: "2", sensor: 1, name: "light", type: "analog" },
      { key: "3", sensor: 2, name: "water", type: "counter" },
    ]);
  });

  it("gives keys to the first nine sensors only", () => {
    const config = testConfig();
    config.sensors = Array.from({ length: 12 }, (_, i) => ({ ...config.sensors[0], name: `s${i}`, pin: `D${i}` }));
    const b = keyBindings(config);
    expect(b.map((x) => x.key)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(b[8].name).toBe("s8");
  });
});

describe("decodeKey", () => {
  it.each([
    { data: "1", selected: null, want: { kind: "flip", sensor: 0 } },
    { data: "2", selected: null, want: { kind: "select", sensor: 1 } },
    { data: "3", selected: null, want: { kind: "pulse", sensor: 2 } },
    { data: "4", selected: null, want: null },
    { data: "0", selected: null, want: null },
    { data: "+", selected: 1, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "=", selected: 1, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "-", selected: 1, want: { kind: "analog", sensor: 1, delta: -ANALOG_STEP } },
    { data: "\u001b[A", selected: 1, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "\u001b[B", selected: 1, want: { kind: "analog", sensor: 1, delta: -ANALOG_STEP } },
    { data: "\u001bOA", selected: 1, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "+", selected: null, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "+", selected: 0, want: { kind: "analog", sensor: 1, delta: ANALOG_STEP } },
    { data: "q", selected: null, want: { kind: "quit" } },
    { data: "Q", selected: null, want: { kind: "quit" } },
    { data: "\u0003", selected: null, want: { kind: "quit" } },
    { data: "k", selected: null, want: { kind: "kill" } },
    { data: "r", selected: null, want: { kind: "boot" } },
    { data: "x", selected: null, want: null },
    { data: "\u001b", selected: null, want: null },
    { data: "\u001b[C", selected: 1, want: null },
    { data: "", selected: null, want: null },
  ].map((c) => ({ ...c, label: JSON.stringify(c.data) })))("$label (selected $selected)", ({ data, selected, want }) => {
    expect(decodeKey(data, bindings, selected)).toEqual(want);
  });

  it("ignores +/- on a board without analog sensors", () => {
    const digitalOnly: KeyBinding[] = [{ key: "1", sensor: 0, name: "door", type: "digital" }];
    expect(decodeKey("+", digitalOnly, null)).toBeNull();
    expect(decodeKey("\u001b[B", digitalOnly, null)).toBeNull();
  });

  it("moves the selected analog sensor when there are several", () => {
    const two: KeyBinding[] = [
      { key: "1", sensor: 0, name: "a", type: "analog" },
      { key: "2", sensor: 1, name: "b", type: "analog" },
    ];
    expect(decodeKey("-", two, 1)).toEqual({ kind: "analog", sensor: 1, delta: -ANALOG_STEP });
    expect(decodeKey("-", two, null)).toEqual({ kind: "analog", sensor: 0, delta: -ANALOG_STEP });
  });
});

describe("splitKeys", () => {
  it.each([
    { chunk: "1", want: ["1"] },
    { chunk: "113", want: ["1", "1", "3"] },
    { chunk: "\u001b[A\u001b[A+", want: ["\u001b[A", "\u001b[A", "+"] },
    { chunk: "2\u001bOB", want: ["2", "\u001bOB"] },
    { chunk: "\u001b[1;5A", want: ["\u001b[1;5A"] },
    { chunk: "\u001b", want: ["\u001b"] },
    { chunk: "\u0003", want: ["\u0003"] },
    { chunk: "", want: [] },
  ].map((c) => ({ ...c, label: JSON.stringify(c.chunk) })))("$label", ({ chunk, want }) => {
    expect(splitKeys(chunk)).toEqual(want);
  });
});

describe("keysHelp", () => {
  it("names every sensor key and the board keys", () => {
    expect(keysHelp(bindings)).toBe("keys: 1 door flip  2 light select, +/- move  3 water pulse  w wifi  k kill  r boot  q quit");
  });
});
