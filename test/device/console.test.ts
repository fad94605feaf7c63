// Console commands over MQTT on <prefix>/cmd/<name>: status answers with one JSON document on
// <prefix>/info, restart is clean (offline, DISCONNECT, then the reboot), telemetry <sec> sets the period
// and keeps it in Storage, PULSE <ms> on a relay's set topic is a timed pulse; anything else is refused
// on <prefix>/error, retained commands too. Both ways the runtime hands over topics: as strings
// (Espruino) and as bytes (V8).
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor, subscribeFilters, FIRMWARE } from "./harness";
import { TELEMETRY_KEY } from "../../firmware/device/device";
import { inEveryMode } from "../support/natives";

const CMD = "devices/esp32-01/cmd/";
const INFO = "devices/esp32-01/info";
const ERROR = "devices/esp32-01/error";

function board(over: Parameters<typeof boardConfig>[0] = {}): Harness {
  const h = new Harness(boardConfig({
    relays: [relay("pump", "D26", { activeLow: true }), relay("valve1", "D27", { interlock: "v" }), relay("valve2", "D25", { interlock: "v" })],
    sensors: [sensor("door", "digital", "D4", { pull: "up" }), sensor("light", "analog", "D34", { scale: 100, decimals: 1 })],
    commands: { acceptRetained: false, maxPayload: 16, console: true },
    discovery: { enabled: false, prefix: "homeassistant", mode: "device" },
    ...over,
  }));
  h.device.networkUp();
  return h;
}

const published = (h: Harness, topic: string) => h.take().filter((p) => p.topic === topic).map((p) => p.payload);

inEveryMode("console commands, topics", () => {
  it("subscribes to <prefix>/cmd/+ beside the relays' filter", () => {
    const h = board().boot();
    expect(subscribeFilters(h)).toEqual(["devices/esp32-01/relay/+/set", "devices/esp32-01/cmd/+"]);
  });

  it("status: one JSON document on <prefix>/info with every field", () => {
    const h = board({ telemetry: { periodSec: 30 } });
    h.pins.analogs.D34 = 0.425;
    h.boot();
    h.command("pump", "ON");
    h.command("pump", "NOPE");
    h.take();
    h.run(5000);
    h.system.free = 4321;
    h.send(CMD + "status", "");
    const [doc] = published(h, INFO);
    const s = JSON.parse(doc);
    expect(Object.keys(s)).toEqual([
      "uptime", "free", "rssi", "ip", "relays", "sensors", "mqtt", "version", "linkError", "telemetrySec", "lastError",
    ]);
    expect(s).toMatchObject({
      version: FIRMWARE.version, uptime: 5, free: 4321, rssi: -61, ip: "192.168.1.23",
      relays: { pump: "ON", valve1: "OFF", valve2: "OFF" }, sensors: { door: 1, light: 42.5 }, telemetrySec: 30, linkError: 0,
      lastError: { topic: "devices/esp32-01/relay/pump/set", reason: "unknown payload", payload: "NOPE" },
    });
    expect(Object.keys(s.mqtt)).toEqual(["connects", "reconnects", "dropped", "errors", "msgsIn", "msgsOut"]);
    expect(s.mqtt.connects).toBe(1);
  });

  it("status: WiFi's figures as the System seam gives them (rssi null when unknown), lastError null before any error", () => {
    const h = board();
    h.system.signal = NaN;
    h.system.address = "10.0.0.7";
    h.boot();
    h.send(CMD + "status", "");
    const s = JSON.parse(published(h, INFO)[0]);
    expect(s).toMatchObject({ rssi: null, ip: "10.0.0.7", lastError: null });
  });

  it("restart: the command acknowledged first, then offline (retained), DISCONNECT, and the reboot once the link closed", () => {
    const h = board().boot();
    h.send(CMD + "restart", "");
    h.run(100);
    const out = h.takeBrief().map((x) => x.replace(/#\d+ /, ""));
    // PUBACK first: with a persistent session an unacknowledged restart would be delivered again after it.
    expect(out.slice(-3)).toEqual(["PUBACK #77", "PUBLISH q1 retain devices/esp32-01/status=offline", "DISCONNECT"]);
    expect(h.system.reboots).toBe(1);
  });

  it("telemetry <sec>: the new period at once, the status as the answer, kept in Storage for the next boot", () => {
    const h = board().boot();
    h.send(CMD + "telemetry", " 5\n");
    expect(JSON.parse(published(h, INFO)[0]).telemetrySec).toBe(5);
    expect(h.storage.data[TELEMETRY_KEY]).toBe("5");
    h.run(10_000);
    expect(h.take().filter((p) => p.topic.endsWith("/telemetry")).length).toBe(2);
    // The next boot keeps it.
    const again = new Harness(h.config, (x) => Object.assign(x.storage.data, h.storage.data)).boot();
    again.run(5_000);
    expect(again.take().filter((p) => p.topic.endsWith("/telemetry")).length).toBe(1);
    // 0: no telemetry at all.
    h.send(CMD + "telemetry", "0");
    h.take();
    h.run(60_000);
    expect(h.take().filter((p) => p.topic.endsWith("/telemetry"))).toEqual([]);
  });

  it.each([
    ["an unknown command", CMD + "reboot", "", {}, "unknown command"],
    ["telemetry with no number", CMD + "telemetry", "fast", {}, "bad value"],
    ["telemetry over a day", CMD + "telemetry", "86401", {}, "bad value"],
    ["a retained status", CMD + "status", "", { retain: true }, "retained command"],
    ["a retained restart", CMD + "restart", "", { retain: true }, "retained command"],
    ["a long payload", CMD + "status", "x".repeat(40), {}, "payload too long"],
  ] as const)("refuses %s on <prefix>/error, and does nothing", (_what, topic, payload, opts, reason) => {
    const h = board().boot();
    h.send(topic, payload, opts);
    const out = h.take();
    expect(out.filter((p) => p.topic === INFO)).toEqual([]);
    const errors = out.filter((p) => p.topic === ERROR).map((p) => JSON.parse(p.payload));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ topic, reason });
    expect(h.system.reboots).toBe(0);
    expect(h.storage.data[TELEMETRY_KEY]).toBeUndefined();
  });

  it("PULSE <ms> on a relay's set topic: on now (interlock first), off after ms; a pulse of an on relay ends it ms from now", () => {
    const h = board().boot();
    h.command("valve1", "ON");
    h.command("valve2", "pulse 1500");
    expect(Array.from(h.device.relays.on)).toEqual([0, 0, 1]);
    h.run(1400);
    expect(h.device.relays.on[2]).toBe(1);
    h.run(200);
    expect(h.device.relays.on[2]).toBe(0);
    h.command("pump", "ON");
    h.run(5000);
    h.command("pump", "PULSE 300");
    h.run(250);
    expect(h.device.relays.on[0]).toBe(1);
    h.run(100);
    expect(h.device.relays.on[0]).toBe(0);
    expect(h.take().filter((p) => p.topic.includes("/relay/pump/")).map((p) => p.payload)).toEqual(["ON", "ON", "OFF"]);
  });

  it.each([["PULSE", "bad value"], ["PULSE 0", "bad value"], ["PULSE 86400001", "bad value"], ["PULSEX 5", "unknown payload"], ["PULS 5", "unknown payload"]])(
    "refuses %s on a relay",
    (payload, reason) => {
      const h = board().boot();
      h.command("pump", payload);
      expect(h.device.relays.on[0]).toBe(0);
      expect(h.take().filter((p) => p.topic === ERROR).map((p) => JSON.parse(p.payload).reason)).toEqual([reason]);
    },
  );
});

describe("console commands off", () => {
  it("a board with commands.console false subscribes to no console topic and refuses them as unknown relays", () => {
    const h = new Harness(boardConfig({ commands: { acceptRetained: false, maxPayload: 16, console: false } })).boot();
    expect(subscribeFilters(h)).toEqual(["devices/esp32-01/relay/+/set", "homeassistant/status"]);
    expect(h.device.console).toBeNull();
    h.send(CMD + "status", "");
    expect(h.take().map((p) => p.topic)).toEqual([ERROR]);
  });

  it("PULSE <ms>, a console command, is refused as an unknown payload and leaves the relay as it was", () => {
    const h = new Harness(boardConfig({ commands: { acceptRetained: false, maxPayload: 16, console: false } })).boot();
    h.take();
    h.command("pump", "PULSE 300");
    expect(h.device.relays.on[0]).toBe(0);
    expect(h.take().filter((p) => p.topic === ERROR).map((p) => JSON.parse(p.payload).reason)).toEqual(["unknown payload"]);
  });
});
