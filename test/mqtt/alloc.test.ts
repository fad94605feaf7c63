// Allocation-free proof: a child process runs the codec's hot paths for a million cycles and counts the
// V8 garbage collections (PerformanceObserver 'gc' entries) that start while they run: there must be
// none. A control in the same run (mqtt-packet, which allocates) must show GCs, proving the observer
// sees them on this Node version. Plain `node --import tsx`: no flags that change or hide GC.
import { describe, it, expect } from "vitest";
import { runGcChild } from "../support/gc-child";
import { CYCLES, publishChecksum, pubackChecksum, matchChecksum, subscribeChecksum } from "./alloc-shared";


interface PhaseReport { cycles: number; gcEvents: number; checksum: number; bad: number; ms: number }
interface Report {
  cycles: number; gcEvents: number; gcTotal: number; checksum: number; bad: number; node: string;
  phases: Record<string, PhaseReport>;
}

let cached: Report | null = null;
function runChild(): Report {
  cached ??= runGcChild<Report>("test/mqtt/alloc-child.ts", [], 120_000);
  return cached;
}

describe("allocation-free hot paths (GC events counted in a child process)", () => {
  it("1,000,000 QoS 1 PUBLISH encode+decode cycles: zero GC events, right checksum", () => {
    const r = runChild();
    expect(r.cycles).toBeGreaterThanOrEqual(1e6);
    expect(r.bad).toBe(0);
    expect(r.checksum).toBe(publishChecksum(r.cycles));
    expect(r.gcEvents, JSON.stringify(r)).toBe(0);
  }, 130_000);

  it("the other hot paths, each >= 200,000 cycles: zero GC events, right checksums", () => {
    const r = runChild();
    const expected: Record<string, (n: number) => number> = {
      publishSplit: publishChecksum, puback: pubackChecksum, topicMatches: matchChecksum, subscribe: subscribeChecksum,
    };
    for (const [name, sum] of Object.entries(expected)) {
      const p = r.phases[name];
      expect(p.cycles, name).toBeGreaterThanOrEqual(200_000);
      expect(p.bad, name).toBe(0);
      expect(p.checksum, name).toBe(sum(p.cycles));
      expect(p.gcEvents, name + " " + JSON.stringify(r.phases)).toBe(0);
    }
  }, 130_000);

  it("control: mqtt-packet generate+parse (which allocates) shows GC events, so the observer works", () => {
    const r = runChild();
    const c = r.phases.control;
    expect(c.cycles).toBe(CYCLES.control);
    expect(c.bad).toBe(0);
    expect(c.checksum).toBe((c.cycles * 40) % 0x40000000);
    expect(c.gcEvents).toBeGreaterThan(0);
    expect(r.gcTotal).toBeGreaterThanOrEqual(c.gcEvents);
  }, 130_000);
});
