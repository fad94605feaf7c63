// Sensors: digital inputs (pull, invert, debounce passed to the Pins seam, edges), analog inputs
// (period, scale, decimals, delta), pulse counters (edge, debounce, scale, report rate).
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, sensor } from "./harness";
import { COUNTER_REPORT_MS } from "../../firmware/device/sensors";

const DOOR = "devices/esp32-01/sensor/door/state";
const LIGHT = "devices/esp32-01/sensor/light/state";
const WATER = "devices/esp32-01/sensor/water/state";

function reports(h: Harness, topic: string): string[] {
  return h.take().filter((p) => {
    if (p.topic !== topic) return false;
    expect(p.qos).toBe(0);
    expect(p.retain).toBe(false);
    return true;
  }).map((p) => p.payload);
}

describe("digital inputs", () => {
  it("modes from pull, watches on both edges with the configured debounce", () => {
    const h = new Harness(boardConfig({
      relays: [],
      sensors: [
        sensor("a", "digital", "D4", { pull: "up", debounceMs: 50 }),
        sensor("b", "digital", "D16", { pull: "down", debounceMs: 0 }),
        sensor("c", "digital", "D17", { pull: "none", debounceMs: 20 }),
      ],
    })).start();
    expect(h.pins.modes).toEqual({ D4: "input_pullup", D16: "input_pulldown", D17: "input" });
    expect([...h.pins.watches.values()].map((w) => [w.pin, w.edge, w.debounceMs])).toEqual([
      ["D4", "both", 50], ["D16", "both", 0], ["D17", "both", 20],
    ]);
  });

  it("reports the initial state after connect, then each change (invert applied)", () => {
    const h = new Harness(); // door: pull-up, inverted, 50 ms debounce
    h.start();
    expect(h.device.sensors.value[0]).toBe(0); // pulled up = released = 0 when inverted
    h.connect();
    expect(reports(h, DOOR)).toEqual(["0"]);
    h.pins.set("D4", false);
    h.timers.advance(50);
    expect(reports(h, DOOR)).toEqual(["1"]);
    h.pins.set("D4", true);
    h.timers.advance(50);
    expect(reports(h, DOOR)).toEqual(["0"]);
    expect(h.events.filter((e) => e.startsWith("sensor 0"))).toEqual(["sensor 0 1", "sensor 0 0"]);
  });

  it("a bounce shorter than debounceMs reports nothing (Espruino's setWatch semantics in the fake)", () => {
    const h = new Harness().boot();
    h.pins.set("D4", false);
    h.timers.advance(20);
    h.pins.set("D4", true);
    h.timers.advance(20);
    h.pins.set("D4", false);
    h.timers.advance(49);
    expect(reports(h, DOOR)).toEqual([]);
    h.timers.advance(1);
    expect(reports(h, DOOR)).toEqual(["1"]);
  });

  it("a repeated level from the watch is not a change", () => {
    const h = new Harness().boot();
    const w = h.pins.watchesOn("D4")[0];
    w.fn(true, 0); // released again: the value is already 0
    expect(reports(h, DOOR)).toEqual([]);
    w.fn(false, 0);
    w.fn(false, 0);
    expect(reports(h, DOOR)).toEqual(["1"]);
  });

  it("without invert the level is the value; changes while offline are reported after connect", () => {
    const h = new Harness(boardConfig({ relays: [], sensors: [sensor("door", "digital", "D4")] })).start();
    h.pins.set("D4", true);
    expect(h.take()).toEqual([]);
    h.connect();
    expect(reports(h, DOOR)).toEqual(["1"]);
  });
});

describe("analog inputs", () => {
  it("sampled every periodMs, scaled, rounded to decimals, reported when moved by more than delta", () => {
    const h = new Harness(); // light: D34, scale 100, delta 2, 1000 ms, 1 decimal
    h.pins.setAnalog("D34", 0.4253);
    h.boot();
    const reads = h.pins.analogReads;
    h.run(999);
    expect(h.pins.analogReads).toBe(reads);
    h.run(1);
    expect(h.pins.analogReads).toBe(reads + 1);
    h.run(5000);
    expect(h.pins.analogReads).toBe(reads + 6);
    expect(reports(h, LIGHT)).toEqual([]);
    h.pins.setAnalog("D34", 0.445); // 44.5: moved exactly 2, not more
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual([]);
    h.pins.setAnalog("D34", 0.446); // 44.6: moved 2.1 > 2
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual(["44.6"]);
    h.pins.setAnalog("D34", 0.466); // 46.6: exactly 2 (46.6 - 44.6 > 2 in doubles: steps are compared)
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual([]);
    h.pins.setAnalog("D34", 0.46649); // 46.6 again after rounding
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual([]);
    h.pins.setAnalog("D34", 0.467); // 46.7: 2.1 from the last report
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual(["46.7"]);
    h.pins.setAnalog("D34", 0.2); // down
    h.run(1000);
    expect(reports(h, LIGHT)).toEqual(["20.0"]);
  });

  it("reported once after connect with its decimals; onSensor for every changed sample", () => {
    const h = new Harness(boardConfig({
      relays: [],
      sensors: [sensor("t", "analog", "D35", { scale: 3.3, decimals: 3, delta: 0, periodMs: 200 })],
    }));
    h.pins.setAnalog("D35", 0.5);
    h.start().connect();
    expect(reports(h, "devices/esp32-01/sensor/t/state")).toEqual(["1.650"]);
    h.pins.setAnalog("D35", 0.25);
    h.run(200);
    expect(reports(h, "devices/esp32-01/sensor/t/state")).toEqual(["0.825"]);
    h.run(1000);
    expect(reports(h, "devices/esp32-01/sensor/t/state")).toEqual([]); // delta 0: any change, none here
    expect(h.events.filter((e) => e.startsWith("sensor"))).toEqual(["sensor 0 0.825"]);
  });
});

describe("pulse counters", () => {
  it("watch on the configured edge with debounce; value = pulses * scale with decimals", () => {
    const h = new Harness().start(); // water: D5 falling, debounce 5, scale 0.5, 2 decimals
    expect(h.pins.watchesOn("D5").map((w) => [w.edge, w.debounceMs])).toEqual([["falling", 5]]);
    h.connect();
    expect(reports(h, WATER)).toEqual(["0.00"]);
    h.pins.pulse("D5", 3, 10); // three falling edges
    expect(h.device.sensors.pulses[2]).toBe(3);
    expect(h.device.sensors.value[2]).toBe(1.5);
    h.run(1000);
    expect(reports(h, WATER)).toEqual(["1.50"]);
  });

  it(`reports at most once per ${COUNTER_REPORT_MS} ms, and only when the count moved`, () => {
    const h = new Harness().boot();
    h.run(5000);
    expect(reports(h, WATER)).toEqual([]);
    h.pins.pulse("D5", 1, 10);
    h.run(100);
    expect(reports(h, WATER)).toEqual(["0.50"]);
    const t = h.clock.t;
    // A fast meter: a pulse every 20 ms for 3 s, the device ticking every 100 ms meanwhile.
    const out: [number, string][] = [];
    for (let i = 0; i < 150; i++) {
      h.pins.set("D5", true);
      h.run(10);
      h.pins.set("D5", false);
      h.run(10);
      for (const p of reports(h, WATER)) out.push([h.clock.t - t, p]);
    }
    expect(h.device.sensors.pulses[2]).toBe(151);
    expect(out.length).toBe(3);
    for (let i = 1; i < out.length; i++) expect(out[i][0] - out[i - 1][0]).toBeGreaterThanOrEqual(COUNTER_REPORT_MS);
    h.run(2000);
    const last = reports(h, WATER);
    expect(last).toEqual([(h.device.sensors.pulses[2] * 0.5).toFixed(2)]);
  });

  it("a bounce shorter than the debounce does not count", () => {
    const h = new Harness().boot();
    h.pins.set("D5", true);
    h.timers.advance(10);
    h.pins.set("D5", false);
    h.timers.advance(2);
    h.pins.set("D5", true); // bounce
    h.timers.advance(2);
    h.pins.set("D5", false);
    h.timers.advance(10);
    expect(h.device.sensors.pulses[2]).toBe(1);
  });

  it("rising and both edges", () => {
    const h = new Harness(boardConfig({
      relays: [],
      sensors: [sensor("r", "counter", "D18", { edge: "rising" }), sensor("b", "counter", "D19", { edge: "both" })],
    })).start();
    h.pins.pulse("D18", 4, 10);
    h.pins.pulse("D19", 4, 10);
    expect(Array.from(h.device.sensors.pulses)).toEqual([4, 8]);
  });

  it("counts survive a broker outage (not a reboot) and are reported after reconnect", () => {
    const h = new Harness().boot();
    h.transport.remoteClose();
    h.pins.pulse("D5", 7, 10);
    h.reconnect();
    expect(reports(h, WATER)).toEqual(["3.50"]);
  });
});

describe("stop", () => {
  it("removes every watch", () => {
    const h = new Harness().boot();
    expect(h.pins.watches.size).toBe(2);
    h.device.stop();
    expect(h.pins.watches.size).toBe(0);
  });
});
