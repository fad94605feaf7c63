// Allocation-free proof for the codec: a child process runs the hot paths for a million cycles (200,000
// for the others) and the shared harness (test/support/alloc-harness.ts) checks each window: no GC event
// and no young-generation bytes, as shipped, without escape analysis, and unoptimized. A control in the same
// run (mqtt-packet, which allocates) must be seen allocating, proving the measurement works here.
import { describe, it, expect } from "vitest";
import { VARIANTS, UNOPTIMIZED, runAllocChild, allocProblems, type AllocReport, type Variant } from "../support/alloc-harness";
import { CYCLES, publishChecksum, pubackChecksum, matchChecksum, subscribeChecksum } from "./alloc-shared";

type Report = AllocReport & { bad: number };

const cached = new Map<string, Report>();
function runChild(variant: Variant): Report {
  let r = cached.get(variant.name);
  if (!r) {
    r = runAllocChild<Report>("test/mqtt/alloc-child.ts", [String(divisor(variant))], variant, 120_000);
    cached.set(variant.name, r);
  }
  return r;
}

/** Unoptimized code runs ~10x slower; a tenth of the cycles still shows any allocation in bytes. */
function divisor(variant: Variant): number {
  return variant === UNOPTIMIZED ? 10 : 1;
}

const HOT = ["publish", "publishSplit", "puback", "topicMatches", "subscribe"];
const CHECKSUMS: Record<string, (n: number) => number> = {
  publish: publishChecksum, publishSplit: publishChecksum, puback: pubackChecksum, topicMatches: matchChecksum,
  subscribe: subscribeChecksum,
};

describe("allocation-free codec hot paths (child process, shared harness)", () => {
  // The codec computes in small integers only, so it allocates nothing even unoptimized.
  for (const variant of [...VARIANTS, UNOPTIMIZED]) {
    const d = divisor(variant);
    it(`${variant.name}: ${(CYCLES.publish / d).toLocaleString("en")} QoS 1 PUBLISH encode+decode cycles and the other paths allocate nothing, right checksums`, () => {
      const r = runChild(variant);
      expect(r.bad).toBe(0);
      expect(r.phases.publish.ops).toBe(CYCLES.publish / d);
      for (const name of HOT) {
        const p = r.phases[name];
        expect(p.ops, name).toBeGreaterThanOrEqual(200_000 / d);
        expect(p.counters.bad, name).toBe(0);
        expect(p.checksum, name).toBe(CHECKSUMS[name](p.ops));
      }
      expect(allocProblems(r, HOT)).toEqual([]);
    }, 130_000);

    it(`${variant.name}: control: mqtt-packet generate+parse (which allocates) is seen allocating`, () => {
      const c = runChild(variant).phases.control;
      expect(c.ops).toBe(CYCLES.control / d);
      expect(c.counters.bad).toBe(0);
      expect(c.checksum).toBe((c.ops * 40) % 0x40000000);
      expect(c.gcEvents).toBeGreaterThan(0);
      expect(allocProblems(runChild(variant), ["control"])).toHaveLength(1);
    }, 130_000);
  }
});
