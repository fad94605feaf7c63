// Home Assistant discovery: one retained config per entity, valid JSON with what Home Assistant's MQTT
// integration requires of each component (its voluptuous schemas: required keys and types), unique_id,
// availability on the status topic, and a device block.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor } from "./harness";

const STATUS = "devices/esp32-01/status";
const DEVICE = { identifiers: ["esp32-01"], name: "esp32-01", manufacturer: "relaymq", model: "ESP32 (Espruino)" };

// What Home Assistant's MQTT platforms require, and the keys each accepts that we use.
const REQUIRED: Record<string, string[]> = {
  switch: ["command_topic"],
  binary_sensor: ["state_topic"],
  sensor: ["state_topic"],
};
const COMMON = ["name", "unique_id", "availability_topic", "payload_available", "payload_not_available", "device"];
const ALLOWED: Record<string, string[]> = {
  switch: [...COMMON, "command_topic", "state_topic", "payload_on", "payload_off", "state_on", "state_off", "retain", "qos"],
  binary_sensor: [...COMMON, "state_topic", "payload_on", "payload_off"],
  sensor: [...COMMON, "state_topic", "unit_of_measurement", "state_class"],
};

function configs(h: Harness, prefix = "homeassistant/"): Map<string, any> {
  const out = new Map<string, any>();
  for (const p of h.take()) {
    if (!p.topic.startsWith(prefix)) continue;
    expect(p.qos).toBe(1);
    expect(p.retain).toBe(true);
    out.set(p.topic, JSON.parse(p.payload));
  }
  return out;
}

describe("Home Assistant discovery", () => {
  it("a switch per relay, binary_sensor per digital input, sensor per analog input and counter", () => {
    const h = new Harness().start().connect();
    const c = configs(h);
    expect([...c.keys()]).toEqual([
      "homeassistant/switch/esp32-01_pump/config",
      "homeassistant/switch/esp32-01_fan/config",
      "homeassistant/binary_sensor/esp32-01_door/config",
      "homeassistant/sensor/esp32-01_light/config",
      "homeassistant/sensor/esp32-01_water/config",
    ]);
    expect(c.get("homeassistant/switch/esp32-01_pump/config")).toEqual({
      name: "pump",
      unique_id: "esp32-01_pump",
      command_topic: "devices/esp32-01/relay/pump/set",
      state_topic: "devices/esp32-01/relay/pump/state",
      payload_on: "ON", payload_off: "OFF", state_on: "ON", state_off: "OFF",
      retain: false, qos: 1,
      availability_topic: STATUS, payload_available: "online", payload_not_available: "offline",
      device: DEVICE,
    });
    expect(c.get("homeassistant/binary_sensor/esp32-01_door/config")).toEqual({
      name: "door", unique_id: "esp32-01_door", state_topic: "devices/esp32-01/sensor/door/state",
      payload_on: "1", payload_off: "0",
      availability_topic: STATUS, payload_available: "online", payload_not_available: "offline", device: DEVICE,
    });
    expect(c.get("homeassistant/sensor/esp32-01_light/config")).toMatchObject({
      unique_id: "esp32-01_light", state_topic: "devices/esp32-01/sensor/light/state", unit_of_measurement: "%",
      state_class: "measurement",
    });
    expect(c.get("homeassistant/sensor/esp32-01_water/config")).toMatchObject({
      unit_of_measurement: "L", state_class: "total_increasing",
    });
  });

  it("every config satisfies Home Assistant's schema for its component", () => {
    const h = new Harness().start().connect();
    const ids = new Set<string>();
    for (const [topic, p] of configs(h)) {
      const m = /^homeassistant\/(switch|binary_sensor|sensor)\/([a-zA-Z0-9_-]+)\/config$/.exec(topic);
      expect(m, topic).not.toBeNull();
      const component = m![1];
      for (const k of REQUIRED[component]) expect(typeof p[k], topic + " " + k).toBe("string");
      for (const k of Object.keys(p)) expect(ALLOWED[component], topic + " " + k).toContain(k);
      expect(p.unique_id).toBe(m![2]);
      expect(ids.has(p.unique_id)).toBe(false);
      ids.add(p.unique_id);
      expect(p.availability_topic).toBe(STATUS);
      expect(p.device.identifiers).toEqual(["esp32-01"]);
      for (const k of ["command_topic", "state_topic", "availability_topic"]) {
        if (k in p) expect(p[k]).not.toMatch(/[+#]/);
      }
    }
    expect(ids.size).toBe(5);
  });

  it("the topics in discovery are the ones the device really uses", () => {
    const h = new Harness().start().connect();
    const c = configs(h);
    const sw = c.get("homeassistant/switch/esp32-01_fan/config");
    h.send(sw.command_topic, sw.payload_on);
    const state = h.take().find((p) => p.topic === sw.state_topic)!;
    expect(state.payload).toBe(sw.state_on);
    expect(h.pins.levels.D27).toBe(true);
  });

  it("no unit: no unit_of_measurement; another prefix; names escaped", () => {
    const h = new Harness(boardConfig({
      relays: [relay("r\"1", "D12")],
      sensors: [sensor("raw", "analog", "D35")],
      discovery: { enabled: true, prefix: "ha" },
    })).start().connect();
    const c = configs(h, "ha/");
    expect([...c.keys()]).toEqual(["ha/switch/esp32-01_r\"1/config", "ha/sensor/esp32-01_raw/config"]);
    expect(c.get("ha/sensor/esp32-01_raw/config").unit_of_measurement).toBeUndefined();
    expect(c.get("ha/switch/esp32-01_r\"1/config").name).toBe("r\"1");
  });
});
