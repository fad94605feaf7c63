// Scenario files are checked when they load: every problem is named with the file and its line, and
// nothing runs. Valid files become typed steps; the board resolves from the file's folder.
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, ScenarioFileError, STEP_KINDS } from "../../sim/scenario/load";

const BOARD = resolve("board.json");
const dir = mkdtempSync(join(tmpdir(), "relaymq-scenario-load-"));
let n = 0;

/** write(text) -> the path of a new scenario file holding text. */
function write(text: string, name = `s${++n}.yaml`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function load(text: string) {
  return loadScenario(write(text), { defaultBoard: BOARD, env: {} });
}

/** problems(text) -> the problems loading it gives, with the file name replaced by "F". */
function problems(text: string): string[] {
  const file = write(text);
  try {
    loadScenario(file, { defaultBoard: BOARD, env: {} });
  } catch (e) {
    if (e instanceof ScenarioFileError) return e.problems.map((p) => p.split(file).join("F"));
    throw e;
  }
  return [];
}

const head = "name: t\nsteps:\n";

describe("scenario files: problems are refused at load, naming file and line", () => {
  const CASES: { name: string; text: string; problem: string }[] = [
    { name: "an unknown step", text: head + "  - expect: { topic: a/b }\n  - pause: 2s\n", problem: 'F:4: unknown step "pause": steps are publish, expect' },
    { name: "an unknown key in a step", text: head + "  - expect: { topic: a/b, payloud: x }\n", problem: 'F:3: expect: unknown key "payloud": it takes topic, payload, match, json, retained, qos, within' },
    { name: "an unknown top-level key", text: "name: t\nboards: x.json\nsteps:\n  - advance: 1s\n", problem: 'F:2: unknown key "boards": a scenario has name, board, steps' },
    { name: "a missing key", text: head + "  - expect-none: { topic: a/b }\n", problem: "F:3: expect-none: for is missing" },
    { name: "a duration without a unit", text: head + "  - advance: 121\n", problem: "F:3: advance: a duration needs a unit: write 121s or 500ms, not 121" },
    { name: "a duration with an unknown unit", text: head + "  - wait: 3 days\n", problem: 'F:3: wait: "3 days" is not a duration' },
    { name: "a step with two kinds", text: head + "  - advance: 1s\n    wait: 1s\n", problem: "F:3: a step is one of publish, expect" },
    { name: "a wildcard in a published topic", text: head + "  - publish: { topic: a/+/set, payload: ON }\n", problem: 'F:3: publish: topic "a/+/set" cannot be published to' },
    { name: "a bad filter", text: head + "  - expect: { topic: a/#/b }\n", problem: 'F:3: expect: topic "a/#/b" is not a topic or filter' },
    { name: "a bad regular expression", text: head + "  - expect: { topic: a/b, match: \"(\" }\n", problem: "F:3: expect: match: Invalid regular expression" },
    { name: "two payload checks", text: head + "  - expect: { topic: a/b, payload: x, match: x }\n", problem: "F:3: expect: give one of payload, match and json" },
    { name: "a qos out of range", text: head + "  - publish: { topic: a/b, payload: x, qos: 3 }\n", problem: "F:3: publish: qos is 0, 1 or 2" },
    { name: "an unknown relay", text: head + "  - expect-relay: { pmup: on }\n", problem: "F:3: no relay pmup: the board has pump, valve1, valve2, lamp" },
    { name: "a relay state that is neither on nor off", text: head + "  - expect-relay: { pump: yes }\n", problem: "F:3: expect-relay: pump: on or off" },
    { name: "pin with two relays", text: head + "  - expect-relay: { pump: on, lamp: on, pin: low }\n", problem: "F:3: pin: goes with exactly one relay" },
    { name: "an unknown pin", text: head + "  - expect-pin: { D40: low }\n", problem: "F:3: no pin D40: pins are D0..D39" },
    { name: "an unknown sensor", text: head + "  - input: { sensor: window, level: low }\n", problem: "F:3: input: no sensor window: the board has door, light, water" },
    { name: "pulses on a digital sensor", text: head + "  - input: { sensor: door, pulses: 3 }\n", problem: "F:3: input: door is a digital sensor: give it level" },
    { name: "an analog reading out of range", text: head + "  - input: { sensor: light, analog: 1.5 }\n", problem: "F:3: input: analog is a reading from 0 to 1 of full scale" },
    { name: "a broker action that does not exist", text: head + "  - broker: reboot\n", problem: "F:3: broker: broker: stop, start or restart" },
    { name: "no steps", text: "name: t\nsteps: []\n", problem: "F:2: steps: give a list of steps" },
    { name: "a file that is not a mapping", text: "- advance: 1s\n", problem: "F:1: a scenario is a mapping with name, board and steps" },
    { name: "broken YAML (the parser names where the } was due)", text: head + "  - expect: { topic: a/b\n", problem: "F:4: YAML: Flow map" },
    { name: "a duplicate key", text: head + "  - expect: { topic: a/b, topic: c/d }\n", problem: "F:3: YAML:" },
    { name: "a board that does not exist, from the file's folder", text: "board: nowhere/board.json\n" + head + "  - advance: 1s\n", problem: `F:1: board ${join(dir, "nowhere/board.json")}:` },
  ];

  it.each(CASES)("$name", ({ text, problem }) => {
    const got = problems(text);
    expect(got.length, `no problem reported for:\n${text}`).toBeGreaterThan(0);
    expect(got.some((p) => p.startsWith(problem)), `wanted "${problem}...", got:\n${got.join("\n")}`).toBe(true);
  });

  it("reports every bad step of a file, not only the first", () => {
    const got = problems(head + "  - advance: 1\n  - expect: { topic: a/b }\n  - power: sleep\n");
    expect(got.map((p) => p.split(":")[1])).toEqual(["3", "5"]);
  });

  it("knows every step the README's table lists", () => {
    expect([...STEP_KINDS].sort()).toEqual(
      [
        "advance", "broker", "expect", "expect-led", "expect-log", "expect-none", "expect-packet", "expect-pin", "expect-relay",
        "input", "link", "power", "press", "publish", "wait", "wifi",
      ],
    );
  });
});

// The board features' steps, on a board that has buttons, a status LED and DS18B20/DHT22 sensors.
const FEATURES = resolve("scenarios/boards/features-board.json");
const fhead = `name: t\nboard: ${FEATURES}\nsteps:\n`;

describe("scenario files: the board features' steps are checked at load too", () => {
  const CASES: { name: string; text: string; problem: string }[] = [
    { name: "a button the board does not have", text: fhead + "  - press: b9\n", problem: "F:4: no button b9: the board has b1, b2, reset" },
    { name: "a press no longer than the debounce", text: fhead + "  - press: { button: b1, for: 50ms }\n", problem: "F:4: press: for 50 ms is not longer than b1's debounce (50 ms)" },
    { name: "a press with an unknown key", text: fhead + "  - press: { button: b1, hold: 2s }\n", problem: 'F:4: press: unknown key "hold": it takes button, for' },
    { name: "a press on a board without buttons", text: head + "  - press: b1\n", problem: "F:3: no button b1: the board has none" },
    { name: "an LED pattern that does not exist", text: fhead + "  - expect-led: blink\n", problem: "F:4: expect-led: the pattern is no-wifi, no-broker, on, off" },
    { name: "expect-led on a board without a status LED", text: head + "  - expect-led: on\n", problem: "F:3: expect-led: the board has no statusLed" },
    { name: "a WiFi state that is neither off nor on", text: fhead + "  - wifi: down\n", problem: "F:4: wifi: wifi: off or on" },
    { name: "a packet type MQTT does not have", text: fhead + "  - expect-packet: GOODBYE\n", problem: "F:4: expect-packet: the type is one of CONNECT, CONNACK, PUBLISH" },
    { name: "a packet direction that does not exist", text: fhead + "  - expect-packet: { type: PUBACK, dir: up }\n", problem: "F:4: expect-packet: dir is out (from the board) or in" },
    { name: "a level for a DS18B20", text: fhead + "  - input: { sensor: tank, level: low }\n", problem: "F:4: input: tank is a ds18b20 sensor: give it a value (what it measures) or a condition" },
    { name: "a DS18B20 value it cannot measure", text: fhead + "  - input: { sensor: tank, value: 150 }\n", problem: "F:4: input: value is what tank measures, -55 to 125 degrees C" },
    { name: "a humidity over 100 %", text: fhead + "  - input: { sensor: room_rh, value: 101 }\n", problem: "F:4: input: value is what room_rh measures, 0 to 100 %" },
    { name: "a condition that does not exist", text: fhead + "  - input: { sensor: pipe, condition: broken }\n", problem: "F:4: input: condition is ok, missing or corrupt" },
    { name: "a value and a condition at once", text: fhead + "  - input: { sensor: pipe, value: 20, condition: ok }\n", problem: "F:4: input: pipe is a ds18b20 sensor: give it a value" },
  ];

  it.each(CASES)("$name", ({ text, problem }) => {
    const got = problems(text);
    expect(got.length, `no problem reported for:\n${text}`).toBeGreaterThan(0);
    expect(got.some((p) => p.startsWith(problem)), `wanted "${problem}...", got:\n${got.join("\n")}`).toBe(true);
  });

  it("reads them into typed values", () => {
    const s = load(fhead + `  - press: b1
  - press: { button: reset, for: 3.5s }
  - wifi: "off"
  - expect-led: no-wifi
  - expect-led: { pattern: "on", within: 1m }
  - expect-packet: disconnect
  - expect-packet: { type: PUBACK, dir: in, within: 2s }
  - input: { sensor: tank, value: -10.5 }
  - input: { sensor: room_rh, condition: missing }
`);
    expect(s.steps.map(({ line: _line, ...rest }) => rest)).toEqual([
      { kind: "press", button: "b1", forMs: null },
      { kind: "press", button: "reset", forMs: 3500 },
      { kind: "wifi", action: "off" },
      { kind: "expect-led", pattern: "no-wifi", withinMs: 1000 },
      { kind: "expect-led", pattern: "on", withinMs: 60_000 },
      { kind: "expect-packet", type: "DISCONNECT", dir: "out", withinMs: 1000 },
      { kind: "expect-packet", type: "PUBACK", dir: "in", withinMs: 2000 },
      { kind: "input", sensor: "tank", value: { value: -10.5 } },
      { kind: "input", sensor: "room_rh", value: { condition: "missing" } },
    ]);
  });
});

describe("scenario files: what a valid file becomes", () => {
  it("reads every kind of step into typed values, {prefix} and {id} filled in from the board", () => {
    const s = load(`name: all the steps
steps:
  - publish: { topic: "{prefix}/relay/pump/set", payload: 1, qos: 1, retain: true }
  - expect: { topic: "{prefix}/status", payload: online, retained: true, qos: 1, within: 2s }
  - expect: { topic: "homeassistant/+/{id}_pump/config", json: { name: pump } }
  - expect-none: { topic: "{prefix}/error", match: "retained", for: 1.5s }
  - input: { sensor: door, level: 0 }
  - input: { sensor: light, analog: 0.25 }
  - input: { sensor: water, pulses: 5, rate: 2.5 }
  - expect-relay: { pump: ON, pin: 1, within: 500ms }
  - expect-pin: { D26: high, D27: low }
  - advance: 2m
  - wait: 20ms
  - broker: restart
  - link: stall
  - power: "off"
  - expect-log: connected
  - expect-log: { match: "^warn", within: 3s }
`);
    expect(s.name).toBe("all the steps");
    expect(s.boardFile).toBe(BOARD);
    expect(s.usesLink).toBe(true);
    const bare = s.steps.map(({ line: _line, ...rest }) => rest);
    expect(bare).toEqual([
      { kind: "publish", topic: "devices/esp32-01/relay/pump/set", payload: "1", qos: 1, retain: true },
      { kind: "expect", match: { topic: "devices/esp32-01/status", payload: "online", retained: true, qos: 1 }, withinMs: 2000 },
      { kind: "expect", match: { topic: "homeassistant/+/esp32-01_pump/config", json: { name: "pump" } }, withinMs: 1000 },
      { kind: "expect-none", match: { topic: "devices/esp32-01/error", match: "retained" }, forMs: 1500 },
      { kind: "input", sensor: "door", value: { level: "low" } },
      { kind: "input", sensor: "light", value: { analog: 0.25 } },
      { kind: "input", sensor: "water", value: { pulses: 5, rate: 2.5 } },
      { kind: "expect-relay", relays: { pump: "on" }, pin: "high", withinMs: 500 },
      { kind: "expect-pin", pins: { D26: "high", D27: "low" }, withinMs: 1000 },
      { kind: "advance", ms: 120_000 },
      { kind: "wait", ms: 20 },
      { kind: "broker", action: "restart" },
      { kind: "link", action: "stall" },
      { kind: "power", action: "off" },
      { kind: "expect-log", text: "connected", match: null, withinMs: 1000 },
      { kind: "expect-log", text: null, match: "^warn", withinMs: 3000 },
    ]);
    expect(s.steps.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });

  it("takes its name from the file when it has none, and the command line's board when it names none", () => {
    const s = loadScenario(write("steps:\n  - advance: 1s\n", "unnamed.yml"), { defaultBoard: BOARD, env: {} });
    expect(s.name).toBe("unnamed");
    expect(s.boardFile).toBe(BOARD);
    expect(s.usesLink).toBe(false);
  });

  it("resolves its board from its own folder, not the working directory", () => {
    const sub = join(dir, "nested");
    mkdirSync(join(sub, "boards"), { recursive: true });
    copyFileSync(resolve("scenarios/boards/pulse-board.json"), join(sub, "boards", "b.json"));
    const s = loadScenario(write("board: boards/b.json\nsteps:\n  - expect-relay: { gate: off }\n", "nested/uses-board.yaml"), { defaultBoard: BOARD, env: {} });
    expect(s.boardFile).toBe(join(sub, "boards", "b.json"));
    expect(s.config.relays.map((r) => r.name)).toEqual(["pump", "gate"]);
  });
});
