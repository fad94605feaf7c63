// loadBoard on files: the repo's board.json, defaults, secrets, unreadable and malformed files, and many
// problems reported at once.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoardError, loadBoard } from "../../sim/board/load";
import { ENV, broken, minimalBoard, run } from "./helpers";

const REPO_BOARD = new URL("../../board.json", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "relaymq-board-"));
let n = 0;
function file(text: string): string {
  const p = join(dir, `board-${n++}.json`);
  writeFileSync(p, text);
  return p;
}
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BoardError);
    return (err as BoardError).problems;
  }
  return expect.fail("no BoardError");
}

describe("the repo's board.json", () => {
  const { config, warnings } = loadBoard(REPO_BOARD, ENV);

  it("loads without warnings and resolves its secrets", () => {
    expect(warnings).toEqual([]);
    expect(config.wifi).toEqual({ ssid: "my-network", password: ENV.WIFI_PASSWORD });
    expect(config.mqtt).toEqual({
      host: "127.0.0.1", port: 1883, tls: false, clientId: "esp32-01", username: "esp32-01",
      password: ENV.MQTT_PASSWORD, keepAlive: 30, cleanSession: true,
    });
  });

  it("fills the topic defaults with the prefix replaced and {name} kept", () => {
    expect(config.topics).toEqual({
      prefix: "devices/esp32-01",
      status: "devices/esp32-01/status",
      relaySet: "devices/esp32-01/relay/{name}/set",
      relayState: "devices/esp32-01/relay/{name}/state",
      sensorState: "devices/esp32-01/sensor/{name}/state",
      telemetry: "devices/esp32-01/telemetry",
      error: "devices/esp32-01/error",
      command: "devices/esp32-01/cmd/{name}",
      info: "devices/esp32-01/info",
    });
    expect(config.commands).toEqual({ acceptRetained: false, maxPayload: 16, console: true });
    expect(config.discovery).toEqual({ enabled: true, prefix: "homeassistant", mode: "device" });
    expect(config.telemetry).toEqual({ periodSec: 60 });
  });

  it("is a 4-relay active-low board with a door, a light sensor and a water meter", () => {
    expect(config.relays.map((r) => [r.name, r.pin, r.activeLow])).toEqual([
      ["pump", "D26", true], ["valve1", "D27", true], ["valve2", "D25", true], ["lamp", "D33", true],
    ]);
    expect(config.relays[0]).toEqual({
      name: "pump", pin: "D26", activeLow: true, powerOn: "off", failsafe: { state: "off", afterSec: 120 },
      pulseMs: 0, interlock: null, deviceClass: null,
    });
    expect(config.relays[1]).toMatchObject({ failsafe: null, pulseMs: 0, powerOn: "off", interlock: "valves" });
    expect(config.sensors.map((s) => [s.name, s.type, s.pin])).toEqual([
      ["door", "digital", "D4"], ["light", "analog", "D34"], ["water", "counter", "D13"],
    ]);
    expect(config.sensors[1]).toEqual({
      name: "light", type: "analog", pin: "D34", pull: "none", invert: false, debounceMs: 0, scale: 100,
      unit: "%", delta: 2, periodMs: 1000, edge: "both", decimals: 1, deviceClass: null,
    });
    expect(config.sensors[2]).toMatchObject({ pull: "up", debounceMs: 10, edge: "falling", decimals: 1 });
  });

  it("points editors at the schema and holds no secret", async () => {
    const text = (await import("node:fs")).readFileSync(REPO_BOARD, "utf8");
    expect(JSON.parse(text).$schema).toBe("./board.schema.json");
    expect(text).toContain('"$WIFI_PASSWORD"');
    expect(text).toContain('"$MQTT_PASSWORD"');
  });

  it("refuses to load without the secrets", () => {
    expect(problemsOf(() => loadBoard(REPO_BOARD, {}))).toEqual([
      "wifi.password: $WIFI_PASSWORD is not set in the environment",
      "mqtt.password: $MQTT_PASSWORD is not set in the environment",
    ]);
  });
});

describe("defaults", () => {
  it.each([
    ["tls port", (b: any) => { b.mqtt.tls = true; }, (c: any) => c.mqtt.port, 8883],
    ["client id from id", () => {}, (c: any) => c.mqtt.clientId, "b1"],
    ["no user name", (b: any) => { delete b.mqtt.username; delete b.mqtt.password; }, (c: any) => [c.mqtt.username, c.mqtt.password], [null, null]],
    ["open WiFi", (b: any) => { delete b.wifi.password; }, (c: any) => c.wifi.password, ""],
    ["no relays or sensors", (b: any) => { delete b.relays; delete b.sensors; }, (c: any) => [c.relays, c.sensors], [[], []]],
    ["prefix with {id}", (b: any) => { b.topics = { prefix: "home/{id}/x", status: "{id}/up" }; }, (c: any) => [c.topics.prefix, c.topics.status, c.topics.relaySet], ["home/b1/x", "b1/up", "home/b1/x/relay/{name}/set"]],
    ["digital", () => {}, (c: any) => c.sensors[0], { name: "s0", type: "digital", pin: "D4", pull: "up", invert: false, debounceMs: 50, scale: 1, unit: "", delta: 0, periodMs: 0, edge: "both", decimals: 0, deviceClass: null }],
    ["counter", () => {}, (c: any) => c.sensors[1], { name: "s1", type: "counter", pin: "D13", pull: "up", invert: false, debounceMs: 10, scale: 1, unit: "", delta: 0, periodMs: 0, edge: "falling", decimals: 0, deviceClass: null }],
    ["analog", () => {}, (c: any) => c.sensors[2], { name: "s2", type: "analog", pin: "D32", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "", delta: 0.01, periodMs: 1000, edge: "both", decimals: 2, deviceClass: null }],
    ["analog in percent", (b: any) => { b.sensors[2].scale = 100; }, (c: any) => [c.sensors[2].delta, c.sensors[2].decimals], [1, 1]],
    ["analog in volts", (b: any) => { b.sensors[2].scale = 3.3; }, (c: any) => [c.sensors[2].delta, c.sensors[2].decimals], [0.033, 2]],
    ["counter decimals follow the scale", (b: any) => { b.sensors[1].scale = 0.00222; }, (c: any) => c.sensors[1].decimals, 5],
    ["counter decimals at most 6", (b: any) => { b.sensors[1].scale = 1e-9; }, (c: any) => c.sensors[1].decimals, 6],
    ["no pull on 34-39", (b: any) => { b.sensors[0].pin = "D36"; }, (c: any) => c.sensors[0].pull, "none"],
    ["fail-safe state off", (b: any) => { b.relays[0].failsafe = { afterSec: 30 }; }, (c: any) => c.relays[0].failsafe, { state: "off", afterSec: 30 }],
  ])("%s", (_name, mutate, pick, expected) => {
    const out = run(broken(mutate));
    if (!out.ok) return expect.fail(out.problems.join("\n"));
    expect(pick(out.loaded.config)).toEqual(expected);
  });
});

describe("secrets", () => {
  it("reads any exact $NAME from the environment, and $$ escapes a literal $", () => {
    const b = minimalBoard();
    b.mqtt.host = "$BROKER";
    b.wifi.ssid = "$$HOME";
    b.mqtt.username = "$$";
    const out = run(b, { ...ENV, BROKER: "10.0.0.2", HOME: "not used" });
    if (!out.ok) return expect.fail(out.problems.join("\n"));
    expect(out.loaded.config.mqtt.host).toBe("10.0.0.2");
    expect(out.loaded.config.wifi.ssid).toBe("$HOME");
    expect(out.loaded.config.mqtt.username).toBe("$");
    expect(out.loaded.config.wifi.password).toBe(ENV.WIFI_PASSWORD);
  });

  it("an empty variable is set (an open network)", () => {
    const out = run(minimalBoard(), { ...ENV, WIFI_PASSWORD: "" });
    expect(out.ok && out.loaded.config.wifi.password).toBe("");
  });

  it("names every missing secret", () => {
    const b = minimalBoard();
    b.mqtt.host = "$MQTT_HOST";
    const out = run(b, {});
    expect(!out.ok && out.problems).toEqual([
      "wifi.password: $WIFI_PASSWORD is not set in the environment",
      "mqtt.host: $MQTT_HOST is not set in the environment",
      "mqtt.password: $MQTT_PASSWORD is not set in the environment",
    ]);
  });
});

describe("files", () => {
  it("an unreadable file", () => {
    const missing = join(dir, "nope.json");
    expect(problemsOf(() => loadBoard(missing, ENV))).toEqual([`${missing}: cannot read the file (no such file or directory)`]);
    const sub = join(dir, "a-directory");
    mkdirSync(sub);
    expect(problemsOf(() => loadBoard(sub, ENV))).toEqual([`${sub}: cannot read the file (it is a directory)`]);
  });

  it.each([
    ["trailing comma", '{\n  "id": "b1",\n}', "2:13", "trailing comma before '}'"],
    ["missing comma", '{\n  "id": "b1"\n  "wifi": {}\n}', "3:3", "unexpected '\"', expected ',' or '}'"],
    ["comment", '{\n  // the board\n  "id": "b1"\n}', "2:3", "comments are not allowed in JSON"],
    ["single quotes", "{ 'id': 1 }", "1:3", "unexpected \"'\", expected a property name in double quotes (JSON strings use double quotes)"],
    ["bare key", "{ id: 1 }", "1:3", "property names need double quotes"],
    ["truncated", '{\n  "relays": [\n', "3:1", "unexpected end of file, expected a value"],
    ["empty file", "", "1:1", "unexpected end of file, expected a value"],
    ["unterminated string", '{ "id": "b1 }', "1:9", "unterminated string"],
    ["leading zero", '{ "n": 01 }', "1:8", "malformed number"],
    ["two documents", "{}\n{}", "2:1", "unexpected '{' after the end of the document"],
  ])("invalid JSON: %s, with line and column", (_name, text, at, reason) => {
    const p = file(text);
    expect(problemsOf(() => loadBoard(p, ENV))).toEqual([`${p}:${at}: not valid JSON: ${reason}`]);
  });

  it("a key written twice", () => {
    const p = file('{\n  "id": "b1",\n  "wifi": { "ssid": "n" },\n  "mqtt": { "host": "h", "port": 1, "port": 2 },\n  "id": "b2"\n}');
    expect(problemsOf(() => loadBoard(p, ENV))).toEqual([
      "mqtt.port: written twice (lines 4 and 4); JSON keeps only the last",
      "id: written twice (lines 2 and 5); JSON keeps only the last",
    ]);
  });

  it("a byte-order mark is accepted", () => {
    const p = file(`\ufeff${JSON.stringify(minimalBoard())}`);
    expect(loadBoard(p, ENV).config.id).toBe("b1");
  });
});

describe("many problems at once", () => {
  it("reports every problem, schema and semantic, one per line", () => {
    const b = minimalBoard();
    b.relays[0].colour = "red";
    b.relays[1].pin = "D34";
    b.relays[1].activeLow = "yes";
    b.sensors[0].type = "thermo";
    b.sensors[1].pin = "D26";
    b.sensors[2].pin = "D25";
    b.topics = { relaySet: "{prefix}/cmd" };
    b.mqtt.port = 0;
    const out = run(b, { MQTT_PASSWORD: "x" });
    if (out.ok) return expect.fail("loaded");
    const expected = [
      "wifi.password: $WIFI_PASSWORD is not set in the environment",
      "mqtt.port: must be at least 1",
      "relays[0].colour: unknown property",
      "relays[1].activeLow: must be true or false",
      'sensors[0].type: unknown sensor type "thermo" (digital, analog, counter, ds18b20, dht22)',
      "relays[1].pin: D34 is input-only on ESP32",
      "sensors[1].pin: D26 is already used by relays[0]",
      "sensors[2].pin: D25 is on ADC2, which cannot be read while WiFi is on; use an ADC1 pin (D32-D39)",
      "topics.relaySet: must contain {name}, else commands for different relays collide",
    ];
    expect([...out.problems].sort()).toEqual([...expected].sort());
    expect(out.error.message.split("\n")).toEqual(out.problems);
    for (const line of out.problems) expect(line).toMatch(/^[\w.[\]"]+: \S/);
  });
});
