// The client's hot paths allocate nothing after start-up: publish QoS 1 + PUBACK and receive QoS 1
// PUBLISH (+ PUBACK), >= 200k cycles each, with zero GC events in the window. Run in a child process so
// nothing else in the test runner allocates meanwhile; a control run that allocates must see GC events.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CHILD = "test/mqtt/client/alloc-client-child.ts";
const CYCLES = 250_000;

interface Result {
  mode: string; cycles: number; gc: number; published: number; messages: number; failures: number; errors: number;
  stillConnected: boolean;
}

function runChild(mode: string): Result {
  const r = spawnSync(process.execPath, ["--import", "tsx", CHILD, mode, String(CYCLES)], {
    cwd: root, encoding: "utf8", timeout: 60_000,
  });
  if (r.status !== 0) throw new Error("child failed (" + r.status + "): " + r.stderr);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Result;
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
