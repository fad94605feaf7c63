// The device's steady state allocates nothing: >= 100k cycles of commands (state published QoS 1 and
// acknowledged), interlock, pulse, refusals, digital/analog/counter reports, telemetry and tick(), with
// zero GC events in the window. Run in a child process so nothing else allocates meanwhile; a control run
// that allocates must see GC events.
import { describe, it, expect } from "vitest";
import { runGcChild } from "../support/gc-child";

const CHILD = "test/device/alloc-child.ts";
const CYCLES = 120_000;

interface Result {
  mode: string; cycles: number; gc: number; failures: number; errors: number; relayChanges: number;
  sensorChanges: number; refused: number; qos0: number; qos1: number; connected: boolean; inflight: number;
}

function runChild(mode: string): Result {
  return runGcChild<Result>(CHILD, [mode, String(CYCLES)]);
}

describe("device allocation-free steady state (GC observed in a child process)", () => {
  it("control: a loop that allocates is seen by the GC observer", () => {
    const r = runChild("control");
    expect(r.gc).toBeGreaterThan(0);
    expect(r.failures).toBe(0);
  }, 60_000);

  it(CYCLES + " command + state-publish + sensor-report cycles: zero GC events", () => {
    const r = runChild("device");
    // Per cycle: fan toggled, a valve on (its partner off), the bell on every other cycle and its pulse
    // off: 4 relay changes, each published QoS 1. QoS 0: a door report each cycle, an error every 4th,
    // an analog report every 4th, and each second (10 cycles) a counter report and telemetry.
    expect(r).toMatchObject({
      mode: "device", cycles: CYCLES, failures: 0, errors: 0, connected: true, inflight: 0,
      relayChanges: 4 * CYCLES, qos1: 4 * CYCLES, refused: CYCLES / 4,
    });
    // The once-a-second reports may fall either side of the window's edges.
    expect(Math.abs(r.qos0 - (CYCLES + CYCLES / 4 + CYCLES / 4 + CYCLES / 10 + CYCLES / 10))).toBeLessThanOrEqual(2);
    expect(r.gc, JSON.stringify(r)).toBe(0);
  }, 60_000);
});
