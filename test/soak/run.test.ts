// `npm run soak`: a short soak (12 s of faults against a real mosquitto, then the drain) ends with its
// summary line: commands flowed, none lost or applied twice, the board reconnected, its memory did not
// grow; a bad command line exits 2 with one line.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mosquittoPath } from "../support/mosquitto";

const SUMMARY = /^soak: commands (\d+), lost (\d+), duplicated (\d+), reconnects (\d+), memory growth (-?\d+) bytes$/;

function soak(args: string[]): { status: number | null; out: string; err: string; summary: RegExpExecArray | null } {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "test/soak/run.ts", ...args], { encoding: "utf8", timeout: 240_000 });
  const lines = r.stdout.trim().split("\n");
  return { status: r.status, out: r.stdout, err: r.stderr, summary: SUMMARY.exec(lines[lines.length - 1]) };
}

describe("npm run soak", () => {
  it.skipIf(mosquittoPath() === null)("12 s against mosquitto through the fault proxy: no command lost or applied twice, reconnects, no growth (skipped without mosquitto)", () => {
    const r = soak(["--minutes", "0.2", "--seed", "3"]);
    expect(r.summary, r.out + r.err).not.toBeNull();
    const [, commands, lost, duplicated, reconnects, growth] = r.summary!.map(Number);
    expect({ lost, duplicated }, r.out).toEqual({ lost: 0, duplicated: 0 });
    // A command every 200 ms for 12 s, all accepted by the broker in the end.
    expect(commands).toBeGreaterThanOrEqual(55);
    expect(reconnects).toBeGreaterThanOrEqual(1);
    // The Device's structures in JsVars: a number field that holds a fraction rather than an integer costs
    // one more on the board too; anything kept per command or per reconnect would be far more.
    expect(growth).toBeLessThanOrEqual(5 * 14);
    expect(r.out).toMatch(/^soak: seed 3, source mode, 0.2 minute\(s\); mosquitto on 127\.0\.0\.1:\d+ behind the fault proxy\nfaults: [1-9]/);
    expect(r.out).toMatch(/\ncommands: sent \d+, accepted \d+ \(ON \d+, OFF \d+\), redelivered \d+; telemetry [1-9]\d*, sensor reports [1-9]\d*\n/);
    expect(r.status).toBe(0);
  }, 240_000);

  it.each([
    [["--minutes", "-1"], "soak: --minutes needs a number above 0"],
    [["--seed", "x"], "soak: --seed needs a number, got x"],
    [["--fast"], "soak: unknown option --fast; usage: npm run soak -- [--minutes M] [--bundle] [--seed S]"],
  ])("%j exits 2: %s", (args, line) => {
    const r = soak(args);
    expect(r.err).toBe(line + "\n");
    expect(r.status).toBe(2);
  });
});
