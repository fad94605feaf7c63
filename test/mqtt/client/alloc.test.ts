// The client's hot paths allocate nothing after start-up: publish QoS 1 + PUBACK and receive QoS 1
// PUBLISH (+ PUBACK), 250,000 cycles each with an integer and with a fractional wall clock, checked by the
// shared harness (no GC event, no young-generation bytes) as shipped and without escape analysis. A
// control phase, the same loop keeping one small object every 64th cycle, must fail it.
import { describe, it, expect } from "vitest";
import { VARIANTS, runAllocChild, allocProblems, type AllocReport } from "../../support/alloc-harness";

const CHILD = "test/mqtt/client/alloc-client-child.ts";
const CYCLES = 250_000;

type Report = AllocReport & { stillConnected: boolean };

describe("allocation-free client hot paths (child process, shared harness)", () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: ${CYCLES} publish QoS 1 + PUBACK and receive QoS 1 cycles allocate nothing; a 1-in-64 allocation is caught`, () => {
      const r = runAllocChild<Report>(CHILD, [String(CYCLES)], variant, 60_000);
      for (const phase of ["client", "wallclock", "control"]) {
        expect(r.phases[phase].counters, phase).toEqual({ published: CYCLES, messages: CYCLES, failures: 0, errors: 0, connected: 0 });
      }
      expect(r.stillConnected).toBe(true);
      expect(allocProblems(r, ["client", "wallclock"])).toEqual([]);
      // 250,000 / 64 objects kept: the harness must see them, though no GC may start.
      expect(r.phases.control.youngBytes).toBeGreaterThanOrEqual((CYCLES / 64) * 12);
      expect(allocProblems(r, ["control"])).toHaveLength(1);
    }, 60_000);
  }
});
