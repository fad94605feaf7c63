// The benchmark runner's command line (the benchmarks themselves run only with `npm run bench`).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

const bench = (args: string[]) => spawnSync("npm", ["run", "-s", "bench", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 30000 });

describe("npm run bench", () => {
  it("--help prints the usage and the benchmarks on stdout, exit 0", () => {
    const r = bench(["--help"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("usage: npm run bench [-- NAME...]");
    expect(r.stdout).toContain("Benchmarks: codec, latency, fleet, espruino, features.");
  });

  it("an unknown name exits 2 and lists the known ones on stderr", () => {
    const r = bench(["nope"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown benchmark: nope\nknown benchmarks: codec, latency, fleet, espruino");
  });
});
