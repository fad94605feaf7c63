// The project as the first user of its scenario runner: every scenario in scenarios/ runs in both
// modes (the TypeScript sources, and the built bundle in the Espruino shim), each on a fresh broker.
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScenarioFile } from "../../sim/scenario/api";

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../scenarios");
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const CASES = FILES.flatMap((file) => (["source", "bundle"] as const).map((mode) => ({ file, mode })));

describe("the scenarios shipped in scenarios/", () => {
  it("are there, covering what the default board does", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES)("$file passes in $mode mode", async ({ file, mode }) => {
    const r = await runScenarioFile(join(DIR, file), { mode });
    // On a failure the scenario's own output (expected, seen, events, trace) is the message.
    expect(r.passed, r.output.join("\n")).toBe(true);
    expect(r.steps.every((s) => s.ok)).toBe(true);
  }, 60_000);
});
