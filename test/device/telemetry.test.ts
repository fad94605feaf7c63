// The periodic telemetry document: when it goes out, and what it holds (parsed with JSON.parse).
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor } from "./harness";

const TOPIC = "devices/esp32-01/telemetry";

function telemetry(h: Harness): any[] {
  return h.take().filter((p) => p.topic === TOPIC).map((p) => {
    expect(p.qos).toBe(0);
    expect(p.retain).toBe(false);
    return JSON.parse(p.payload);
  });
}

describe("telemetry", () => {
  it("every periodSec, with uptime, free memory, WiFi signal and address, relays, sensors and MQTT counters", () => {
    const h = new Harness();
    h.pins.setAnalog("D34", 0.4253);
    h.pins.levels.D4 = false; // door pressed (inverted)
    h.boot();
    h.command("pump", "ON");
    h.pins.pulse("D5", 5, 10);
    h.system.free = 4242;
    h.run(59_000);
    expect(telemetry(h)).toEqual([]);
    h.run(1000);
    const [t] = telemetry(h);
    const s = h.device.client.stats;
    expect(t).toEqual({
      uptime: 60,
      free: 4242,
      rssi: -61,
      ip: "192.168.1.23",
      relays: { pump: "ON", fan: "OFF" },
      sensors: { door: 1, light: 42.5, water: 2.5 },
      mqtt: {
        connects: 1, reconnects: 0, dropped: s.dropped, errors: s.errors, msgsIn: 1,
        msgsOut: s.messagesOut - 1, // counted before this message was sent
      },
    });
    h.run(60_000);
    expect(telemetry(h).map((x) => x.uptime)).toEqual([120]);
  });

  it("goes out whole from its own buffer after a header from the TX buffer, which is sized for no report", () => {
    const h = new Harness().boot();
    const tx = (h.device.client as unknown as { tx: Uint8Array }).tx.length;
    expect(tx).toBeLessThan(h.device.telemetry.buf.length);
    h.run(60_000);
    const sent = h.takeRaw().filter((p) => p.topic === TOPIC);
    expect(sent).toHaveLength(1);
    expect(sent[0].bytes.length).toBeGreaterThan(tx);
    expect(JSON.parse(sent[0].payload)).toMatchObject({ uptime: 60, relays: { pump: "OFF", fan: "OFF" } });
  });

  it("decimals show in the text; names are JSON-escaped", () => {
    const h = new Harness(boardConfig({
      relays: [relay("a \"quoted\" relay", "D12")],
      sensors: [sensor("w\u00e4rme", "analog", "D35", { scale: 10, decimals: 2 })],
      telemetry: { periodSec: 5 },
    }));
    h.pins.setAnalog("D35", 0.1234);
    h.boot();
    h.run(5000);
    const p = h.take().find((x) => x.topic === TOPIC)!;
    expect(p.payload).toContain("\"w\u00e4rme\":1.23}");
    expect(JSON.parse(p.payload).relays).toEqual({ "a \"quoted\" relay": "OFF" });
  });

  it("counts reconnects and keeps its rhythm while offline (nothing sent then)", () => {
    const h = new Harness(boardConfig({ telemetry: { periodSec: 10 } })).boot();
    h.transport.remoteClose();
    h.run(10_000);
    expect(telemetry(h)).toEqual([]);
    h.reconnect();
    h.runUntil(() => h.transport.sent.some((p) => p.type === "PUBLISH" && p.topic === TOPIC && h.device.client.stats.reconnects === 1));
    const all = telemetry(h);
    expect(all.at(-1).mqtt).toMatchObject({ connects: 2, reconnects: 1 });
  });

  // What the System seam reports about the station, as Home Assistant's diagnostic entities read it.
  const stations: [string, number, string, unknown, string][] = [
    ["joined", -72, "10.0.0.7", -72, "10.0.0.7"],
    ["signal unknown (not joined)", NaN, "", null, ""],
    ["an address longer than IPv4 is cut", -40, "fe80:0000:0000:0000:0202:b3ff:fe1e:8329", -40, "fe80:0000:0000:"],
  ];
  it.each(stations)("rssi and ip: %s", (_, rssi, ip, wantRssi, wantIp) => {
    const h = new Harness(boardConfig({ telemetry: { periodSec: 1 } }));
    h.system.signal = rssi;
    h.system.address = ip;
    h.boot();
    h.run(1000);
    const [t] = telemetry(h);
    expect([t.rssi, t.ip]).toEqual([wantRssi, wantIp]);
  });

  it("empty boards give empty objects", () => {
    const h = new Harness(boardConfig({ relays: [], sensors: [], telemetry: { periodSec: 1 } })).boot();
    h.run(1000);
    const [t] = telemetry(h);
    expect(t.relays).toEqual({});
    expect(t.sensors).toEqual({});
  });

  it("periodSec 0 turns telemetry off", () => {
    const h = new Harness(boardConfig({ telemetry: { periodSec: 0 } })).boot();
    h.run(600_000);
    expect(telemetry(h)).toEqual([]);
  });
});
