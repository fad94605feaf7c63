// What ends a relay's ON, and what a reboot brings back: an ON holds even while a pulse runs (a PULSE's or
// the relay's own), a fail-safe state holds until a command, and a restore relay never comes back from a
// reboot ON for a pulse or a momentary press that nothing would end any more. A retained restart is
// refused whatever commands.acceptRetained says, so it cannot reboot the board at every connect.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay } from "./harness";
import type { RelayConfig, DeviceConfig } from "../../firmware/device/config";

const CMD = "devices/esp32-01/cmd/";
const ERROR = "devices/esp32-01/error";

function config(relays: RelayConfig[], over: Partial<DeviceConfig> = {}): DeviceConfig {
  return boardConfig({
    relays, sensors: [],
    commands: { acceptRetained: false, maxPayload: 16, console: true },
    discovery: { enabled: false, prefix: "homeassistant", mode: "device" }, ...over,
  });
}

function board(cfg: DeviceConfig, storage: Record<string, string> = {}): Harness {
  const h = new Harness(cfg, (x) => Object.assign(x.storage.data, storage));
  h.device.networkUp();
  return h;
}

describe("an ON during a pulse", () => {
  it.each([
    { what: "an ON command", on: (h: Harness) => h.command("pump", "ON") },
    { what: "a button whose action is on", on: (h: Harness) => h.pins.set("D0", false) },
  ])("$what holds: the PULSE started before it no longer switches the relay off", ({ on }) => {
    const h = board(config([relay("pump", "D26")], {
      buttons: [{ name: "b1", pin: "D0", relay: "pump", action: "on", activeLow: true, pull: "up", debounceMs: 50, holdMs: -1, holdAction: "none" }],
    })).boot();
    h.command("pump", "PULSE 60000");
    h.run(1000);
    on(h);
    h.run(120_000);
    expect(h.device.relays.on[0]).toBe(1);
  });

  it("an ON on a relay with its own pulseMs starts that pulse again, from now", () => {
    const h = board(config([relay("pump", "D26", { pulseMs: 5000 })])).boot();
    h.command("pump", "PULSE 60000");
    h.run(1000);
    h.command("pump", "ON");
    h.run(4900);
    expect(h.device.relays.on[0]).toBe(1);
    h.run(200);
    expect(h.device.relays.on[0]).toBe(0);
  });
});

describe("a fail-safe state during an outage", () => {
  it.each([
    { what: "a PULSE under way", relay: relay("pump", "D26", { failsafe: { state: "on", afterSec: 5 } }), cmd: "PULSE 60000" },
    { what: "the relay's own pulseMs", relay: relay("pump", "D26", { failsafe: { state: "on", afterSec: 5 }, pulseMs: 30000 }), cmd: "ON" },
  ])("holds until a command: $what does not end it", ({ relay: r, cmd }) => {
    const h = board(config([r])).boot();
    h.command("pump", cmd);
    h.transport.remoteClose();
    h.run(10_000);
    expect(h.device.relays.on[0]).toBe(1);
    h.run(120_000);
    expect(h.device.isConnected()).toBe(false);
    expect(h.device.relays.on[0]).toBe(1);
  });
});

describe("a restore relay after a reboot", () => {
  it("a PULSE cut short by cmd/restart: saved as the OFF it ends in, so the board comes back OFF", () => {
    const cfg = config([relay("pump", "D26", { powerOn: "restore" })]);
    const h = board(cfg).boot();
    h.command("pump", "PULSE 5000");
    h.send(CMD + "restart", "");
    h.run(100);
    expect(h.system.reboots).toBe(1);
    const again = board(cfg, h.storage.data).boot();
    again.run(600_000);
    expect(again.device.relays.on[0]).toBe(0);
  });

  it("a PULSE of a relay already on, longer than the save delay: Storage holds the OFF it ends in", () => {
    const cfg = config([relay("pump", "D26", { powerOn: "restore" })]);
    const h = board(cfg).boot();
    h.command("pump", "ON");
    h.run(3000);
    expect(h.storage.data["relay_pump"]).toBe("1");
    h.command("pump", "PULSE 60000");
    h.run(3000);
    expect(h.device.relays.on[0]).toBe(1);
    expect(h.storage.data["relay_pump"]).toBe("0");
  });

  it("a momentary press: Storage keeps OFF while it is held", () => {
    const cfg = config([relay("pump", "D26", { powerOn: "restore" })], {
      buttons: [{ name: "b1", pin: "D0", relay: "pump", action: "momentary", activeLow: true, pull: "up", debounceMs: 50, holdMs: -1, holdAction: "none" }],
    });
    const h = board(cfg).boot();
    h.pins.set("D0", false);
    h.run(5000);
    expect(h.device.relays.on[0]).toBe(1);
    expect(h.storage.data["relay_pump"] ?? "0").toBe("0");
    h.pins.set("D0", true);
    h.run(5000);
    expect(h.device.relays.on[0]).toBe(0);
  });

  it("a momentary button held into its own restart (holdAction): the board comes back OFF, not held by nothing", () => {
    const cfg = config([relay("pump", "D26", { powerOn: "restore" })], {
      buttons: [{ name: "b1", pin: "D0", relay: "pump", action: "momentary", activeLow: true, pull: "up", debounceMs: 50, holdMs: 10000, holdAction: "restart" }],
    });
    const h = board(cfg).boot();
    h.pins.set("D0", false);
    h.run(10_200);
    expect(h.system.reboots).toBe(1);
    const again = board(cfg, h.storage.data).boot();
    again.run(60_000);
    expect(again.device.relays.on[0]).toBe(0);
  });
});

describe("a retained cmd/restart", () => {
  it("is refused at every connect even with commands.acceptRetained: the board does not reboot in a loop", () => {
    let storage: Record<string, string> = {};
    for (let boot = 0; boot < 3; boot++) {
      const h = board(config([relay("pump", "D26")], { commands: { acceptRetained: true, maxPayload: 16, console: true } }), storage).boot();
      h.send(CMD + "restart", "", { retain: true });
      h.run(100);
      expect(h.system.reboots).toBe(0);
      expect(h.take().filter((p) => p.topic === ERROR).map((p) => JSON.parse(p.payload).reason)).toEqual(["retained command"]);
      storage = h.storage.data;
    }
  });
});
