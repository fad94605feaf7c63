// The board's own features allocate nothing in their steady state: button presses (relay toggled, state
// published and acknowledged), the status LED, console status and PULSE commands, DS18B20 and DHT22
// reads with changing values. Run in a child process; a control run that allocates must see GC events.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const CHILD = "test/device/alloc-features-child.ts";
const CYCLES = 100_000;

/**
 * The child's last JSON line. --single-threaded: V8 compiles on the main thread, so what it inlines (and
 * boxes) does not depend on when a background compile finishes on a busy machine.
 */
function runChild(mode: string): Result {
  const r = spawnSync(process.execPath, ["--single-threaded", "--import", "tsx", CHILD, mode, String(CYCLES)], {
    cwd: resolve(__dirname, "../.."), encoding: "utf8", timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${CHILD} failed (${r.status ?? r.signal}): ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Result;
}

interface Result {
  mode: string; cycles: number; gc: number; relayChanges: number; sensorChanges: number; qos0: number; qos1: number;
  values: number[]; connected: boolean; errors: number; newSpaceBytes: number;
}

describe("board features: allocation-free steady state (GC observed in a child process)", () => {
  it("control: a loop that allocates is seen by the GC observer", () => {
    expect(runChild("control").gc).toBeGreaterThan(0);
  }, 60_000);

  it(CYCLES + " cycles of buttons, LED, console commands and bus sensors: zero GC events", () => {
    const r = runChild("device");
    // The pump toggles at each press (1 a cycle); the fan is on and off every 4 cycles (momentary); a PULSE
    // every 16 cycles finds the fan held on: no change, its state confirmed (one more QoS 1 publish).
    expect(r).toMatchObject({ mode: "device", cycles: CYCLES, connected: true, errors: 0 });
    expect(r.relayChanges).toBe(CYCLES + CYCLES / 2);
    expect(r.qos1).toBe(r.relayChanges + CYCLES / 16);
    // QoS 0: status every 8 cycles, telemetry each second, the two DS18B20 each second (their values move).
    expect(r.sensorChanges).toBe(2 * (CYCLES / 10));
    expect(r.qos0).toBe(CYCLES / 8 + CYCLES / 10 + 2 * (CYCLES / 10));
    expect(r.values).toEqual([21.5, -3.2, 23.4, 51.2]);
    expect(r.gc, JSON.stringify(r)).toBe(0);
    // No GC can also mean a young generation that did not fill up: what the window left there is the
    // reading's own few KB, not bytes per cycle (one heap number every cycle would be 1.6 MB).
    expect(r.newSpaceBytes, JSON.stringify(r)).toBeLessThan(16384);
  }, 60_000);
});
