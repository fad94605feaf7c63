// board.schema.json and the loader agree: every schema property is read by the loader and lands in the
// DeviceConfig under the same name; the schema's defaults are the loader's; its enums are config.ts's types.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import type { DeviceConfig, RelayConfig, SensorConfig } from "../../firmware/device/config";
import { BOARD_SCHEMA, sensorTypesUsing, validateSchema } from "../../sim/board/schema";
import { ENV, broken, minimalBoard, run } from "./helpers";

const FULL = {
  $schema: "./board.schema.json",
  id: "full",
  wifi: { ssid: "net", password: "$WIFI_PASSWORD" },
  mqtt: {
    host: "h.lan", port: 8884, tls: true, clientId: "cid", username: "u", password: "$MQTT_PASSWORD",
    keepAlive: 45, cleanSession: false,
  },
  topics: {
    prefix: "p/{id}", status: "{prefix}/st", relaySet: "{prefix}/r/{name}/s", relayState: "{prefix}/r/{name}/g",
    sensorState: "{prefix}/s/{name}", telemetry: "{prefix}/t", error: "{prefix}/e", command: "{prefix}/c/{name}",
    info: "{prefix}/i",
  },
  telemetry: { periodSec: 5 },
  relays: [
    { name: "a", pin: "D16", activeLow: true, powerOn: "restore", failsafe: { state: "on", afterSec: 9 }, pulseMs: 300, interlock: "g", deviceClass: "identify" },
    { name: "b", pin: "D17", interlock: "g" },
  ],
  sensors: [
    { name: "d", type: "digital", pin: "D18", pull: "down", invert: true, debounceMs: 7, deviceClass: "door" },
    { name: "an", type: "analog", pin: "D33", scale: 3.3, unit: "V", delta: 0.2, periodMs: 250, decimals: 3, deviceClass: "voltage" },
    { name: "c", type: "counter", pin: "D19", pull: "none", debounceMs: 0, scale: 0.25, unit: "L", edge: "both", decimals: 4 },
    { name: "t", type: "ds18b20", pin: "D23", rom: "28FF4C1A0B160445", periodSec: 30, delta: 0.5, decimals: 2 },
    { name: "h", type: "dht22", pin: "D25", measure: "humidity", periodSec: 10, delta: 1, decimals: 0 },
  ],
  buttons: [
    { name: "k", pin: "D21", relay: "a", action: "momentary", activeLow: false, pull: "none", debounceMs: 20, holdMs: 3000, holdAction: "restart" },
  ],
  statusLed: { pin: "D22", activeLow: true, connected: "off" },
  console: { telnet: true },
  discovery: { enabled: false, prefix: "ha", mode: "device" },
  commands: { acceptRetained: true, maxPayload: 32, console: false },
};

const FULL_CONFIG: DeviceConfig = {
  id: "full",
  wifi: { ssid: "net", password: ENV.WIFI_PASSWORD },
  mqtt: {
    host: "h.lan", port: 8884, tls: true, clientId: "cid", username: "u", password: ENV.MQTT_PASSWORD,
    keepAlive: 45, cleanSession: false,
  },
  topics: {
    prefix: "p/full", status: "p/full/st", relaySet: "p/full/r/{name}/s", relayState: "p/full/r/{name}/g",
    sensorState: "p/full/s/{name}", telemetry: "p/full/t", error: "p/full/e", command: "p/full/c/{name}", info: "p/full/i",
  },
  telemetry: { periodSec: 5 },
  relays: [
    { name: "a", pin: "D16", activeLow: true, powerOn: "restore", failsafe: { state: "on", afterSec: 9 }, pulseMs: 300, interlock: "g", deviceClass: "identify" },
    { name: "b", pin: "D17", activeLow: false, powerOn: "off", failsafe: null, pulseMs: 0, interlock: "g", deviceClass: null },
  ],
  sensors: [
    { name: "d", type: "digital", pin: "D18", pull: "down", invert: true, debounceMs: 7, scale: 1, unit: "", delta: 0, periodMs: 0, edge: "both", decimals: 0, deviceClass: "door" },
    { name: "an", type: "analog", pin: "D33", pull: "none", invert: false, debounceMs: 0, scale: 3.3, unit: "V", delta: 0.2, periodMs: 250, edge: "both", decimals: 3, deviceClass: "voltage" },
    { name: "c", type: "counter", pin: "D19", pull: "none", invert: false, debounceMs: 0, scale: 0.25, unit: "L", delta: 0, periodMs: 0, edge: "both", decimals: 4, deviceClass: null },
    // Units as the firmware carries them: their UTF-8 bytes ("\xc2\xb0C" is "°C").
    { name: "t", type: "ds18b20", pin: "D23", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "\xc2\xb0C", delta: 0.5, periodMs: 30000, edge: "both", decimals: 2, deviceClass: "temperature", rom: "28ff4c1a0b160445" },
    { name: "h", type: "dht22", pin: "D25", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "%", delta: 1, periodMs: 10000, edge: "both", decimals: 0, deviceClass: "humidity", measure: "humidity" },
  ],
  buttons: [
    { name: "k", pin: "D21", relay: "a", action: "momentary", activeLow: false, pull: "none", debounceMs: 20, holdMs: 3000, holdAction: "restart" },
  ],
  statusLed: { pin: "D22", activeLow: true, connected: "off" },
  console: { telnet: true },
  discovery: { enabled: false, prefix: "ha", mode: "device" },
  commands: { acceptRetained: true, maxPayload: 32, console: false },
};

/** A schema node with its $ref followed (siblings such as description kept). */
function deref(node: any): any {
  if (!node.$ref) return node;
  const target = node.$ref.replace("#/definitions/", "");
  return { ...deref(BOARD_SCHEMA.definitions[target]), ...node, $ref: undefined };
}
const props = (node: any): Record<string, any> => deref(node).properties;
const root = props(BOARD_SCHEMA);
const relaySchema = props(root.relays.items);
const sensorSchema = props(root.sensors.items);
const sorted = (keys: Iterable<string>) => [...keys].sort();

describe("board.schema.json", () => {
  it("compiles in ajv's strict mode and accepts the repo's board.json and a board using every property", () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    const validate = ajv.compile(BOARD_SCHEMA);
    const repo = JSON.parse(readFileSync(new URL("../../board.json", import.meta.url), "utf8"));
    expect(validate(repo), JSON.stringify(validate.errors)).toBe(true);
    expect(validateSchema(FULL)).toEqual([]);
  });

  it("describes every property, for editors", () => {
    const missing: string[] = [];
    const walk = (node: any, path: string) => {
      const n = deref(node);
      if (n.properties) {
        for (const [k, v] of Object.entries<any>(n.properties)) {
          if (!deref(v).description) missing.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
      }
      if (n.items) walk(n.items, `${path}[]`);
    };
    walk(BOARD_SCHEMA, "");
    expect(missing).toEqual([]);
  });

  it("FULL sets every property the schema has (so the next tests cover them all)", () => {
    const unset: string[] = [];
    const walk = (node: any, values: any[], path: string) => {
      const n = deref(node);
      if (n.properties) {
        for (const [k, v] of Object.entries<any>(n.properties)) {
          const present = values.filter((x) => x && typeof x === "object" && k in x).map((x) => x[k]);
          if (present.length === 0) unset.push(`${path}.${k}`);
          walk(v, present, `${path}.${k}`);
        }
      }
      if (n.items) walk(n.items, values.flat(), `${path}[]`);
    };
    walk(BOARD_SCHEMA, [FULL], "");
    expect(unset).toEqual([]);
  });
});

describe("schema and loader agree", () => {
  const full = run(FULL);
  const config = full.ok ? full.loaded.config : (null as never);

  it("every property of FULL reaches the config", () => {
    if (!full.ok) return expect.fail(full.problems.join("\n"));
    // Its one warning: the telnet console it turns on.
    expect(full.warnings.map((w) => w.split(":")[0])).toEqual(["console.telnet"]);
    expect(config).toEqual(FULL_CONFIG);
  });

  it.each([
    ["(root)", () => sorted(Object.keys(root).filter((k) => k !== "$schema")), () => sorted(Object.keys(config))],
    ["wifi", () => sorted(Object.keys(props(root.wifi))), () => sorted(Object.keys(config.wifi))],
    ["mqtt", () => sorted(Object.keys(props(root.mqtt))), () => sorted(Object.keys(config.mqtt))],
    ["topics", () => sorted(Object.keys(props(root.topics))), () => sorted(Object.keys(config.topics))],
    ["telemetry", () => sorted(Object.keys(props(root.telemetry))), () => sorted(Object.keys(config.telemetry))],
    ["discovery", () => sorted(Object.keys(props(root.discovery))), () => sorted(Object.keys(config.discovery))],
    ["commands", () => sorted(Object.keys(props(root.commands))), () => sorted(Object.keys(config.commands))],
    ["relay", () => sorted(Object.keys(relaySchema)), () => sorted(Object.keys(config.relays[0]))],
    ["failsafe", () => sorted(Object.keys(relaySchema.failsafe.properties)), () => sorted(Object.keys(config.relays[0].failsafe!))],
    ["button", () => sorted(Object.keys(props(root.buttons.items))), () => sorted(Object.keys(config.buttons![0]))],
    ["statusLed", () => sorted(Object.keys(props(root.statusLed))), () => sorted(Object.keys(config.statusLed!))],
    ["console", () => sorted(Object.keys(props(root.console))), () => sorted(Object.keys(config.console!))],
    // periodSec is periodMs in the config; rom and measure are there only for the types they apply to.
    ...(["digital", "analog", "counter", "ds18b20", "dht22"] as const).map((t) => [
      `sensor (${t})`,
      () => sorted(Object.keys(sensorSchema).filter((k) => k !== "periodSec" && ((k !== "rom" && k !== "measure") || sensorTypesUsing(k).includes(t)))),
      () => sorted(Object.keys(config.sensors.find((s) => s.type === t)!)),
    ] as [string, () => string[], () => string[]]),
  ])("%s: the schema's properties are the config's keys", (_name, schemaKeys, configKeys) => {
    expect(configKeys()).toEqual(schemaKeys());
  });

  // Each enum in the schema against config.ts's union: the arrays are checked against the types by tsc.
  type Covers<U, A extends readonly U[]> = Exclude<U, A[number]> extends never ? A : never;
  const POWER_ON = ["off", "on", "restore"] as const satisfies Covers<RelayConfig["powerOn"], readonly ["off", "on", "restore"]>;
  const SAFE = ["off", "on"] as const satisfies Covers<NonNullable<RelayConfig["failsafe"]>["state"], readonly ["off", "on"]>;
  const TYPES = ["digital", "analog", "counter", "ds18b20", "dht22"] as const satisfies Covers<SensorConfig["type"], readonly ["digital", "analog", "counter", "ds18b20", "dht22"]>;
  const PULLS = ["up", "down", "none"] as const satisfies Covers<SensorConfig["pull"], readonly ["up", "down", "none"]>;
  const EDGES = ["rising", "falling", "both"] as const satisfies Covers<SensorConfig["edge"], readonly ["rising", "falling", "both"]>;
  it.each([
    ["powerOn", relaySchema.powerOn.enum, POWER_ON],
    ["failsafe.state", relaySchema.failsafe.properties.state.enum, SAFE],
    ["type", sensorSchema.type.enum, TYPES],
    ["pull", sensorSchema.pull.enum, PULLS],
    ["edge", sensorSchema.edge.enum, EDGES],
  ])("enum %s matches config.ts", (_name, schemaEnum, typeValues) => {
    expect(sorted(schemaEnum)).toEqual(sorted(typeValues));
  });

  it("every \"default\" in the schema is what the loader fills in", () => {
    const out = run(broken((b) => {
      b.relays[0].failsafe = { afterSec: 5 };
      delete b.wifi.password;
      delete b.mqtt.username;
      delete b.mqtt.password;
    }));
    if (!out.ok) return expect.fail(out.problems.join("\n"));
    const c = out.loaded.config as any;
    const expand = (t: string) => t.replace("{prefix}", c.topics.prefix).replace("{id}", c.id);
    const checked: string[] = [];
    const check = (path: string, schema: any, actual: unknown) => {
      const s = deref(schema);
      if (!("default" in s)) return;
      checked.push(path);
      expect(actual, path).toEqual(typeof s.default === "string" && path.startsWith("topics.") ? expand(s.default) : s.default);
    };
    for (const section of ["wifi", "mqtt", "topics", "telemetry", "discovery", "commands"]) {
      for (const [k, v] of Object.entries(props(root[section]))) check(`${section}.${k}`, v, c[section][k]);
    }
    for (const [k, v] of Object.entries(relaySchema)) check(`relays[].${k}`, v, k === "failsafe" ? c.relays[1][k] : c.relays[0][k]);
    check("relays[].failsafe.state", relaySchema.failsafe.properties.state, c.relays[0].failsafe.state);
    for (const [k, v] of Object.entries(sensorSchema)) {
      const type = sensorTypesUsing(k)[0];
      if (type === "ds18b20" || type === "dht22") continue; // below, on a board that has them
      check(`sensors[].${k} (${type})`, v, c.sensors.find((s: SensorConfig) => s.type === type)[k]);
    }
    const bus = run(broken((b) => { b.sensors = [{ name: "t", type: "ds18b20", pin: "D23" }, { name: "h", type: "dht22", pin: "D25" }]; }));
    if (!bus.ok) return expect.fail(bus.problems.join("\n"));
    check("sensors[].measure (dht22)", sensorSchema.measure, bus.loaded.config.sensors[1].measure);
    check("sensors[].periodSec (ds18b20)", sensorSchema.periodSec, bus.loaded.config.sensors[0].periodMs / 1000);
    const none = run(broken((b) => { delete b.relays; delete b.sensors; }));
    if (!none.ok) return expect.fail(none.problems.join("\n"));
    check("relays", root.relays, none.loaded.config.relays);
    check("sensors", root.sensors, none.loaded.config.sensors);
    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  // For every sensor type, each property the schema allows is read by the loader for that type.
  const SAMPLE: Record<string, unknown> = {
    pull: "down", invert: true, debounceMs: 7, scale: 2.5, unit: "x", delta: 0.3, periodMs: 250, edge: "both", decimals: 4,
    deviceClass: "door",
  };
  const PIN = { digital: "D18", analog: "D33", counter: "D19" };
  it.each((["digital", "analog", "counter"] as const).flatMap((type) => Object.keys(SAMPLE)
    .filter((p) => sensorTypesUsing(p).includes(type)).map((p) => [type, p] as const)))(
    "a %s sensor's %s reaches the config",
    (type, prop) => {
      const b = minimalBoard();
      b.sensors = [{ name: "x", type, pin: PIN[type], [prop]: SAMPLE[prop] }];
      // Without Home Assistant, a device class is not checked against the sensor's type.
      b.discovery = { enabled: false };
      const out = run(b);
      if (!out.ok) return expect.fail(out.problems.join("\n"));
      expect((out.loaded.config.sensors[0] as any)[prop]).toEqual(SAMPLE[prop]);
    },
  );

  // The same for the sensors read over a bus (periodSec lands as periodMs).
  const BUS_SAMPLE: Record<string, [unknown, string, unknown]> = {
    delta: [0.3, "delta", 0.3], decimals: [2, "decimals", 2], periodSec: [5, "periodMs", 5000],
    rom: ["28FF4C1A0B160445", "rom", "28ff4c1a0b160445"], measure: ["humidity", "measure", "humidity"],
  };
  const BUS_PIN = { ds18b20: "D23", dht22: "D25" };
  it.each((["ds18b20", "dht22"] as const).flatMap((type) => Object.keys(BUS_SAMPLE)
    .filter((p) => sensorTypesUsing(p).includes(type)).map((p) => [type, p] as const)))(
    "a %s sensor's %s reaches the config",
    (type, prop) => {
      const b = minimalBoard();
      const [given, key, want] = BUS_SAMPLE[prop];
      b.sensors = [{ name: "x", type, pin: BUS_PIN[type], [prop]: given }];
      const out = run(b);
      if (!out.ok) return expect.fail(out.problems.join("\n"));
      expect((out.loaded.config.sensors[0] as any)[key]).toEqual(want);
    },
  );

  it("the schema's sensor properties are all either name/type/pin or in SAMPLE or BUS_SAMPLE", () => {
    expect(sorted(Object.keys(sensorSchema))).toEqual(sorted(["name", "type", "pin", ...Object.keys(SAMPLE), "rom", "measure", "periodSec"]));
  });
});
