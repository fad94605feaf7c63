// Relay behaviour: power-on states (off, on, restore from Storage), Storage writes only on change and
// coalesced (flash wears), pulse timing, interlock order, and fail-safe timing.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, topicOf } from "./harness";
import { storageKey, SAVE_MS } from "../../firmware/device/relays";

function states(h: Harness): string[] {
  return h.take().filter((p) => p.topic.endsWith("/state") && p.topic.includes("/relay/")).map((p) => p.topic.split("/")[3] + "=" + p.payload);
}


/** What the relays wrote to Storage (the discovery ledger is written there too). */
function relayWrites(h: Harness): string[] {
  return h.storage.writes.filter((w) => w.startsWith("relay_"));
}

describe("power-on state", () => {
  it("off and on, active-low included; the level is written before the pin becomes an output", () => {
    const h = new Harness(boardConfig({
      relays: [relay("a", "D12", { powerOn: "off", activeLow: true }), relay("b", "D13", { powerOn: "on", activeLow: true }),
        relay("c", "D14", { powerOn: "on" })],
      sensors: [],
    }));
    h.start();
    expect(h.pins.ops).toEqual([
      "D12=1", "D12 mode output", "D13=1", "D13 mode output", "D14=0", "D14 mode output", "D13=0", "D14=1",
    ]);
    expect(Array.from(h.device.relays.on)).toEqual([0, 1, 1]);
    expect(h.events).toEqual(["relay 1 on", "relay 2 on"]);
    h.connect();
    expect(states(h)).toEqual(["a=OFF", "b=ON", "c=ON"]);
  });

  it("restore: the last state from Storage; a change is saved SAVE_MS later, and only a change", () => {
    const cfg = boardConfig({ relays: [relay("a", "D12", { powerOn: "restore" }), relay("b", "D13", { powerOn: "restore" }), relay("c", "D14")], sensors: [] });
    const h = new Harness(cfg, (x) => { x.storage.data.relay_a = "1"; x.storage.data.relay_b = "0"; });
    h.boot();
    expect(h.pins.levels.D12).toBe(true);
    expect(h.pins.levels.D13).toBe(false);
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual([]); // restoring is not a change to write back
    h.command("a", "ON"); // no change: no write
    h.command("a", "OFF");
    h.command("b", "TOGGLE");
    h.command("c", "ON"); // powerOn "on"/"off" relays never write
    expect(relayWrites(h)).toEqual([]);
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual(["relay_a=0", "relay_b=1"]);
    // A reboot comes back the same way.
    const again = new Harness(cfg, (x) => Object.assign(x.storage.data, h.storage.data)).start();
    expect(Array.from(again.device.relays.on)).toEqual([0, 1, 0]);
  });

  it("restore: 5,000 toggles in a burst cost one write per relay per SAVE_MS, and the last state is kept", () => {
    const cfg = boardConfig({ relays: [relay("a", "D12", { powerOn: "restore" }), relay("b", "D13", { powerOn: "restore" })], sensors: [] });
    const h = new Harness(cfg).boot();
    const burstMs = 5000;
    for (let i = 0; i < 5000; i++) {
      h.device.relays.toggle(i % 2);
      h.timers.advance(burstMs / 5000);
    }
    // 2,500 changes each over 5 s: at most one save every SAVE_MS, for each relay's file.
    expect(relayWrites(h).length).toBeLessThanOrEqual(2 * Math.ceil(burstMs / SAVE_MS));
    h.device.relays.set(0, true);
    h.device.relays.set(1, false);
    h.timers.advance(SAVE_MS);
    expect(h.storage.data.relay_a).toBe("1");
    expect(h.storage.data.relay_b ?? "0").toBe("0"); // nothing stored reads as off
    // After a power cut (nothing flushed by stop()), the stable state comes back.
    const again = new Harness(cfg, (x) => Object.assign(x.storage.data, h.storage.data)).start();
    expect(Array.from(again.device.relays.on)).toEqual([1, 0]);
  });

  it("restore: a change undone within SAVE_MS writes nothing; stop() saves a pending change at once", () => {
    const cfg = boardConfig({ relays: [relay("a", "D12", { powerOn: "restore" })], sensors: [] });
    const h = new Harness(cfg).boot();
    h.command("a", "ON");
    h.command("a", "OFF");
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual([]);
    h.command("a", "ON");
    h.device.stop();
    expect(relayWrites(h)).toEqual(["relay_a=1"]);
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual(["relay_a=1"]);
  });

  it("restore: a failed Storage write is tried again at the next change's save", () => {
    const cfg = boardConfig({ relays: [relay("a", "D12", { powerOn: "restore" })], sensors: [] });
    const h = new Harness(cfg).boot();
    h.storage.failing = true;
    h.command("a", "ON");
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual([]);
    h.storage.failing = false;
    h.command("a", "TOGGLE");
    h.command("a", "TOGGLE");
    h.timers.advance(SAVE_MS);
    expect(relayWrites(h)).toEqual(["relay_a=1"]);
  });

  it("restore with nothing stored (or garbage) is off", () => {
    const cfg = boardConfig({ relays: [relay("a", "D12", { powerOn: "restore", activeLow: true }), relay("b", "D13", { powerOn: "restore" })], sensors: [] });
    const h = new Harness(cfg, (x) => { x.storage.data.relay_b = "yes"; }).start();
    expect(Array.from(h.device.relays.on)).toEqual([0, 0]);
    expect(h.pins.levels.D12).toBe(true);
  });

  it("storage keys fit Espruino's 28-character file names and stay distinct", () => {
    expect(storageKey("pump")).toBe("relay_pump");
    const a = storageKey("a-very-long-relay-name-number-one");
    const b = storageKey("a-very-long-relay-name-number-two");
    expect(a.length).toBeLessThanOrEqual(28);
    expect(b.length).toBeLessThanOrEqual(28);
    expect(a).not.toBe(b);
  });
});

describe("pulse", () => {
  const cfg = () => boardConfig({ relays: [relay("bell", "D12", { pulseMs: 1500, activeLow: true }), relay("fan", "D13")], sensors: [] });

  it("ON turns itself OFF after pulseMs (a timer, not the tick), publishing both states", () => {
    const h = new Harness(cfg()).boot();
    h.command("bell", "ON");
    expect(h.pins.levels.D12).toBe(false);
    expect(h.timers.calls.at(-1)).toEqual({ ms: 1500, kind: "after" });
    const t0 = h.clock.t;
    h.timers.advance(1499);
    expect(h.device.relays.on[0]).toBe(1);
    h.timers.advance(1);
    expect(h.clock.t - t0).toBe(1500);
    expect(h.device.relays.on[0]).toBe(0);
    expect(h.pins.levels.D12).toBe(true);
    h.respond();
    expect(states(h)).toEqual(["bell=ON", "bell=OFF"]);
  });

  it("a second ON restarts the pulse", () => {
    const h = new Harness(cfg()).boot();
    h.command("bell", "ON");
    h.timers.advance(1000);
    h.command("bell", "ON");
    h.timers.advance(1000);
    expect(h.device.relays.on[0]).toBe(1);
    h.timers.advance(499);
    expect(h.device.relays.on[0]).toBe(1);
    h.timers.advance(1);
    expect(h.device.relays.on[0]).toBe(0);
    expect(h.timers.pending).toBe(0);
  });

  it("OFF (and TOGGLE to off) cancels the pulse", () => {
    const h = new Harness(cfg()).boot();
    h.command("bell", "ON");
    h.timers.advance(500);
    h.command("bell", "OFF");
    expect(h.timers.pending).toBe(0);
    h.command("bell", "TOGGLE");
    h.command("bell", "TOGGLE");
    expect(h.timers.pending).toBe(0);
    h.timers.advance(5000);
    expect(h.pins.writesTo("D12")).toEqual([1, 0, 1, 0, 1]);
  });

  it("a relay without pulseMs stays on", () => {
    const h = new Harness(cfg()).boot();
    h.command("fan", "ON");
    expect(h.timers.pending).toBe(0);
    h.run(60_000);
    expect(h.device.relays.on[1]).toBe(1);
  });
});

describe("interlock", () => {
  const cfg = () => boardConfig({
    relays: [
      relay("v1", "D12", { interlock: "valves" }), relay("v2", "D13", { interlock: "valves", activeLow: true }),
      relay("v3", "D14", { interlock: "valves" }), relay("free", "D15"), relay("m1", "D16", { interlock: "motor" }),
    ],
    sensors: [],
  });

  it("turning one on turns the others of its group off first (pins low before the new one goes high)", () => {
    const h = new Harness(cfg()).boot();
    h.command("v1", "ON");
    h.command("free", "ON");
    h.command("m1", "ON");
    h.take();
    const ops = h.pins.ops.length;
    h.command("v2", "ON");
    expect(h.pins.ops.slice(ops)).toEqual(["D12=0", "D13=0"]); // v1 released, then v2 (active-low) energised
    expect(states(h)).toEqual(["v1=OFF", "v2=ON"]);
    expect(Array.from(h.device.relays.on)).toEqual([0, 1, 0, 1, 1]);
    h.command("v3", "TOGGLE");
    expect(Array.from(h.device.relays.on)).toEqual([0, 0, 1, 1, 1]);
    expect(h.events.filter((e) => e.startsWith("relay")).slice(-2)).toEqual(["relay 1 off", "relay 2 on"]);
  });

  it("OFF never touches the others; power-on 'on' for two of a group leaves the last one on", () => {
    const c = cfg();
    c.relays[0].powerOn = "on";
    c.relays[2].powerOn = "on";
    const h = new Harness(c).start();
    expect(Array.from(h.device.relays.on)).toEqual([0, 0, 1, 0, 0]);
    h.connect();
    h.command("v3", "OFF");
    expect(Array.from(h.device.relays.on)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("fail-safe", () => {
  const cfg = () => boardConfig({
    relays: [
      relay("pump", "D12", { failsafe: { state: "off", afterSec: 120 } }),
      relay("heat", "D13", { failsafe: { state: "on", afterSec: 30 }, activeLow: true }),
      relay("free", "D14"),
    ],
    sensors: [],
  });

  function lose(h: Harness): number {
    h.transport.remoteClose();
    return h.clock.t;
  }

  it("not before afterSec of disconnection, at afterSec, then stays until a command", () => {
    const h = new Harness(cfg()).boot();
    h.command("pump", "ON");
    h.command("free", "ON");
    h.transport.refuseNextOpen(-52);
    for (let i = 0; i < 50; i++) h.transport.refuseNextOpen(-52);
    h.events.length = 0;
    const t0 = lose(h);
    h.run(29_900);
    expect(Array.from(h.device.relays.on)).toEqual([1, 0, 1]);
    h.run(100);
    expect(h.clock.t - t0).toBe(30_000);
    expect(Array.from(h.device.relays.on)).toEqual([1, 1, 1]);
    expect(h.pins.levels.D13).toBe(false); // active-low: on
    h.run(89_900);
    expect(h.device.relays.on[0]).toBe(1);
    h.run(100);
    expect(h.clock.t - t0).toBe(120_000);
    expect(Array.from(h.device.relays.on)).toEqual([0, 1, 1]);
    expect(h.events.filter((e) => e.startsWith("relay"))).toEqual(["relay 1 on", "relay 0 off"]);
    // Back online: the fail-safe states are reported and kept until a command.
    h.take();
    h.runUntil(() => h.transport.openCalls > 51 && h.transport.pending, 30 * 60_000);
    h.connect();
    expect(states(h)).toEqual(["pump=OFF", "heat=ON", "free=ON"]);
    h.run(300_000);
    expect(Array.from(h.device.relays.on)).toEqual([0, 1, 1]);
    h.command("heat", "OFF");
    expect(h.device.relays.on[1]).toBe(0);
  });

  it("a command while it is not yet due is simply overridden at the deadline; once per outage", () => {
    const h = new Harness(cfg()).boot();
    for (let i = 0; i < 50; i++) h.transport.refuseNextOpen(-52);
    lose(h);
    h.run(30_000);
    expect(h.device.relays.on[1]).toBe(1);
    // Nothing turns it back within the same outage.
    h.device.relays.set(1, false);
    h.run(60_000);
    expect(h.device.relays.on[1]).toBe(0);
  });

  it("counts from boot when the broker was never reached", () => {
    const h = new Harness(cfg());
    for (let i = 0; i < 50; i++) h.transport.refuseNextOpen(-52);
    h.start();
    const t0 = h.clock.t;
    h.device.relays.set(0, true);
    h.run(29_900);
    expect(h.device.relays.on[1]).toBe(0);
    h.run(100);
    expect(h.device.relays.on[1]).toBe(1);
    h.run(90_000);
    expect(h.clock.t - t0).toBe(120_000);
    expect(h.device.relays.on[0]).toBe(0);
  });

  it("a reconnect before the deadline cancels it; the next outage counts afresh", () => {
    const h = new Harness(cfg()).boot();
    h.command("pump", "ON");
    lose(h);
    h.reconnect(); // the first retry comes after 0.5-1 s
    h.run(200_000);
    expect(Array.from(h.device.relays.on)).toEqual([1, 0, 0]);
    // A second outage: 30 s from its own start.
    for (let i = 0; i < 50; i++) h.transport.refuseNextOpen(-52);
    const t1 = lose(h);
    h.run(29_900);
    expect(h.device.relays.on[1]).toBe(0);
    h.run(100);
    expect(h.clock.t - t1).toBe(30_000);
    expect(h.device.relays.on[1]).toBe(1);
  });

  it("a relay without fail-safe is never changed", () => {
    const h = new Harness(cfg());
    for (let i = 0; i < 500; i++) h.transport.refuseNextOpen(-52);
    h.start();
    h.device.relays.set(2, true);
    h.run(3_600_000);
    expect(h.device.relays.on[2]).toBe(1);
    void topicOf;
  });
});
