// Home Assistant's birth message: when HA (re)starts it publishes "online" on <discovery prefix>/status
// (QoS 0, not retained: mqtt/const.py DEFAULT_BIRTH). Its sensor states are gone then (they are QoS 0 and
// not retained), so the board announces every config and state again: the configs first, then the
// sensors and the telemetry (the diagnostics) once the configs are out.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig } from "./harness";
import { inEveryMode } from "../support/natives";

const BIRTH = "homeassistant/status";

function topics(h: Harness): string[] {
  return h.take().map((p) => `q${p.qos}${p.retain ? " retain" : ""} ${p.topic}`);
}

inEveryMode("Home Assistant's birth message read", () => {
  it("online: the configs and relay states again, then every sensor state and the telemetry, with no error", () => {
    const h = new Harness();
    h.pins.levels.D4 = false; // door closed -> 1
    h.boot();
    h.send(BIRTH, "online", { qos: 0 });
    expect(topics(h)).toEqual([
      "q1 retain devices/esp32-01/status",
      "q1 retain devices/esp32-01/relay/pump/state",
      "q1 retain devices/esp32-01/relay/fan/state",
      "q0 retain homeassistant/device/esp32-01/config",
    ]);
    h.run(100);
    const after = h.take();
    expect(after.map((p) => `${p.topic}=${p.topic.endsWith("telemetry") ? "{...}" : p.payload}`)).toEqual([
      "devices/esp32-01/sensor/door/state=1",
      "devices/esp32-01/sensor/light/state=0.0",
      "devices/esp32-01/sensor/water/state=0.00",
      "devices/esp32-01/telemetry={...}",
    ]);
    expect(JSON.parse(after[3].payload)).toMatchObject({ rssi: -61, ip: "192.168.1.23" });
    expect(h.events.filter((e) => e.startsWith("refused"))).toEqual([]);
    expect(h.log.lines.some((l) => l.message === "home assistant online")).toBe(true);
  });

  it("the states wait for the configs when the in-flight window is full", () => {
    const h = new Harness().boot();
    h.autoAck = false;
    h.send(BIRTH, "online", { qos: 0 });
    h.run(300);
    // Status and both states fill three of four slots; the config follows at once (QoS 0); states next tick.
    const out = topics(h);
    const config = out.indexOf("q0 retain homeassistant/device/esp32-01/config");
    const door = out.indexOf("q0 devices/esp32-01/sensor/door/state");
    expect(config).toBeGreaterThanOrEqual(0);
    expect(door).toBeGreaterThan(config);
  });

  it("a retained online (what a broker hands over at subscribe time), offline, or another payload: nothing", () => {
    const h = new Harness().boot();
    h.send(BIRTH, "online", { qos: 0, retain: true });
    h.send(BIRTH, "offline", { qos: 0 });
    h.send(BIRTH, "ONLINE", { qos: 1 });
    h.send(BIRTH, "", { qos: 0 });
    h.run(200);
    expect(h.take()).toEqual([]);
    expect(h.events.filter((e) => e.startsWith("refused"))).toEqual([]);
  });

  it("relays are untouched and commands work as before and after", () => {
    const h = new Harness().boot();
    h.command("fan", "ON");
    h.send(BIRTH, "online", { qos: 0 });
    expect(h.pins.levels.D27).toBe(true);
    h.command("fan", "OFF");
    expect(h.pins.levels.D27).toBe(false);
  });

  it("another discovery prefix: its own status topic", () => {
    const h = new Harness(boardConfig({ discovery: { enabled: true, prefix: "ha/disc", mode: "device" } })).boot();
    h.send("ha/disc/status", "online", { qos: 0 });
    expect(topics(h)).toContain("q0 retain ha/disc/device/esp32-01/config");
    h.send(BIRTH, "online", { qos: 0 });
    expect(h.events.filter((e) => e.startsWith("refused"))).toHaveLength(1); // not ours: an unknown topic
  });
});

describe("without discovery", () => {
  it("the birth topic is not subscribed, and nothing is announced for it", () => {
    const h = new Harness(boardConfig({ discovery: { enabled: false, prefix: "homeassistant", mode: "device" } })).boot();
    expect(h.sent.filter((p) => p.type === "SUBSCRIBE").flatMap((p) => p.filters.map((f: any) => f.filter))).not.toContain(BIRTH);
  });
});

describe("without discovery, a topic no relay has", () => {
  it("is refused as an unknown relay, whatever it is called", () => {
    const h = new Harness(boardConfig({ discovery: { enabled: false, prefix: "homeassistant", mode: "device" } })).boot();
    h.command("status", "online");
    expect(h.events.filter((e) => e.startsWith("refused"))).toHaveLength(1);
  });
});
