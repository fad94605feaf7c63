// The shim's side of the board's features, as the bundle meets them: Espruino's OneWire class over a bus
// model (presence, Match/Skip ROM, scratchpad, search, a bare pin, a bad ROM), a DHT22's pulse train on a
// falling-edge watch when the line is let go, the TelnetServer library, and the built firmware setting the
// telnet console off unless board.json turns it on.
import { afterEach, describe, expect, it } from "vitest";
import { haltShimBoards, shimBoard } from "./shim-harness";
import { BusSensors } from "../../sim/hardware/bus-sensors";
import { featuresConfig, featuresBundle } from "./board-features-harness";
import { until } from "../support/wait";

afterEach(() => haltShimBoards());

const config = featuresConfig();

describe("OneWire in the shim", () => {
  it("reads a DS18B20 by ROM with its CRC, finds every ROM, and gives 0xFF where nothing answers", () => {
    const models = new BusSensors(config);
    models.set(0, 25.0625);
    const b = shimBoard({ busSensors: models });
    expect(b.js("new OneWire(D14).search()")).toEqual(["28aa01b2c3d4e5d4", "28ff4c1a0b160445"]);
    const pad = b.js(`(function () {
      var ow = new OneWire(D14);
      ow.reset(); ow.skip(); ow.write(0x44, true);
      ow.select("28ff4c1a0b160445"); ow.write(0xBE);
      return [].slice.call(ow.read(9));
    })()`);
    expect(pad.slice(0, 2)).toEqual([0x91, 0x01]); // 25.0625 * 16 = 401
    expect(b.js("(function () { var ow = new OneWire(D5); return [ow.reset(), ow.read()]; })()")).toEqual([false, 255]);
    expect(() => b.exec('new OneWire(D14).select("28ff")')).toThrow(/Invalid OneWire device address/);
  });
});

describe("a DHT22 in the shim", () => {
  it("answers a released line with 42 falling edges whose time - lastTime are the high pulses", async () => {
    const models = new BusSensors(config);
    const b = shimBoard({ busSensors: models });
    b.exec(`var seen = [];
      digitalWrite(D16, 0); pinMode(D16, "output");
      setWatch(function (e) { seen.push(Math.round((e.time - e.lastTime) * 1e6)); }, D16, { repeat: true, edge: "falling" });
      setTimeout(function () { pinMode(D16, "input_pullup"); }, 2);`);
    await until(() => b.js("seen.length") === 42, 2000, "the pulse train");
    const highs: number[] = b.js("seen");
    expect(highs.slice(0, 2)).toEqual([30, 80]);
    expect(highs.slice(2).every((h) => h === 26 || h === 70)).toBe(true);
  });
});

describe("the telnet console in the shim", () => {
  it("is on at power-on, as the ESP32 release has it; setOptions sets it; a bad mode throws", () => {
    const b = shimBoard();
    expect(b.shim.telnet).toBe("on");
    b.exec('require("TelnetServer").setOptions({ mode: "off" })');
    expect(b.shim.telnet).toBe("off");
    expect(() => b.exec('require("TelnetServer").setOptions({ mode: "maybe" })')).toThrow(/Unknown mode value/);
  });

  it.each([[undefined, "off"], [true, "on"]] as const)("the firmware with console.telnet %s sets it %s at boot", async (telnet, mode) => {
    const c = telnet ? featuresConfig({ console: { telnet } }) : config;
    const b = shimBoard({ wifiJoined: false, busSensors: new BusSensors(c) });
    b.shim.run(await featuresBundle(c), "firmware.js");
    expect(b.shim.telnet).toBe(mode);
  });
});
