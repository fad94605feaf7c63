// `npm run fuzz`: a short run with a fixed seed ends with its summary line and exit 0; a stream that never
// ends or kills the worker is named with its replay command, counted as an escape, and the run goes on;
// a bad command line exits 2 with one line.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";

const SUMMARY = /^fuzz: streams (\d+), packets (\d+), escapes (\d+), wrong relay writes (\d+)$/;

function fuzz(args: string[], env: Record<string, string> = {}): { status: number | null; out: string; err: string; summary: RegExpExecArray | null } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/fuzz/run.ts", ...args], {
    encoding: "utf8", timeout: 90_000, env: { ...process.env, ...env },
  });
  const lines = r.stdout.trim().split("\n");
  return { status: r.status, out: r.stdout, err: r.stderr, summary: SUMMARY.exec(lines[lines.length - 1]) };
}

describe("npm run fuzz", () => {
  it("a fixed-seed run of 900 streams (300 each for the decoder, the client and the device) finds nothing", () => {
    const r = fuzz(["--seed", "20260104", "--streams", "900"]);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^fuzz: seed 20260104, 900 streams \(replay one stream: npm run fuzz -- --seed 20260104 --stream N\)\n/);
    expect(r.summary, r.out).not.toBeNull();
    const [, streams, packets, escapes, wrong] = r.summary!.map(Number);
    expect({ streams, escapes, wrong }).toEqual({ streams: 900, escapes: 0, wrong: 0 });
    expect(packets).toBeGreaterThan(15_000);
    expect(r.status).toBe(0);
  }, 90_000);

  it("the same seed gives the same run", () => {
    const a = fuzz(["--seed", "7", "--streams", "60"]);
    const b = fuzz(["--seed", "7", "--streams", "60"]);
    expect(a.summary![0]).toBe(b.summary![0]);
    expect(Number(a.summary![2])).toBeGreaterThan(0);
  }, 90_000);

  it("a stream that hangs or kills the worker is an escape, named with its replay; the run goes on", () => {
    const r = fuzz(["--seed", "5", "--streams", "8"], { FUZZ_WORKER: "test/fuzz/stuck-worker.ts", FUZZ_HANG_MS: "800" });
    expect(r.out).toContain("stream 3 (worker):\n  hang: no progress for 0.8 s\n  replay: npm run fuzz -- --seed 5 --stream 3\n");
    expect(r.out).toMatch(/stream 5 \(worker\):\n {2}the worker died \(exit 7\)/);
    expect(r.summary![0]).toBe("fuzz: streams 8, packets 12, escapes 2, wrong relay writes 0");
    expect(r.status).toBe(1);
  }, 90_000);

  it.each([
    [["--minutes"], "fuzz: --minutes needs a number, got nothing"],
    [["--minutes", "0"], "fuzz: --minutes needs a number above 0"],
    [["--seed", "1.5"], "fuzz: --seed needs a whole number from 0 to 4294967295, got 1.5"],
    [["--stream", "3", "--streams", "4"], "fuzz: --stream replays one stream: it takes no --minutes or --streams"],
    [["--fast"], "fuzz: unknown option --fast; usage: npm run fuzz -- [--minutes N | --streams K] [--seed S] [--stream N]"],
  ])("%j exits 2: %s", (args, line) => {
    const r = fuzz(args);
    expect(r.err).toBe(line + "\n");
    expect(r.out).toBe("");
    expect(r.status).toBe(2);
  });
});
