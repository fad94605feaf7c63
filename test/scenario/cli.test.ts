// npm run sim -- --scenario: the command a CI job runs. One line per step, the summary line, the JUnit
// file, and the exit codes: 0 all passed, 1 a failure, 2 an invalid file or bad usage, 42 the overall
// --timeout ran out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runSim } from "../../sim/cli/sim";
import { EXIT_TIMEOUT } from "../../sim/cli/sim-args";
import { BROKERS, brokerAvailable } from "../support/brokers";

const dir = mkdtempSync(join(tmpdir(), "relaymq-scenario-cli-"));
const BOARD = resolve("board.json");

function scenario(name: string, steps: string): string {
  const p = join(dir, name);
  writeFileSync(p, `name: ${name.replace(/\.yaml$/, "")}\nboard: ${BOARD}\nsteps:\n${steps}`);
  return p;
}

const PASSES = scenario("passes.yaml", `  - expect: { topic: "{prefix}/status", payload: online, within: 2s }
  - publish: { topic: "{prefix}/relay/pump/set", payload: "ON", qos: 1 }
  - expect-relay: { pump: on, pin: low }
`);
const FAILS = scenario("fails.yaml", `  - expect: { topic: "{prefix}/status", payload: online, within: 2s }
  - expect-relay: { pump: on, within: 0s }
  - advance: 1s
`);
const SLOW = scenario("slow.yaml", `  - wait: 5s
`);
const INVALID = scenario("invalid.yaml", `  - expect: { topic: "{prefix}/status" }
  - advance: 5
`);

/** sim(args) -> exit code, stdout lines and stderr lines of runSim in this process. */
async function sim(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  let out = "";
  const err: string[] = [];
  const code = await runSim(args, {
    out: { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WriteStream,
    err: (l) => err.push(l),
    input: process.stdin,
    env: {},
  });
  return { code, out: out.split("\n").filter((l) => l !== ""), err };
}

describe("npm run sim -- --scenario", () => {
  it("exits 0 when every scenario passes, with a line per step and the summary", async () => {
    const r = await sim("--scenario", PASSES);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^scenario passes \[source\] \(.*passes\.yaml\)$/);
    expect(r.out.filter((l) => l.startsWith("  ok "))).toHaveLength(3);
    expect(r.out[1]).toMatch(/^ {2}ok {3}.*passes\.yaml:4 {2}t=0\.000s {4}expect devices\/esp32-01\/status "online" within 2 s: seen at t=0\.000s$/);
    expect(r.out.at(-1)).toMatch(/^scenarios: 1 passed, 0 failed \(/);
  });

  it("exits 1 when one fails: the failing line, what was expected, the board's events and the MQTT trace", async () => {
    const junit = join(dir, "reports", "fails.xml");
    const r = await sim("--scenario", PASSES, FAILS, "--junit", junit);
    expect(r.code).toBe(1);
    const fail = r.out.findIndex((l) => l.startsWith("  FAIL "));
    expect(r.out[fail]).toMatch(/fails\.yaml:5 {2}t=0\.000s {4}expect-relay pump on within 0 ms$/);
    expect(r.out[fail + 1]).toBe("       expected pump on within 0 ms; got pump off (D26 high)");
    expect(r.out).toContain("       the board's last events:");
    expect(r.out.some((l) => /^ {9}t=0\.000s relay relay=pump index=0 on=false pin=D26 level=1$/.test(l))).toBe(true);
    expect(r.out.some((l) => /^ {9}t=0\.000s -> board CONNACK sessionPresent=false returnCode=0/.test(l))).toBe(true);
    // The step after the failure did not run.
    expect(r.out.some((l) => l.includes("advance 1 s"))).toBe(false);
    expect(r.out.at(-1)).toMatch(/^scenarios: 1 passed, 1 failed/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="relaymq scenarios" tests="2" failures="1" errors="0" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toMatch(/<testcase name="fails \[source\]" classname="[^"]*fails" file="[^"]*fails\.yaml" time="[\d.]+">\n {6}<failure message="[^"]*fails\.yaml:5: expect-relay pump on within 0 ms: expected pump on within 0 ms; got pump off \(D26 high\)" type="scenario">/);
  });

  it("exits 2 for an invalid file and runs nothing, naming file and line", async () => {
    const r = await sim("--scenario", PASSES, INVALID);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      `${INVALID}:5: advance: a duration needs a unit: write 121s or 500ms, not 5`,
      "scenarios: 1 problem(s) in the files; nothing was run",
    ]);
  });

  it(`exits ${EXIT_TIMEOUT} when --timeout runs out: the running scenario fails, the rest are reported not run`, async () => {
    const junit = join(dir, "timeout.xml");
    const started = performance.now();
    const r = await sim("--scenario", SLOW, PASSES, "--timeout", "300ms", "--junit", junit);
    expect(r.code).toBe(EXIT_TIMEOUT);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(r.out.some((l) => l.endsWith("the overall --timeout ran out during this step"))).toBe(true);
    expect(r.out.at(-1)).toMatch(/^scenarios: 0 passed, 1 failed, 1 not run: the --timeout of 300 ms ran out/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('type="timeout"');
    expect(xml).toContain('<skipped message="not run: the overall --timeout ran out"/>');
  });

  it("runs every .yaml file of a folder, in both modes with --mode both", async () => {
    const folder = join(dir, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "b.yaml"), readFileSync(PASSES));
    writeFileSync(join(folder, "a.yml"), readFileSync(PASSES));
    writeFileSync(join(folder, "notes.txt"), "not a scenario");
    const r = await sim("--scenario", folder, "--mode", "both");
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith("scenario "))).toEqual([
      expect.stringMatching(/^scenario passes \[source\] \(.*a\.yml\)$/),
      expect.stringMatching(/^scenario passes \[bundle\] \(.*a\.yml\)$/),
      expect.stringMatching(/^scenario passes \[source\] \(.*b\.yaml\)$/),
      expect.stringMatching(/^scenario passes \[bundle\] \(.*b\.yaml\)$/),
    ]);
    expect(r.out.at(-1)).toMatch(/^scenarios: 4 passed, 0 failed/);
  }, 30_000);

  const USAGE: [string[], string][] = [
    [["--scenario", PASSES, "--port", "1884"], "--port has no use with --scenario (each scenario has its own broker and board)"],
    [["--scenario", PASSES, "--mode", "twice"], "--mode is source, bundle or both"],
    [["--scenario", PASSES, "--timeout", "5"], "--timeout: a duration needs a unit: write 121s or 500ms, not 5"],
    [["--scenario", PASSES, "--bundle", "--mode", "source"], "--bundle runs the built firmware; it cannot go with --mode source"],
    [["--junit", "x.xml"], "--mode, --junit and --timeout go with --scenario"],
    [["--scenario"], "--scenario needs a file or a folder"],
    [["--scenario", PASSES, "--bundle", join(dir, "none.js")], `${join(dir, "none.js")}: no such file; build it first (npm run build), or leave out FILE to build each scenario's board`],
  ];
  it.each(USAGE)("refuses bad usage with exit 2: %j", async (args, message) => {
    const r = await sim(...args);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(message);
  });

  it("says so for a folder without scenarios and for a path that does not exist", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    expect((await sim("--scenario", empty)).err).toEqual([`${empty}: no scenario files (.yaml or .yml) in this folder`]);
    expect((await sim("--scenario", join(dir, "nope.yaml"))).err).toEqual([`${join(dir, "nope.yaml")}: no such file or folder`]);
  });

  it("works as a user runs it: npm run sim -- --scenario FILE --junit FILE, with its exit code", () => {
    const junit = join(dir, "npm.xml");
    const ok = spawnSync("npm", ["run", "-s", "sim", "--", "--scenario", PASSES, "--junit", junit], { encoding: "utf8", timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/scenarios: 1 passed, 0 failed/);
    expect(existsSync(junit)).toBe(true);
    const bad = spawnSync("npm", ["run", "-s", "sim", "--", "--scenario", FAILS], { encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/ {2}FAIL .*fails\.yaml:5/);
  }, 60_000);
});

describe.each(BROKERS)("npm run sim -- --scenario --broker (an external $name)", (kind) => {
  if (!brokerAvailable(kind)) return;

  it("runs the scenarios in both modes against it; a broker step there fails, saying why", async () => {
    const broker = await kind.start();
    try {
      const url = `mqtt://127.0.0.1:${broker.port}`;
      const ok = await sim("--scenario", PASSES, "--mode", "both", "--broker", url);
      expect(ok.code, ok.out.join("\n")).toBe(0);
      expect(ok.out.at(-1)).toMatch(/^scenarios: 2 passed, 0 failed/);
      const stops = scenario(`stops-${kind.name}.yaml`, "  - broker: stop\n");
      const bad = await sim("--scenario", stops, "--broker", url);
      expect(bad.code).toBe(1);
      expect(bad.out).toContain(`       broker: stop needs the embedded broker (this session uses 127.0.0.1:${broker.port})`);
    } finally {
      await broker.close();
    }
  }, 30_000);
});
