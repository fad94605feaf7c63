// The client's hot paths allocate nothing after start-up: publish QoS 1 + PUBACK and receive QoS 1
// PUBLISH (+ PUBACK), >= 200k cycles each, with zero GC events in the window. Run in a child process so
// nothing else in the test runner allocates meanwhile; a control run that allocates must see GC events.
import { describe, it, expect } from "vitest";
import { runGcChild } from "../../support/gc-child";

const CHILD = "test/mqtt/client/alloc-client-child.ts";
const CYCLES = 250_000;

interface Result {
  mode: string; cycles: number; gc: number; published: number; messages: number; failures: number; errors: number;
  stillConnected: boolean;
}

function runChild(mode: string): Result {
  return runGcChild<Result>(CHILD, [mode, String(CYCLES)]);
}

describe("allocation-free hot paths (GC observed in a child process)", () => {
  it("control: a loop that allocates is seen by the GC observer", () => {
    const r = runChild("control");
    expect(r.gc).toBeGreaterThan(0);
    expect(r.published).toBe(CYCLES);
  }, 60_000);

  for (const mode of ["client", "wallclock"]) {
    it(mode + ": " + CYCLES + " publish QoS 1 + PUBACK and receive QoS 1 cycles, zero GC events", () => {
      const r = runChild(mode);
      expect(r).toMatchObject({
        mode, cycles: CYCLES, published: CYCLES, messages: CYCLES, failures: 0, errors: 0, stillConnected: true,
      });
      expect(r.gc).toBe(0);
    }, 60_000);
  }
});
