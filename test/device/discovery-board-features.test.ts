// Home Assistant discovery of the board features, held against Home Assistant's rules as data
// (test/support/ha-validate.ts) as main's discovery tests hold the rest: DS18B20 and DHT22 values as
// temperature and humidity sensors whose entity is unavailable while the sensor does not answer, and the
// console's restart as a button; in both forms, through the hand-overs the ledger makes (a sensor or the
// console gone), and with the board's other entities still inheriting the board's availability.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor } from "./harness";
import type { DeviceConfig, SensorConfig } from "../../firmware/device/config";
import { LEDGER_KEY } from "../../firmware/device/ha-constants";
import { BusSensors } from "../../sim/hardware/bus-sensors";
import { VirtualBuses } from "../../sim/platform/virtual-buses";
import { checkDiscovery, type Checked, type EntityConfig } from "../support/ha-validate";

const PREFIX = "homeassistant";
const DEVICE_TOPIC = "homeassistant/device/esp32-01/config";
const STATUS = "devices/esp32-01/status";
const state = (name: string) => `devices/esp32-01/sensor/${name}/state`;

const ds = (name: string, rom: string): SensorConfig =>
  sensor(name, "ds18b20", "D14", { unit: "\xc2\xb0C", deviceClass: "temperature", decimals: 1, periodMs: 10_000, rom });
const dht = (name: string, measure: "temperature" | "humidity"): SensorConfig =>
  sensor(name, "dht22", "D16", { unit: measure === "humidity" ? "%" : "\xc2\xb0C", deviceClass: measure, decimals: 1, periodMs: 10_000, measure });

const features = boardConfig({
  relays: [relay("pump", "D26", { activeLow: true })],
  sensors: [
    sensor("door", "digital", "D4", { pull: "up", debounceMs: 50 }),
    ds("tank", "28ff4c1a0b160445"), ds("pipe", "28aa01b2c3d4e5d4"), dht("room_t", "temperature"), dht("room_rh", "humidity"),
  ],
  commands: { acceptRetained: false, maxPayload: 16, console: true },
});
const withMode = (c: DeviceConfig, mode: "device" | "entity"): DeviceConfig => ({ ...c, discovery: { ...c.discovery, mode } });
const without = (c: DeviceConfig, name: string): DeviceConfig => ({ ...c, sensors: c.sensors.filter((s) => s.name !== name) });
const noConsole = (c: DeviceConfig): DeviceConfig => ({ ...c, commands: { ...c.commands, console: false } });

interface Board {
  h: Harness;
  models: BusSensors;
}

/** A board with its bus models, connected once with `stored` as the ledger in Storage (null: none). */
function boot(config: DeviceConfig, stored: string | null = null): Board {
  const models = new BusSensors(config);
  const h = new Harness(config, (x) => {
    x.buses = new VirtualBuses(models, x.timers);
    if (stored !== null) x.storage.data[LEDGER_KEY] = stored;
  }).start().connect();
  return { h, models };
}

const ledgerOf = (config: DeviceConfig): string => boot(config).h.storage.data[LEDGER_KEY];

/** Every discovery message sent since the last take, checked as Home Assistant reads it. */
function discovery(h: Harness): { topic: string; qos: number; checked: Checked; bytes: Uint8Array }[] {
  return h.takeRaw().filter((p) => p.topic.startsWith(PREFIX + "/") && p.topic !== PREFIX + "/status")
    .map((p) => ({ topic: p.topic, qos: p.qos, bytes: p.bytes, checked: checkDiscovery(PREFIX, p.topic, p.bytes) }));
}

/** The entities the last config on each topic makes, by object id. */
function entities(h: Harness): Map<string, EntityConfig> {
  const last = new Map<string, Checked>();
  for (const m of discovery(h)) if (m.checked.kind === "config") last.set(m.topic, m.checked);
  return new Map([...last.values()].flatMap((c) => c.entities).map((e) => [e.discoveryId.split(" ")[1], e]));
}

/**
 * What Home Assistant renders from the two templates the board sends, `{{A if value==B else C}}` and
 * `{{A if value!=B else C}}` (A and C a quoted word, `value` or None): enough Jinja for these and no more.
 */
function render(template: string, value: string): string {
  const m = /^\{\{(.+) if value(==|!=)'([^']*)' else (.+)\}\}$/.exec(template);
  if (!m) throw new Error(`not a template this test reads: ${template}`);
  const term = (t: string) => (t === "value" ? value : t === "None" ? "None" : /^'([^']*)'$/.exec(t)![1]);
  return (m[2] === "==") === (value === m[3]) ? term(m[1]) : term(m[4]);
}

const CASES: [string, DeviceConfig, () => string | null][] = [
  ["device form, first boot", features, () => null],
  ["entity form, first boot", withMode(features, "entity"), () => null],
  ["device form, steady", features, () => ledgerOf(features)],
  ["a DS18B20 removed (device form)", without(features, "pipe"), () => ledgerOf(features)],
  ["a DHT22 value removed (entity form)", withMode(without(features, "room_rh"), "entity"), () => ledgerOf(withMode(features, "entity"))],
  ["the console turned off (device form)", noConsole(features), () => ledgerOf(features)],
  ["the console turned off (entity form)", withMode(noConsole(features), "entity"), () => ledgerOf(withMode(features, "entity"))],
  ["migration entity -> device", features, () => ledgerOf(withMode(features, "entity"))],
  ["rollback device -> entity, a sensor gone", withMode(without(features, "tank"), "entity"), () => ledgerOf(features)],
];

describe("discovery of the board features holds against Home Assistant's rules", () => {
  it.each(CASES)("%s", (_, config, stored) => {
    const { h } = boot(config, stored());
    const sent = discovery(h);
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.checked.problems, m.topic).toEqual([]);
      expect(m.qos, m.topic).toBe(m.checked.kind === "config" ? 0 : 1);
    }
    h.checkWrites();
  });

  it.each([
    ["a DS18B20", without(features, "pipe"), "pipe", "sensor"],
    ["the console's restart", noConsole(features), "restart", "button"],
  ] as const)("%s gone from board.json: the ledger removes its entity, in both forms", (_, after, key, platform) => {
    for (const mode of ["device", "entity"] as const) {
      const { h } = boot(withMode(after, mode), ledgerOf(withMode(features, mode)));
      const sent = discovery(h);
      expect(sent.flatMap((m) => m.checked.removals), mode).toContainEqual({ platform, discoveryId: `esp32-01 ${key}` });
      expect(h.storage.data[LEDGER_KEY], mode).not.toContain(key + ":");
      expect(h.storage.data[LEDGER_KEY], mode).not.toContain(`/${key}/`);
    }
  });
});

describe.each(["device", "entity"] as const)("what the %s form says of the board features", (mode) => {
  const { h, models } = boot(withMode(features, mode));
  const byKey = entities(h);

  it("DS18B20 and DHT22: temperature in °C and humidity in %, measurement, the board's decimals", () => {
    for (const key of ["tank", "pipe", "room_t"]) {
      expect(byKey.get(key)!.platform).toBe("sensor");
      expect(byKey.get(key)!.config).toMatchObject({
        device_class: "temperature", unit_of_measurement: "°C", state_class: "measurement", suggested_display_precision: 1,
        state_topic: state(key),
      });
    }
    expect(byKey.get("room_rh")!.config).toMatchObject({ device_class: "humidity", unit_of_measurement: "%", state_class: "measurement" });
  });

  it("a bus sensor is available while the board is online and its state topic carries a reading", () => {
    const tank = byKey.get("tank")!.config;
    expect(tank.availability_topic).toBeUndefined();
    expect(tank.availability_mode).toBe("all");
    expect(tank.availability.map((a: { topic: string }) => a.topic)).toEqual([STATUS, state("tank")]);
    const own = tank.availability[1];
    // What the board publishes, rendered as Home Assistant renders the templates.
    h.run(20_000);
    const reading = h.take().find((p) => p.topic === state("tank"))!.payload;
    expect(Number.isFinite(Number(reading))).toBe(true);
    expect(render(own.value_template, reading)).toBe("online");
    expect(render(tank.value_template, reading)).toBe(reading);
    models.setCondition(1, "missing");
    h.run(20_000);
    const gone = h.take().filter((p) => p.topic === state("tank")).map((p) => p.payload);
    expect(gone).toEqual(["unavailable"]);
    expect(render(own.value_template, "unavailable")).toBe("offline");
    // Never a reading: Home Assistant's "None" is no state.
    expect(render(tank.value_template, "unavailable")).toBe("None");
    models.setCondition(1, "ok");
  });

  it("the other entities keep the board's availability alone", () => {
    for (const key of ["pump", "door", "uptime", "restart"]) {
      const c = byKey.get(key)!.config;
      const topics = c.availability ? c.availability.map((a: { topic: string }) => a.topic) : [c.availability_topic];
      expect(topics, key).toEqual([STATUS]);
      expect(c.availability_mode, key).toBeUndefined();
    }
  });

  it("the console's restart is a button (restart class, config category) whose press restarts the board cleanly", () => {
    const restart = byKey.get("restart")!;
    expect(restart.platform).toBe("button");
    expect(restart.config).toMatchObject({
      name: "Restart", unique_id: "esp32-01:restart", command_topic: "devices/esp32-01/cmd/restart", device_class: "restart",
      entity_category: "config", qos: 1,
    });
    // payload_press is Home Assistant's default.
    h.send(restart.config.command_topic, "PRESS");
    h.run(100);
    expect(h.takeBrief().some((x) => x.includes("status=offline"))).toBe(true);
    expect(h.system.reboots).toBe(1);
  });
});

describe("a board without bus sensors or console", () => {
  it("keeps the device config's shared availability_topic (no list where none is needed) and has no restart button", () => {
    const plain = boardConfig();
    const h = new Harness(plain).start().connect();
    const [config] = discovery(h).filter((m) => m.topic === DEVICE_TOPIC);
    const json = JSON.parse(Buffer.from(config.bytes).toString("utf8"));
    expect(json.avty_t).toBe(STATUS);
    expect(json.avty).toBeUndefined();
    expect(Object.keys(json.cmps)).not.toContain("restart");
  });
});
