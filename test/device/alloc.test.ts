// The device's steady state: 120,000 cycles of commands (state published QoS 1 and acknowledged),
// interlock, pulse, refusals, digital/analog/counter reports, telemetry and tick(), checked by the shared
// harness (GC events, young-generation bytes) as shipped and without escape analysis. It allocates nothing
// but one known heap number per telemetry document (below). A control phase, the same cycles keeping one
// small object every 64th cycle, must show that on top.
import { describe, it, expect } from "vitest";
import { VARIANTS, runAllocChild, allocProblems, type AllocReport } from "../support/alloc-harness";

const CHILD = "test/device/alloc-child.ts";
const CYCLES = 120_000;

type Report = AllocReport & { connected: boolean; inflight: number; kept: boolean };

describe("device allocation-free steady state (child process, shared harness)", () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: ${CYCLES} command + state-publish + sensor-report cycles allocate nothing; a 1-in-64 allocation is caught`, () => {
      const r = runAllocChild<Report>(CHILD, [String(CYCLES)], variant, 60_000);
      for (const phase of ["device", "control"]) {
        const c = r.phases[phase].counters;
        // Per cycle: fan toggled, a valve on (its partner off), the bell on every other cycle and its pulse
        // off: 4 relay changes, each published QoS 1. QoS 0: a door report each cycle, an error every 4th,
        // an analog report every 4th, and each second (10 cycles) a counter report and telemetry.
        expect(c, phase).toMatchObject({ failures: 0, errors: 0, relayChanges: 4 * CYCLES, qos1: 4 * CYCLES, refused: CYCLES / 4 });
        // The once-a-second reports may fall either side of the window's edges.
        expect(Math.abs(c.qos0 - (CYCLES + CYCLES / 4 + CYCLES / 4 + CYCLES / 10 + CYCLES / 10)), phase).toBeLessThanOrEqual(2);
      }
      expect(r).toMatchObject({ connected: true, inflight: 0, kept: true });
      // Telemetry and sensor reports hand fractional values to writeFixedAt() as (array, index): a number
      // passed to a call V8 does not inline would be boxed in a 16-byte heap number each time.
      const d = r.phases.device;
      expect(Math.abs(d.counters.telemetry - CYCLES / 10)).toBeLessThanOrEqual(2);
      expect(allocProblems(r, ["device"])).toEqual([]);
      // The control keeps one small object more every 64th cycle: seen on top.
      expect(r.phases.control.youngBytes - d.youngBytes).toBeGreaterThanOrEqual((CYCLES / 64) * 12);
      expect(allocProblems(r, ["control"])).toHaveLength(1);
    }, 60_000);
  }
});
