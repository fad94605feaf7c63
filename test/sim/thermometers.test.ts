// DS18B20s and a DHT22 in the simulator, from the sources and as the built bundle in the Espruino shim
// (whose OneWire class and DHT22 pulse trains stand in for the hardware): their values reach the broker,
// a value set on the model is read at the next period, and a missing or corrupt sensor is reported
// "unavailable" with an entry on <prefix>/error. The board's log names the ROMs on each bus.
import { describe, expect, it } from "vitest";
import { until } from "../support/wait";
import { startedEach, type FeatureSim } from "./board-features-harness";

const TANK = 0;
const PIPE = 1;
const ROOM_T = 2;
const ROOM_RH = 3;

describe.each(["source", "bundle"] as const)("temperature sensors in the simulator, %s mode", (mode) => {
  const start = startedEach();
  const last = (s: FeatureSim, name: string) => s.of("sensor").filter((e) => e.sensor === name).slice(-1)[0]?.value;

  it("a DS18B20 and a DHT22 report their values; a new value is read at the next period", async () => {
    const s = await start(mode);
    s.board.setMeasured(TANK, 61.25);
    s.board.setMeasured(PIPE, -4.5);
    s.board.setMeasured(ROOM_T, 22.3);
    s.board.setMeasured(ROOM_RH, 48.9);
    await until(() => last(s, "tank") === "61.3" && last(s, "pipe") === "-4.5" && last(s, "room_t") === "22.3" && last(s, "room_rh") === "48.9",
      6000, () => JSON.stringify(s.of("sensor")));
    s.board.setMeasured(TANK, 18);
    await until(() => last(s, "tank") === "18.0", 3000, "the tank's new value");
    const log = s.of("log").map((e) => e.message);
    expect(log).toContain("info ds18b20 D14: found 28aa01b2c3d4e5d4 28ff4c1a0b160445");
    expect(s.of("input").filter((e) => e.sensor === "tank").map((e) => e.measured)).toEqual([61.25, 18]);
  });

  it("a missing DS18B20 reports unavailable and an error entry; it reads again when it is back", async () => {
    const s = await start(mode);
    await until(() => last(s, "pipe") !== undefined, 4000, "a first reading");
    s.board.setCondition(PIPE, "missing");
    await until(() => last(s, "pipe") === "unavailable", 4000, "pipe unavailable");
    await until(() => s.of("error").some((e) => e.what === "sensor"), 2000, "the error entry");
    const err = s.of("error").find((e) => e.what === "sensor")!;
    expect(err.detail).toEqual({ sensor: "pipe", reason: "no answer" });
    expect(last(s, "tank")).not.toBe("unavailable");
    s.board.setCondition(PIPE, "ok");
    await until(() => last(s, "pipe") !== "unavailable", 4000, "pipe back");
  });

  it("a DHT22 whose checksum fails makes both its values unavailable with crc error", async () => {
    const s = await start(mode);
    s.board.setCondition(ROOM_T, "corrupt");
    await until(() => last(s, "room_t") === "unavailable" && last(s, "room_rh") === "unavailable", 6000, () => JSON.stringify(s.of("sensor")));
    const reasons = s.of("error").filter((e) => e.what === "sensor").map((e) => e.detail);
    expect(reasons).toEqual([{ sensor: "room_t", reason: "crc error" }, { sensor: "room_rh", reason: "crc error" }]);
  });
});
