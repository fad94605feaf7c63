// DS18B20s on OneWire and DHT22s, read by the device over the Buses seam (here the simulator's bus
// models on the fake clock): values rounded to their decimals and reported past delta, several DS18B20 on
// one pin told apart by ROM, and a sensor that does not answer or fails its CRC reported "unavailable" on
// its state topic with an entry on <prefix>/error, never with a made-up value.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, sensor } from "./harness";
import type { SensorConfig } from "../../firmware/device/config";
import type { Buses, OneWireBus } from "../../firmware/platform";
import { BusSensors } from "../../sim/hardware/bus-sensors";
import { VirtualBuses } from "../../sim/platform/virtual-buses";
import { CONVERT_MS, crc8 } from "../../firmware/device/thermometers";
import { dallasCrc, romFor } from "../../sim/hardware/onewire-bus";

const ROM_A = "28ff4c1a0b160445";
const ROM_B = "28aa01b2c3d4e5d4";

const ds = (name: string, pin: string, over: Partial<SensorConfig> = {}) =>
  sensor(name, "ds18b20", pin, { unit: "\xc2\xb0C", deviceClass: "temperature", decimals: 1, periodMs: 10_000, delta: 0, rom: null, ...over });
const dht = (name: string, measure: "temperature" | "humidity", over: Partial<SensorConfig> = {}) =>
  sensor(name, "dht22", "D16", {
    unit: measure === "humidity" ? "%" : "\xc2\xb0C", deviceClass: measure, decimals: 1, periodMs: 10_000, delta: 0, measure, ...over,
  });

/** A board with these sensors, its bus models, and the Buses seam over them. */
function board(sensors: SensorConfig[], buses?: (models: BusSensors, h: Harness) => Buses): { h: Harness; models: BusSensors } {
  const config = boardConfig({ relays: [relay("pump", "D26")], sensors, discovery: { enabled: false, prefix: "homeassistant", mode: "device" } });
  const models = new BusSensors(config);
  const h = new Harness(config, (x) => {
    x.buses = buses ? buses(models, x) : new VirtualBuses(models, x.timers);
  });
  return { h, models };
}

const state = (h: Harness, name: string) =>
  h.take().filter((p) => p.topic === `devices/esp32-01/sensor/${name}/state` || p.topic === "devices/esp32-01/error")
    .map((p) => (p.topic.endsWith("/error") ? "error " + p.payload : p.payload));

describe("DS18B20", () => {
  it("one sensor without a ROM: Skip ROM, Convert T, the scratchpad 750 ms later, the value on its state topic", () => {
    const { h, models } = board([ds("tank", "D14")]);
    models.set(0, 23.4375);
    h.boot();
    // The tick at the connect starts the conversion; the first tick after CONVERT_MS reads it.
    h.run(CONVERT_MS);
    expect(state(h, "tank")).toEqual([]);
    h.run(100);
    expect(state(h, "tank")).toEqual(["23.4"]);
    expect(h.device.sensors.value[0]).toBe(23.4);
  });

  it("reports only a change of more than delta, once per period", () => {
    const { h, models } = board([ds("tank", "D14", { delta: 0.5 })]);
    models.set(0, 20);
    h.boot();
    h.run(1000);
    expect(state(h, "tank")).toEqual(["20.0"]);
    models.set(0, 20.4);
    h.run(10_000);
    expect(state(h, "tank")).toEqual([]);
    models.set(0, 20.6);
    h.run(10_000);
    expect(state(h, "tank")).toEqual(["20.6"]);
  });

  it("several on one pin are told apart by ROM; negative temperatures read as the chip sends them", () => {
    const { h, models } = board([ds("a", "D14", { rom: ROM_A }), ds("b", "D14", { rom: ROM_B, decimals: 3 })]);
    models.set(0, -10.125);
    models.set(1, 85.5);
    h.boot();
    h.run(1000);
    const out = h.take().filter((p) => p.topic.startsWith("devices/") && p.topic.includes("/sensor/")).map((p) => p.topic.split("/")[3] + "=" + p.payload);
    expect(out).toEqual(["a=-10.1", "b=85.500"]);
  });

  it("names the ROMs found on each bus in the log, and warns of a configured ROM that is not there", () => {
    const { h, models } = board([ds("a", "D14", { rom: ROM_A }), ds("b", "D14", { rom: ROM_B })]);
    models.setCondition(1, "missing");
    h.start();
    const lines = h.log.lines.map((l) => l.message);
    expect(lines).toContain("ds18b20 D14: found " + ROM_A);
    expect(lines).toContain("ds18b20 D14: " + ROM_B + " is not on the bus");
  });

  it.each([
    ["missing", "no answer"],
    ["corrupt", "crc error"],
  ] as const)("a %s sensor: unavailable on its state topic and one entry on <prefix>/error; back when it answers", (condition, reason) => {
    const { h, models } = board([ds("a", "D14", { rom: ROM_A }), ds("b", "D14", { rom: ROM_B })]);
    h.boot();
    h.run(1000);
    h.take();
    models.setCondition(1, condition);
    h.run(10_000);
    expect(state(h, "b")).toEqual(["unavailable", `error {"sensor":"b","reason":"${reason}"}`]);
    expect(Number.isNaN(h.device.sensors.value[1])).toBe(true);
    h.run(30_000);
    expect(state(h, "b")).toEqual([]); // said once, not every period
    expect(h.device.sensors.value[0]).toBe(21); // the other sensor on the bus reads on
    expect(h.log.lines.some((l) => l.message === `sensor b: ${reason}`)).toBe(true);
    models.setCondition(1, "ok");
    h.run(10_000);
    expect(state(h, "b")).toEqual(["21.5"]);
  });

  it("a bus held low (presence, then all zeros, whose CRC is 0 too) is no answer, not 0.0 degrees", () => {
    const low: OneWireBus = { reset: () => true, select() {}, skip() {}, write() {}, read: () => 0, search: () => [] };
    const { h } = board([ds("a", "D14")], () => ({ oneWire: () => low, pulses: () => ({ read() {} }) }));
    h.boot();
    h.run(1000);
    expect(state(h, "a")).toEqual(["unavailable", 'error {"sensor":"a","reason":"no answer"}']);
  });

  it("no presence pulse at all: every sensor of the bus is unavailable", () => {
    const { h, models } = board([ds("a", "D14", { rom: ROM_A }), ds("b", "D14", { rom: ROM_B })]);
    models.setCondition(0, "missing");
    models.setCondition(1, "missing");
    // Not boot(): the tick at the connect already finds the bus silent.
    h.start().connect();
    h.run(1000);
    const out = h.take().filter((p) => p.topic.startsWith("devices/") && p.topic.includes("/sensor/")).map((p) => p.topic.split("/")[3] + "=" + p.payload);
    // As each fails (at the connect's tick), and again with every state once the connect's announcements
    // are out.
    expect(out).toEqual(["a=unavailable", "b=unavailable", "a=unavailable", "b=unavailable"]);
  });

  it("telemetry has null for a sensor without a reading; after a reconnect the current state is sent again", () => {
    const { h, models } = board([ds("a", "D14")]);
    models.setCondition(0, "missing");
    h.boot();
    h.run(1000);
    h.take();
    h.run(60_000);
    const t = h.take().find((p) => p.topic.endsWith("/telemetry"));
    expect(JSON.parse(t!.payload).sensors).toEqual({ a: null });
    h.transport.remoteClose();
    h.reconnect();
    expect(state(h, "a")).toEqual(["unavailable"]);
  });

  it("before the first reading nothing is reported (a connect does not publish a made-up value)", () => {
    const { h } = board([ds("a", "D14")]);
    h.boot();
    expect(state(h, "a")).toEqual([]);
  });

  it("the firmware's CRC-8 is the Dallas one (Maxim application note 27), as the model's", () => {
    expect(crc8(Uint8Array.from([0x02, 0x1c, 0xb8, 0x01, 0, 0, 0]), 7)).toBe(0xa2);
    const rom = romFor("x");
    const bytes = Uint8Array.from(rom.match(/../g)!.map((b) => parseInt(b, 16)));
    expect(crc8(bytes, 7)).toBe(bytes[7]);
    expect(dallasCrc(bytes, 7)).toBe(bytes[7]);
  });
});

describe("DHT22", () => {
  it("one read serves its temperature and humidity sensors", () => {
    const { h, models } = board([dht("room_t", "temperature"), dht("room_rh", "humidity")]);
    models.set(0, -3.2);
    models.set(1, 56.7);
    h.boot();
    h.run(200);
    const out = h.take().filter((p) => p.topic.startsWith("devices/") && p.topic.includes("/sensor/")).map((p) => p.topic.split("/")[3] + "=" + p.payload);
    expect(out).toEqual(["room_t=-3.2", "room_rh=56.7"]);
  });

  it.each([
    ["missing", "no answer"],
    ["corrupt", "crc error"],
  ] as const)("%s: both values unavailable, each with its error entry", (condition, reason) => {
    const { h, models } = board([dht("room_t", "temperature"), dht("room_rh", "humidity")]);
    models.setCondition(0, condition);
    h.boot();
    h.run(200);
    const out = h.take().filter((p) => p.topic.includes("/sensor/") || p.topic.endsWith("/error")).map((p) => p.payload);
    expect(out).toEqual(["unavailable", `{"sensor":"room_t","reason":"${reason}"}`, "unavailable", `{"sensor":"room_rh","reason":"${reason}"}`]);
    expect(h.device.sensors.reading.length).toBe(2);
  });

  it.each([
    ["a train cut short", "bad signal", Array(30).fill(26)],
    ["a checksum that fits but a humidity over 100 %", "bad signal", bitsOf([0x03, 0xe9, 0, 0xc8])],
  ])("%s is %s", (_what, reason, highUs) => {
    const { h } = board([dht("room_t", "temperature")], (_m, x) => ({
      oneWire: () => { throw new Error("unused"); },
      pulses: () => ({
        read(wake: number, window: number, out: Float64Array, done: (n: number) => void) {
          x.timers.after(wake + window, () => {
            out.set(highUs);
            done(highUs.length);
          });
        },
      }),
    }));
    h.boot();
    h.run(200);
    expect(state(h, "room_t")).toEqual(["unavailable", `error {"sensor":"room_t","reason":"${reason}"}`]);
  });
});

/** The high pulses of a DHT22 answer for 4 data bytes (the checksum computed), start pulses first. */
function bitsOf(data: number[]): number[] {
  const bytes = [...data, data.reduce((a, b) => a + b, 0) & 0xff];
  const out = [30, 80];
  for (const b of bytes) for (let k = 7; k >= 0; k--) out.push((b >> k) & 1 ? 70 : 26);
  return out;
}
