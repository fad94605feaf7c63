// The allocation harness (test/support/alloc-harness.ts) catches what GC-event counting misses: an
// allocation every 64th operation, and a non-escaping object that V8's escape analysis removes but the
// interpreter on the board would allocate. Both must fail it; an allocation-free loop must pass.
import { describe, it, expect } from "vitest";
import { VARIANTS, runAllocChild, allocProblems, TOLERANCE_BYTES, type AllocReport } from "../support/alloc-harness";

const CHILD = "test/alloc/proof-child.ts";
const reports = new Map<string, AllocReport>();
function report(variant: string): AllocReport {
  let r = reports.get(variant);
  if (!r) {
    r = runAllocChild<AllocReport>(CHILD, [], VARIANTS.find((v) => v.name === variant)!);
    reports.set(variant, r);
  }
  return r;
}
/** What the harness says about one phase over every variant it runs. */
function verdict(phase: string): string[] {
  return VARIANTS.flatMap((v) => allocProblems(report(v.name), [phase]));
}

describe("the allocation harness", () => {
  it("passes a loop that allocates nothing, in every variant", () => {
    expect(verdict("clean")).toEqual([]);
    for (const v of VARIANTS) expect(report(v.name).phases.clean.gcEvents).toBe(0);
  }, 60_000);

  it("fails one small object every 64th operation, which starts no GC", () => {
    const r = report("default").phases.every64;
    expect(r.gcEvents, "a GC-event count alone would have passed this").toBe(0);
    // 1,000 objects of at least 12 bytes each.
    expect(r.youngBytes).toBeGreaterThanOrEqual((r.ops / 64) * 12);
    expect(verdict("every64").length).toBe(VARIANTS.length);
  }, 60_000);

  it("fails a non-escaping object literal: escape analysis hides it, the no-escape-analysis run does not", () => {
    const shipped = report("default").phases.literal;
    expect(shipped.gcEvents).toBe(0);
    expect(shipped.youngBytes, "TurboFan removed the object").toBeLessThanOrEqual(TOLERANCE_BYTES);
    const bare = report("no-escape-analysis").phases.literal;
    expect(bare.youngBytes).toBeGreaterThan(bare.ops);
    expect(verdict("literal")).toEqual([expect.stringMatching(/^literal: \d+ young-generation bytes in 64000 operations .*--no-turbo-escape/)]);
  }, 60_000);
});
