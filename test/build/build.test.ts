// npm run build: the repo's board becomes one self-contained ES5 file that passes the Espruino check;
// a broken board never produces a file, and says which path is wrong.
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../../sim/cli/build";
import { checkEspruino } from "../../sim/build/espruino-check";

const ENV = { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: "battery-staple" };

async function run(args: string[], env: Record<string, string> = ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await build(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

describe("npm run build", () => {
  it("bundles board.json into one ES5 file, prints its size and the wiring table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-build-"));
    const file = join(dir, "firmware.js");
    const r = await run(["--board", "board.json", "--out", file]);
    expect(r.code).toBe(0);
    const source = readFileSync(file, "utf8");
    expect(r.out).toContain(`${file}: ${Buffer.byteLength(source)} bytes`);
    expect(r.out).toMatch(/pump\s+relay\s+D26/);
    expect(checkEspruino(source)).toEqual([]);
    for (const m of source.match(/require\("([^"]+)"\)/g) ?? []) expect(m).toMatch(/require\("(net|tls|Wifi|Storage|ESP32|TelnetServer)"\)/);
    // The validated config is embedded, secrets resolved from the environment.
    expect(source).toContain("esp32-01");
    expect(source).toContain("battery-staple");
    expect(source).not.toContain("$MQTT_PASSWORD");
  }, 60000);

  it.each([
    ["a relay on an input-only pin", (b: any) => { b.relays[1].pin = "D34"; b.sensors = b.sensors.filter((s: any) => s.pin !== "D34"); },
      "relays[1].pin: D34 is input-only on ESP32"],
    ["an unknown sensor type", (b: any) => { b.sensors[0].type = "thermo"; }, "sensors[0].type"],
  ])("%s: exit 1, the path named, no file written", async (_name, mutate, message) => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-build-"));
    const board = JSON.parse(readFileSync("board.json", "utf8"));
    mutate(board);
    writeFileSync(join(dir, "board.json"), JSON.stringify(board));
    const file = join(dir, "firmware.js");
    writeFileSync(file, "stale build");
    const r = await run(["--board", join(dir, "board.json"), "--out", file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(existsSync(file)).toBe(false);
  });

  it("a secret missing from the environment: exit 1, named, no file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-build-"));
    const file = join(dir, "firmware.js");
    const saved = process.env.MQTT_PASSWORD;
    delete process.env.MQTT_PASSWORD;
    try {
      const r = await run(["--board", "board.json", "--out", file], { WIFI_PASSWORD: "correct-horse" });
      expect(r.code).toBe(1);
      expect(r.err).toContain("mqtt.password: $MQTT_PASSWORD is not set in the environment");
      expect(existsSync(file)).toBe(false);
    } finally {
      if (saved !== undefined) process.env.MQTT_PASSWORD = saved;
    }
  });

  it("an unknown argument is a usage error (exit 2)", async () => {
    const r = await run(["--bord", "x"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: npm run build");
  });
});
