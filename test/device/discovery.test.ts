// Home Assistant discovery, held against Home Assistant's rules written down as data (sim/board/ha-rules.ts,
// applied by test/support/ha-validate.ts): every message the board can send on a discovery topic, for
// boards of every shape, in both forms and through every hand-over (migration, rollback, removals). Then
// what each config says: collision-free topics and ids, the device and origin blocks, device classes,
// diagnostics, units as UTF-8 bytes, and the size a device config may have without sizing any buffer.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor, FIRMWARE } from "./harness";
import type { DeviceConfig } from "../../firmware/device/config";
import { LEDGER_KEY, DIAGNOSTIC_NAMES } from "../../firmware/device/ha-constants";

const DIAGNOSTIC_KEYS = DIAGNOSTIC_NAMES.split(",");
import { checkDiscovery, type Checked } from "../support/ha-validate";
import { loadBoard } from "../../sim/board/load";

const PREFIX = "homeassistant";
const DEVICE_TOPIC = "homeassistant/device/esp32-01/config";

interface Sent {
  topic: string;
  qos: number;
  retain: boolean;
  bytes: Uint8Array;
  checked: Checked;
}

/** Every discovery message the board sent since the last take, checked as Home Assistant reads it. */
function discovery(h: Harness, prefix = PREFIX): Sent[] {
  return h.takeRaw().filter((p) => p.topic.startsWith(prefix + "/") && p.topic !== prefix + "/status")
    .map((p) => ({ topic: p.topic, qos: p.qos, retain: p.retain, bytes: p.bytes, checked: checkDiscovery(prefix, p.topic, p.bytes) }));
}

/** A board connected once with `stored` as the ledger in Storage (null: none, as after relaymq 0.1.0). */
function boot(config: DeviceConfig, stored: string | null = null): Harness {
  return new Harness(config, (h) => {
    if (stored !== null) h.storage.data[LEDGER_KEY] = stored;
  }).start().connect();
}

/** The ledger a board with this config leaves behind once its configs went out. */
function ledgerOf(config: DeviceConfig): string {
  return boot(config).storage.data[LEDGER_KEY];
}

const withMode = (c: DeviceConfig, mode: "device" | "entity"): DeviceConfig => ({ ...c, discovery: { ...c.discovery, mode } });
const repoBoard = (): DeviceConfig => loadBoard("board.json", { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" }).config;

// Boards of every shape the firmware supports, and every hand-over between what they published.
const base = boardConfig();
const classy = boardConfig({
  relays: [relay("heater", "D26", { deviceClass: "outlet" }), relay("gate", "D27", { pulseMs: 500, deviceClass: "identify" })],
  sensors: [
    sensor("door", "digital", "D4", { deviceClass: "door" }),
    sensor("temp", "analog", "D34", { scale: 50, unit: "\xc2\xb0C", decimals: 1, deviceClass: "temperature" }),
    sensor("water", "counter", "D5", { scale: 0.001, unit: "m\xc2\xb3", decimals: 3, deviceClass: "water" }),
    sensor("gas", "counter", "D13", { scale: 0.01, unit: "m\xc2\xb3", decimals: 2, deviceClass: "gas" }),
  ],
});
const fewer = { ...base, relays: base.relays.slice(0, 1) };
const pulsed = { ...base, relays: [base.relays[0], { ...base.relays[1], pulseMs: 300 }] };
const CASES: [string, DeviceConfig, () => string | null][] = [
  ["device form, first boot over 0.1.0", base, () => null],
  ["device form, steady", base, () => ledgerOf(base)],
  ["entity form, first boot over 0.1.0", withMode(base, "entity"), () => null],
  ["device classes, units, a pulse relay (button)", classy, () => null],
  ["the repository's board.json", repoBoard(), () => null],
  ["a relay removed (device form)", fewer, () => ledgerOf(base)],
  ["a relay removed (entity form)", withMode(fewer, "entity"), () => ledgerOf(withMode(base, "entity"))],
  ["migration entity -> device", base, () => ledgerOf(withMode(base, "entity"))],
  ["rollback device -> entity, one relay gone", withMode(fewer, "entity"), () => ledgerOf(base)],
  ["a relay became a pulse relay (switch -> button)", pulsed, () => ledgerOf(base)],
  ["discovery turned off", { ...base, discovery: { ...base.discovery, enabled: false } }, () => ledgerOf(base)],
  ["the board renamed", { ...base, id: "esp32-02", mqtt: { ...base.mqtt, clientId: "esp32-02" },
    topics: { ...base.topics, prefix: "devices/esp32-02" } }, () => ledgerOf(base)],
];

describe("every discovery message holds against Home Assistant's rules", () => {
  it.each(CASES)("%s", (_, config, stored) => {
    const h = boot(config, stored());
    const sent = discovery(h);
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.checked.problems, m.topic).toEqual([]);
      expect(m.retain, m.topic).toBe(true);
      // Configs go out at QoS 0 from their own bytes; hand-over messages at QoS 1.
      expect(m.qos, m.topic).toBe(m.checked.kind === "config" ? 0 : 1);
    }
    // No two entities share a discovery id or a unique id (an interim device config repeats the last one).
    const last = new Map<string, Checked>();
    for (const m of sent) if (m.checked.kind === "config") last.set(m.topic, m.checked);
    const entities = [...last.values()].flatMap((c) => c.entities);
    expect(new Set(entities.map((e) => e.platform + " " + e.discoveryId)).size).toBe(entities.length);
    expect(new Set(entities.map((e) => e.config.unique_id)).size).toBe(entities.length);
    h.checkWrites();
  });
});

describe("what the device config says", () => {
  const h = boot(base);
  const [config] = discovery(h).filter((m) => m.topic === DEVICE_TOPIC);
  const entities = new Map(config.checked.entities.map((e) => [e.discoveryId, e]));

  it("one entity per relay, input and diagnostic, under node esp32-01, each on its own platform", () => {
    expect([...entities.values()].map((e) => [e.discoveryId, e.platform])).toEqual([
      ["esp32-01 pump", "switch"], ["esp32-01 fan", "switch"], ["esp32-01 door", "binary_sensor"],
      ["esp32-01 light", "sensor"], ["esp32-01 water", "sensor"],
      ...DIAGNOSTIC_KEYS.map((k) => ["esp32-01 " + k, "sensor"]),
    ]);
  });

  it("the topics are the ones the board uses, and a command through them switches the relay", () => {
    const pump = entities.get("esp32-01 pump")!.config;
    expect(pump).toMatchObject({
      command_topic: "devices/esp32-01/relay/pump/set", state_topic: "devices/esp32-01/relay/pump/state", qos: 1,
      availability_topic: "devices/esp32-01/status", unique_id: "esp32-01:pump", name: "pump",
    });
    expect(entities.get("esp32-01 door")!.config).toMatchObject({ state_topic: "devices/esp32-01/sensor/door/state", payload_on: "1", payload_off: "0" });
    const fan = entities.get("esp32-01 fan")!.config;
    h.send(fan.command_topic, "ON"); // payload_on's default
    expect(h.pins.levels.D27).toBe(true);
    expect(h.take().find((p) => p.topic === fan.state_topic)!.payload).toBe("ON"); // state_on's default
  });

  it("a namespaced device identifier, the board's MAC, its firmware version, and the origin", () => {
    const dev = entities.get("esp32-01 pump")!.config.device;
    expect(dev).toEqual({
      identifiers: ["relaymq:esp32-01"], connections: [["mac", "24:0a:c4:12:34:56"]], name: "esp32-01",
      manufacturer: "relaymq", model: "ESP32 (Espruino)", sw_version: FIRMWARE.version,
    });
    expect(entities.get("esp32-01 pump")!.config.origin).toEqual({ name: "relaymq", sw_version: FIRMWARE.version, support_url: FIRMWARE.supportUrl });
  });

  it("sensors: state class (a counter is total_increasing), unit, display precision from decimals", () => {
    expect(entities.get("esp32-01 light")!.config).toMatchObject({ unit_of_measurement: "%", state_class: "measurement", suggested_display_precision: 1 });
    expect(entities.get("esp32-01 water")!.config).toMatchObject({ unit_of_measurement: "L", state_class: "total_increasing", suggested_display_precision: 2 });
  });

  it("diagnostics read the telemetry, expire after 2.5 periods, and their templates find a value in it", () => {
    h.run(60_000);
    const telemetry = JSON.parse(h.take().find((p) => p.topic === "devices/esp32-01/telemetry")!.payload);
    for (const key of DIAGNOSTIC_KEYS) {
      const c = entities.get("esp32-01 " + key)!.config;
      expect(c).toMatchObject({ state_topic: "devices/esp32-01/telemetry", entity_category: "diagnostic", expire_after: 150 });
      const path = /^\{\{value_json\.([\w.]+)\}\}$/.exec(c.value_template)![1];
      const value = path.split(".").reduce((o: any, k) => o[k], telemetry);
      expect(value, key).not.toBeUndefined();
    }
    expect(entities.get("esp32-01 wifi_rssi")!.config).toMatchObject({ device_class: "signal_strength", unit_of_measurement: "dBm" });
  });

  it("collision-free: id a_b with relay c and id a with relay b_c get different topics and unique ids", () => {
    for (const mode of ["device", "entity"] as const) {
      const one = (id: string, name: string) => {
        const c = withMode(boardConfig({ id, topics: { ...base.topics, prefix: "devices/" + id }, relays: [relay(name, "D26")], sensors: [] }), mode);
        return discovery(boot(c)).filter((m) => m.checked.kind === "config")
          .flatMap((m) => m.checked.entities.filter((e) => e.platform === "switch").map((e) => [m.topic, e.discoveryId, e.config.unique_id]));
      };
      const [a] = one("a_b", "c");
      const [b] = one("a", "b_c");
      for (let i = 0; i < 3; i++) expect(a[i], mode).not.toBe(b[i]);
    }
  });
});

describe("device classes and units", () => {
  const h = boot(classy);
  const sent = discovery(h);
  const [config] = sent.filter((m) => m.topic === DEVICE_TOPIC);
  const byId = new Map(config.checked.entities.map((e) => [e.discoveryId, e]));

  it("reach Home Assistant: outlet, door, temperature in °C, water and gas in m³ (Energy dashboard)", () => {
    expect(byId.get("esp32-01 heater")!.config.device_class).toBe("outlet");
    expect(byId.get("esp32-01 door")!.config.device_class).toBe("door");
    expect(byId.get("esp32-01 temp")!.config).toMatchObject({ device_class: "temperature", unit_of_measurement: "°C", state_class: "measurement" });
    expect(byId.get("esp32-01 water")!.config).toMatchObject({ device_class: "water", unit_of_measurement: "m³", state_class: "total_increasing" });
    expect(byId.get("esp32-01 gas")!.config).toMatchObject({ device_class: "gas", unit_of_measurement: "m³" });
  });

  it("units leave the board as exact UTF-8 bytes, not as JSON escapes", () => {
    const raw = Buffer.from(config.bytes);
    expect(raw.includes(Buffer.from('"unit_of_meas":"\u00b0C"', "utf8"))).toBe(true);
    expect(raw.includes(Buffer.from('"m\u00b3"', "utf8"))).toBe(true);
    expect(raw.toString("latin1")).not.toMatch(/\\u00/);
  });

  it("a pulse relay is a button that presses with ON, and pressing it pulses the relay", () => {
    const gate = byId.get("esp32-01 gate")!;
    expect(gate.platform).toBe("button");
    expect(gate.config).toMatchObject({ command_topic: "devices/esp32-01/relay/gate/set", payload_press: "ON", device_class: "identify" });
    expect(gate.config.state_topic).toBeUndefined();
    h.send(gate.config.command_topic, gate.config.payload_press);
    expect(h.pins.levels.D27).toBe(true);
    h.run(500);
    expect(h.pins.levels.D27).toBe(false);
  });

  it("a unit that is not UTF-8 bytes (text handed to the firmware unencoded) stops the device at start-up", () => {
    const bad = boardConfig({ sensors: [sensor("t", "analog", "D34", { unit: "\u00b0C" })] });
    expect(() => new Harness(bad)).toThrow(/sensor t: unit is not UTF-8 bytes/);
    const wide = boardConfig({ sensors: [sensor("t", "analog", "D34", { unit: "\u03bcs" })] });
    expect(() => new Harness(wide)).toThrow(/unit is not UTF-8 bytes/);
  });
});

describe("one device message, abbreviated, that sizes no buffer", () => {
  it("replaces one config per entity, and is written from its own bytes: no TX buffer or in-flight slot holds it", () => {
    const board = repoBoard();
    const device = boot(board);
    const [config] = discovery(device).filter((m) => m.checked.kind === "config");
    const perEntity = discovery(boot(withMode(board, "entity"))).filter((m) => m.checked.kind === "config");
    const perEntityBytes = perEntity.reduce((n, m) => n + m.bytes.length, 0);
    // The relays, sensors, diagnostics, and the console's restart button.
    expect(perEntity.length).toBe(board.relays.length + board.sensors.length + DIAGNOSTIC_KEYS.length + 1);
    // One message for all thirteen entities, about half the bytes of thirteen.
    expect(config.bytes.length).toBeLessThan(perEntityBytes * 0.5);
    // The TX buffer is sized by the largest document the board formats (telemetry, or the console's status
    // document), the in-flight slots by the QoS 1 messages (status, states).
    const client = device.device.client;
    expect((client as any).tx.length).toBeLessThan(config.bytes.length / 2);
    expect(client.inflight.slotBytes).toBeLessThan(100);
    const qos1 = device.sent.filter((p) => p.type === "PUBLISH" && p.qos === 1);
    expect(qos1.length).toBeGreaterThan(0);
    // Each fits its slot: fixed header (2), topic length (2), packet id (2).
    for (const p of qos1) expect(6 + p.topic.length + p.payloadBytes.length).toBeLessThanOrEqual(client.inflight.slotBytes);
  });
});

describe("edges", () => {
  const analog = (unit: string) => boardConfig({ sensors: [sensor("t", "analog", "D34", { unit })] });
  const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  const units: [string, string, boolean][] = [
    ["ASCII", "kWh", true],
    ["two bytes (°C)", bytes("°C"), true],
    ["three bytes (BTU/(h⋅ft²))", bytes("BTU/(h\u22c5ft\u00b2)"), true],
    ["four bytes", bytes("\u{1F321}"), true],
    ["a lone continuation byte", "\x80C", false],
    ["an overlong lead byte", "\xc0\x80", false],
    ["cut short", "\xe2\x8b", false],
    ["a byte no UTF-8 has", "\xff", false],
    ["NUL", "a\x00", false],
  ];
  it.each(units)("a unit of %s: %s", (_, unit, ok) => {
    if (!ok) {
      expect(() => new Harness(analog(unit))).toThrow(/unit is not UTF-8 bytes/);
      return;
    }
    const [config] = discovery(boot(analog(unit))).filter((m) => m.checked.kind === "config");
    expect(config.checked.problems).toEqual([]);
    const t = config.checked.entities.find((e) => e.discoveryId.endsWith(" t"))!;
    expect(Buffer.from(t.config.unit_of_measurement, "utf8").toString("latin1")).toBe(unit);
  });

  it("a unit with a quote, a backslash or control characters stays valid JSON, escaped", () => {
    const unit = "in\"\\\x01\x1f";
    const [config] = discovery(boot(analog(unit))).filter((m) => m.checked.kind === "config");
    expect(config.checked.problems).toEqual([]);
    expect(config.checked.entities.find((e) => e.discoveryId.endsWith(" t"))!.config.unit_of_measurement).toBe(unit);
    expect(Buffer.from(config.bytes).toString("latin1")).toContain('"in\\"\\\\\\u0001\\u001f"');
  });

  it("a ledger this firmware did not write, or lines it cannot read, count as none", () => {
    for (const stored of ["garbage", "relaymq-ha 2\nd x", "relaymq-ha 1\n\nx y\nd\nd homeassistant/device/esp32-01/config pump nocolon :x"]) {
      const sent = discovery(boot(base, stored));
      expect(sent[0].topic).toBe(DEVICE_TOPIC);
      const removals = sent.flatMap((m) => m.checked.removals);
      // Not a ledger: the board assumes relaymq 0.1.0 before it and removes those configs.
      if (!stored.startsWith("relaymq-ha 1")) expect(removals).toHaveLength(5);
      else expect(removals).toEqual([]);
    }
  });

  it("back to one config per entity with every entity still there: no interim config", () => {
    const sent = discovery(boot(withMode(base, "entity"), ledgerOf(base)));
    expect(sent[0]).toMatchObject({ topic: DEVICE_TOPIC, qos: 1 });
    expect(sent[0].checked.kind).toBe("migrate");
  });

  it("a discovery prefix longer than anything else: the TX buffer still takes the config's header", () => {
    const prefix = "p".repeat(40) + "/" + "q".repeat(600);
    const h = boot(boardConfig({ discovery: { enabled: true, prefix, mode: "device" } }), "relaymq-ha 1\n");
    const [config] = discovery(h, prefix);
    expect(config.topic).toBe(prefix + "/device/esp32-01/config");
    expect(config.checked.problems).toEqual([]);
    h.checkWrites();
  });

  it("a config whose payload write is refused: logged, and the link goes down to come back", () => {
    const h = boot(base, ledgerOf(base));
    const write = h.transport.write.bind(h.transport);
    h.transport.write = (buf, off, len) => (len > 1000 ? false : write(buf, off, len));
    h.send("homeassistant/status", "online", { qos: 0 });
    expect(h.log.lines.some((l) => l.message === "publish")).toBe(true);
    expect(h.device.isConnected()).toBe(false);
  });
});
