// Local buttons: a debounced press acts on its relay through the relays' own rules (interlock, pulse,
// fail-safe), with the broker up or down, and the state is published when the link is back; a long press
// restarts the board cleanly (offline, DISCONNECT, then the reboot seam).
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay } from "./harness";
import type { ButtonConfig } from "../../firmware/device/config";
import { RESTART_WAIT_MS } from "../../firmware/device/device";

function button(name: string, pin: string, over: Partial<ButtonConfig> = {}): ButtonConfig {
  return {
    name, pin, relay: "pump", action: "toggle", activeLow: true, pull: "up", debounceMs: 50, holdMs: 10000,
    holdAction: "none", ...over,
  };
}

const RELAYS = [
  relay("pump", "D26", { activeLow: true, failsafe: { state: "off", afterSec: 120 } }),
  relay("valve1", "D27", { interlock: "valves" }),
  relay("valve2", "D25", { interlock: "valves" }),
  relay("bell", "D32", { pulseMs: 300 }),
];

function board(buttons: ButtonConfig[]): Harness {
  return new Harness(boardConfig({ relays: RELAYS, sensors: [], buttons, discovery: { enabled: false, prefix: "homeassistant", mode: "device" } }));
}

/** A press held for `ms` (the button pulls the pin LOW), then released. */
function press(h: Harness, pin: string, ms = 200): void {
  h.pins.set(pin, false);
  h.run(ms);
  h.pins.set(pin, true);
  h.run(200);
}

const states = (h: Harness) => h.take().filter((p) => p.topic.includes("/relay/")).map((p) => p.topic.split("/")[3] + "=" + p.payload);

describe("buttons", () => {
  it("a press toggles its relay (after the debounce), the release does nothing, and each state is published", () => {
    const h = board([button("b1", "D0")]).boot();
    expect(h.pins.modes.D0).toBe("input_pullup");
    expect(h.pins.watchesOn("D0").map((w) => [w.edge, w.debounceMs])).toEqual([["both", 50]]);
    h.pins.set("D0", false);
    h.run(40);
    expect(h.device.relays.on[0]).toBe(0); // still bouncing
    h.run(20);
    expect(h.device.relays.on[0]).toBe(1);
    expect(h.pins.levels.D26).toBe(false); // active-low relay: on at LOW
    h.pins.set("D0", true);
    h.run(200);
    expect(h.device.relays.on[0]).toBe(1);
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(0);
    expect(states(h)).toEqual(["pump=ON", "pump=OFF"]);
  });

  it("contact bounce shorter than debounceMs switches nothing", () => {
    const h = board([button("b1", "D0")]).boot();
    for (let i = 0; i < 10; i++) {
      h.pins.set("D0", i % 2 === 1);
      h.run(10);
    }
    h.pins.set("D0", true);
    h.run(200);
    expect(h.device.relays.on[0]).toBe(0);
    expect(states(h)).toEqual([]);
  });

  it("works with the broker down: the relay switches at once and its state goes out after the connect", () => {
    const h = board([button("b1", "D0")]).start();
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(1);
    expect(h.take()).toEqual([]);
    h.connect();
    expect(states(h)).toContain("pump=ON");
  });

  it("the fail-safe still applies: a press during an outage, then the safe state after afterSec", () => {
    const h = board([button("b1", "D0")]).boot();
    h.transport.remoteClose();
    h.run(1000);
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(1);
    h.run(120_000);
    expect(h.device.relays.on[0]).toBe(0);
    // Once the safe state was taken, a press switches again (as a command would).
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(1);
  });

  it.each([
    ["on", [1, 1]],
    ["off", [0, 0]],
  ] as const)("action %s sets the relay to that state on every press", (action, after) => {
    const h = board([button("b1", "D0", { action })]).boot();
    if (action === "off") h.device.relays.set(0, true);
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(after[0]);
    press(h, "D0");
    expect(h.device.relays.on[0]).toBe(after[1]);
  });

  it("momentary: the relay is on while the button is held", () => {
    const h = board([button("b1", "D0", { action: "momentary" })]).boot();
    h.pins.set("D0", false);
    h.run(100);
    expect(h.device.relays.on[0]).toBe(1);
    h.run(5000);
    expect(h.device.relays.on[0]).toBe(1);
    h.pins.set("D0", true);
    h.run(100);
    expect(h.device.relays.on[0]).toBe(0);
  });

  it("interlock holds: a button's relay turns its group partner off first; a pulse relay turns itself off", () => {
    const h = board([button("b1", "D0", { relay: "valve2", action: "on" }), button("b2", "D4", { relay: "bell", action: "on" })]).boot();
    h.command("valve1", "ON");
    h.take();
    h.events.length = 0;
    press(h, "D0");
    expect(Array.from(h.device.relays.on.subarray(1, 3))).toEqual([0, 1]);
    expect(h.events.filter((e) => e.startsWith("relay"))).toEqual(["relay 1 off", "relay 2 on"]);
    press(h, "D4", 60);
    h.run(400);
    expect(h.device.relays.on[3]).toBe(0);
    expect(h.events.filter((e) => e.startsWith("relay 3"))).toEqual(["relay 3 on", "relay 3 off"]);
  });

  it("active-high wiring with a pull-down: pressed reads HIGH", () => {
    const h = board([button("b1", "D0", { activeLow: false, pull: "down" })]).boot();
    expect(h.pins.modes.D0).toBe("input_pulldown");
    h.pins.set("D0", true);
    h.run(100);
    expect(h.device.relays.on[0]).toBe(1);
  });

  it("a long press restarts: offline retained, DISCONNECT, then the reboot; the press itself switches nothing", () => {
    const h = board([button("b1", "D0", { holdAction: "restart", holdMs: 10_000 })]).boot();
    h.pins.set("D0", false);
    h.run(9_900);
    expect(h.system.reboots).toBe(0);
    h.run(200);
    expect(h.takeBrief().slice(-2).map((x) => x.replace(/#\d+ /, ""))).toEqual(["PUBLISH q1 retain devices/esp32-01/status=offline", "DISCONNECT"]);
    expect(h.system.reboots).toBe(1);
    expect(h.device.relays.on[0]).toBe(0);
    h.pins.set("D0", true);
    h.run(200);
    expect(h.device.relays.on[0]).toBe(0);
  });

  it("with a hold action, a short press acts on its release", () => {
    const h = board([button("b1", "D0", { holdAction: "restart" })]).boot();
    h.pins.set("D0", false);
    h.run(500);
    expect(h.device.relays.on[0]).toBe(0);
    h.pins.set("D0", true);
    h.run(100);
    expect(h.device.relays.on[0]).toBe(1);
    expect(h.system.reboots).toBe(0);
  });

  it("a restart without a broker link reboots at once; with a link that never closes, after RESTART_WAIT_MS", () => {
    const offline = board([button("b1", "D0", { relay: null, action: "none", holdAction: "restart", holdMs: 1000 })]).start();
    offline.pins.set("D0", false);
    offline.run(1100);
    expect(offline.system.reboots).toBe(1);

    const stuck = board([button("b1", "D0", { relay: null, action: "none", holdAction: "restart", holdMs: 1000 })]).boot();
    stuck.transport.closeMode = "deferred";
    stuck.pins.set("D0", false);
    stuck.run(1100);
    expect(stuck.system.reboots).toBe(0);
    stuck.run(RESTART_WAIT_MS);
    expect(stuck.system.reboots).toBe(1);
  });

  it("a button held through the boot does nothing when it is released", () => {
    const h = board([button("b1", "D0", { holdAction: "restart", holdMs: 1000 })]);
    h.pins.levels.D0 = false;
    h.boot();
    h.run(2000);
    h.pins.set("D0", true);
    h.run(200);
    expect(h.device.relays.on[0]).toBe(0);
    expect(h.system.reboots).toBe(0);
  });

  it("stop() removes the watches and a pending hold", () => {
    const h = board([button("b1", "D0", { holdAction: "restart", holdMs: 1000 })]).boot();
    h.pins.set("D0", false);
    h.run(100);
    h.device.stop();
    expect(h.pins.watchesOn("D0")).toEqual([]);
    h.run(2000);
    expect(h.system.reboots).toBe(0);
  });

  it("an unknown relay name throws at construction (the loader refuses it first)", () => {
    expect(() => board([button("b1", "D0", { relay: "nope" })])).toThrow(/button b1: no relay nope/);
  });

  it("a board without buttons builds no Buttons object", () => {
    expect(new Harness(boardConfig()).device.buttons).toBeNull();
  });
});
