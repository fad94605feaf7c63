// The build shortens property names that only the firmware's own classes use. A name that anything
// outside the bundle sees (Espruino's API, the board config, Home Assistant's discovery JSON, the seams)
// must never be among them.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as acorn from "acorn";
import { mangleablePattern } from "../../sim/build/mangle";
import { bundleBoard } from "../../sim/build/bundle";
import { loadBoard } from "../../sim/board/load";
import { discoveryPlan } from "../../firmware/device/discovery";
import { topicNames } from "../../firmware/device/topics";

// The names written after a dot anywhere in a bundle.
function propertiesOf(src: string): Set<string> {
  const out = new Set<string>();
  let dot = false;
  for (const t of acorn.tokenizer(src, { ecmaVersion: 5 })) {
    if (dot && t.type.label === "name") out.add(src.slice(t.start, t.end));
    dot = t.type.label === ".";
  }
  return out;
}

// A device config's components are keyed by the board's relay and sensor names: data, not names the code
// reads as properties, so they are not collected (their contents are).
function keysOf(v: unknown, out: Set<string>, data = false): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (!data) out.add(k);
      keysOf(x, out, k === "cmps");
    }
  }
  return out;
}

const board = () => loadBoard("board.json", { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" }).config;

// Adds to `keys` every key of the discovery payloads `config` makes in both forms, each with a ledger that
// makes it hand over from the other (interim configs, removals). -> keys.
function discoveryKeys(config: ReturnType<typeof board>, keys: Set<string>): Set<string> {
  const firmware = { version: "1.0.0", supportUrl: "https://example.org/relaymq" };
  for (const mode of ["device", "entity"] as const) {
    const other = discoveryPlan({ ...config, discovery: { ...config.discovery, mode: mode === "device" ? "entity" : "device" } },
      topicNames(config), firmware, "24:0a:c4:00:00:01", null).ledger;
    const c = { ...config, relays: config.relays.slice(1), discovery: { ...config.discovery, mode } };
    for (const m of discoveryPlan(c, topicNames(c), firmware, "24:0a:c4:00:00:01", other).messages) {
      if (m.payload !== "") keysOf(JSON.parse(m.payload), keys);
    }
  }
  return keys;
}

describe("mangleable property names", () => {
  const re = mangleablePattern();

  it("covers the engine's and the device's own fields and methods", () => {
    // "config" and "key" are read on a command's path (Device, Relays): an interface member of the same
    // name elsewhere would keep them long.
    for (const n of ["pingOutstanding", "decoder", "drainOffline", "relaySlot0", "outbox", "config", "key"]) {
      expect(re.test(n), n).toBe(true);
    }
  });

  it("leaves out every name of Espruino's API the firmware declares", () => {
    // Its code, without comments and string literal types (event names are not properties).
    const dts = readFileSync("firmware/espruino/espruino.d.ts", "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$|"[^"]*"/gm, "");
    for (const n of new Set(dts.match(/[A-Za-z_$][\w$]*/g))) expect(re.test(n), n).toBe(false);
  });

  it("leaves out every key of a resolved board config and of the discovery payloads", () => {
    const config = board();
    const keys = discoveryKeys(config, keysOf(config, new Set()));
    for (const k of keys) expect(re.test(k), k).toBe(false);
  });

  it("leaves out the seams' members and JavaScript's built-ins", () => {
    for (const n of ["open", "write", "close", "onOpen", "onData", "onClose", "now", "log", "mode", "read", "watch",
      "every", "after", "cancel", "copy", "text", "set", "subarray", "indexOf", "length", "test", "substr"]) {
      expect(re.test(n), n).toBe(false);
    }
  });
});

describe("mangleable property names in a sealed bundle (the board's firmware)", () => {
  const re = mangleablePattern(true);

  it("adds the seams' members and the board config's keys: the bundle holds every reader of them", () => {
    for (const n of ["onData", "writeAck", "onClose", "sensorChanged", "connectTimeoutMs", "periodSec", "acceptRetained",
      "keepAlive", "relays", "sensors", "topics", "statusLed"]) {
      expect(re.test(n), n).toBe(true);
    }
  });

  it.each([
    ["Espruino's API", ["write", "on", "connect", "setOptions", "host", "port", "repeat", "edge", "debounce", "password", "ssid", "usage", "free"]],
    ["the members of JavaScript's globals, whatever the firmware names alike (an option called random: Math.random)", ["random", "max", "floor", "stringify", "fromCharCode", "isArray"]],
    ["the Espruino binding's types: what a socket's error holds, what the WiFi module answers", ["code", "message", "ip", "mac", "rssi"]],
    ["keys of a dictionary literal: command words are data", ["ON", "OFF", "TOGGLE"]],
    ["keys of Home Assistant's discovery payloads", ["uniq_id", "cmd_t", "stat_t", "avty", "dev", "ids", "val_tpl"]],
  ])("keeps %s", (_what, names) => {
    for (const n of names) expect(re.test(n), n).toBe(false);
  });

  it("leaves out every key of the discovery payloads", () => {
    const keys = discoveryKeys(board(), new Set());
    expect(keys.size).toBeGreaterThan(10);
    for (const k of keys) expect(re.test(k), k).toBe(false);
  });

  it("the board's bundle embeds its config with the short keys its code reads, and calls the built-ins by name", async () => {
    const config = board();
    const src = await bundleBoard(config);
    const props = propertiesOf(src);
    for (const n of ["connectTimeoutMs", "periodSec", "acceptRetained", "relaySet", "onData", "writeAck"]) {
      expect(src.includes(n), n).toBe(false);
    }
    // The config's values are there, under keys its code reads.
    expect(src).toContain(JSON.stringify(config.topics.relaySet));
    for (const n of ["random", "max", "floor", "toString", "fromCharCode", "memory", "connect"]) expect(props.has(n), n).toBe(true);
    // The literals handed to Espruino's modules keep the keys those read.
    for (const s of ["connect({host:", "setOptions({mode:", "{repeat:!0,edge:", "{password:"]) expect(src, s).toContain(s);
  });
});
