// The status LED: its pattern follows the network and broker state, one 100 ms step at a time off the
// device's own tick (no timer of its own), and the pin is written only when the light changes.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig } from "./harness";
import type { StatusLedConfig } from "../../firmware/device/config";
import { LED_NO_BROKER, LED_NO_WIFI } from "../../firmware/device/status-led";

function board(led: Partial<StatusLedConfig> = {}): Harness {
  return new Harness(boardConfig({ statusLed: { pin: "D2", activeLow: false, connected: "on", ...led } }));
}

/** The light (1 lit, 0 dark) at each 100 ms tick for one second, once the pattern had a second to settle. */
function cycle(h: Harness, activeLow = false): number[] {
  h.run(1000);
  const out: number[] = [];
  for (let i = 0; i < 10; i++) {
    h.run(100);
    out.push(h.pins.levels.D2 === !activeLow ? 1 : 0);
  }
  return out;
}

/** The mask's 10 steps, in any phase: what one second of ticks shows. */
const rotations = (mask: number) => Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, i) => (mask >> ((i + r) % 10)) & 1));
const bits = (mask: number) => expect.toSatisfy((got: number[]) => rotations(mask).some((x) => x.join() === got.join()));

describe("status LED", () => {
  it("starts dark as an output, then a fast blink before the network is up", () => {
    const h = board().start();
    expect(h.pins.ops.filter((o) => /^D2[ =]/.test(o)).slice(0, 2)).toEqual(["D2=0", "D2 mode output"]);
    expect(cycle(h)).toEqual(bits(LED_NO_WIFI));
    expect(cycle(h).join("")).toMatch(/^(01){5}$|^(10){5}$/);
  });

  it("two short blinks a second with the network but no broker, steady on once connected, blinking again when the link drops", () => {
    const h = board().start();
    h.device.networkUp();
    expect(cycle(h)).toEqual(bits(LED_NO_BROKER));
    h.connect();
    expect(cycle(h)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    h.transport.remoteClose();
    expect(cycle(h)).toEqual(bits(LED_NO_BROKER));
    h.device.networkDown();
    expect(cycle(h)).toEqual(bits(LED_NO_WIFI));
  });

  it("connected: off when configured so; active-low wiring inverts the level", () => {
    const h = board({ connected: "off", activeLow: true }).start();
    h.device.networkUp();
    h.connect();
    h.run(1000);
    expect(cycle(h, true)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(h.pins.levels.D2).toBe(true);
  });

  it("writes the pin only when the light changes", () => {
    const h = board().start();
    h.device.networkUp();
    h.connect();
    h.run(2000);
    const writes = h.pins.writesTo("D2").length;
    h.run(10_000);
    expect(h.pins.writesTo("D2").length).toBe(writes);
  });

  it("a board without a LED builds no StatusLed", () => {
    expect(new Harness(boardConfig()).device.statusLed).toBeNull();
  });
});
