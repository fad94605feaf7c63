// npm run build: the repo's board becomes one self-contained ES5 file that passes the Espruino check; a
// broken board or a failed write never costs the previous build, secrets reach the firmware file only
// (mode 0600), and every user error is one line.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, mkdirSync, statSync, rmSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "../../sim/cli/build";
import { pretokenise } from "../../sim/build/pretokenise";
import { checkEspruino } from "../../sim/build/espruino-check";

const ROOT = resolve(__dirname, "../..");
const TSX = createRequire(import.meta.url).resolve("tsx/cli");
const ENV = { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: "battery-staple" };
const BOARD = JSON.parse(readFileSync(join(ROOT, "board.json"), "utf8"));

const dir = mkdtempSync(join(tmpdir(), "relaymq-build-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string | undefined> = ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await build(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** The build as a user runs it: its own process, output through pipes. */
function runCli(args: string[], env: Record<string, string> = ENV, cwd = ROOT) {
  const r = spawnSync(process.execPath, [TSX, join(ROOT, "sim/cli/build.ts"), ...args], {
    cwd, encoding: "utf8", timeout: 60000, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function boardFile(mutate: (b: any) => void, name = `board-${Math.random().toString(36).slice(2)}.json`): string {
  const b = JSON.parse(JSON.stringify(BOARD));
  mutate(b);
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(b, null, 2));
  return p;
}

describe("npm run build", () => {
  it("bundles board.json into one ES5 file for its owner only, prints its size (as text and as stored) and the wiring table", async () => {
    const file = join(dir, "ok", "firmware.js");
    const r = await run(["--board", "board.json", "--out", file]);
    expect(r.code, r.err).toBe(0);
    const source = readFileSync(file, "utf8");
    expect(r.out).toContain(`${file}: ${Buffer.byteLength(source)} bytes`);
    expect(r.out).toContain(`on the board: ${pretokenise(source).length} bytes, as npm run flash stores it (pretokenised)`);
    expect(r.out).toMatch(/pump\s+relay\s+D26/);
    expect(checkEspruino(source)).toEqual([]);
    for (const m of source.match(/require\("([^"]+)"\)/g) ?? []) expect(m).toMatch(/require\("(net|tls|Wifi|Storage|ESP32|TelnetServer)"\)/);
    // The validated config is embedded, secrets resolved from the environment, and only its owner reads it.
    expect(source).toContain("esp32-01");
    expect(source).toContain("battery-staple");
    expect(source).not.toContain("$MQTT_PASSWORD");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // No temporary file is left beside the outputs.
    expect(readdirSync(join(dir, "ok")).sort()).toEqual(["firmware.board.json", "firmware.js"]);
  }, 60000);

  it("keeps every value from the environment out of the board description and the output", async () => {
    const env = { ...ENV, MQTT_USER: "user-7f3a", TOKEN: "tok-91c2e", DEVICE_ID: "dev-5d1" };
    const board = boardFile((b) => {
      b.id = "$DEVICE_ID";
      b.mqtt.username = "$MQTT_USER";
      b.topics = { prefix: "site/{id}", status: "$TOKEN" };
    });
    const file = join(dir, "secret", "firmware.js");
    const r = await run(["--board", board, "--out", file], env);
    expect(r.code, r.err).toBe(0);
    const source = readFileSync(file, "utf8");
    for (const v of Object.values(env)) expect(source).toContain(v);
    const sidecar = readFileSync(join(dir, "secret", "firmware.board.json"), "utf8");
    for (const v of Object.values(env)) {
      expect(sidecar).not.toContain(v);
      expect(r.out + r.err).not.toContain(v);
    }
    const pub = JSON.parse(sidecar);
    expect(pub.id).toBe("$DEVICE_ID");
    expect(pub.mqtt).toMatchObject({ username: "$MQTT_USER", password: null, clientId: "$DEVICE_ID" });
    expect(pub.wifi.password).toBe("");
    expect(pub.topics.prefix).toBe("site/$DEVICE_ID");
    expect(pub.topics.status).toBe("$TOKEN");
    expect(pub.topics.telemetry).toBe("site/$DEVICE_ID/telemetry");
  }, 60000);

  it("warns about settings that cannot work on a board: a loopback broker and TLS", async () => {
    const file = join(dir, "warn", "firmware.js");
    const r = await run(["--board", boardFile((b) => { b.mqtt.tls = true; b.mqtt.port = 8883; }), "--out", file]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.split("\n")).toEqual([
      'warning: mqtt.host: "127.0.0.1" is the board itself once flashed: name the broker by its address on your network (the simulator routes any host to its broker, so it works there)',
      "warning: mqtt.tls: needs an Espruino build with TLS: the official ESP32 release (ESP-IDF 3, boards/ESP32.py) has it, the ESP-IDF 4 build does not; TLS also takes tens of KB of the board's heap",
    ]);
    const named = await run(["--board", boardFile((b) => { b.mqtt.host = "$BROKER"; }), "--out", file], { ...ENV, BROKER: "localhost" });
    expect(named.err).toContain("warning: mqtt.host: $BROKER, a loopback address, is the board itself once flashed");
    const lan = await run(["--board", boardFile((b) => { b.mqtt.host = "192.168.1.10"; }), "--out", file]);
    expect(lan.err).toBe("");
  }, 60000);

  it.each([
    ["a relay on an input-only pin", (b: any) => { b.relays[1].pin = "D34"; b.sensors = b.sensors.filter((s: any) => s.pin !== "D34"); },
      "relays[1].pin: D34 is input-only on ESP32", ENV],
    ["an unknown sensor type", (b: any) => { b.sensors[0].type = "thermo"; }, "sensors[0].type", ENV],
    ["a secret missing from the environment", () => {}, "mqtt.password: $MQTT_PASSWORD is not set in the environment",
      { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: undefined }],
  ])("%s: exit 1, the path named, the previous build kept", async (_name, mutate, message, env) => {
    const out = join(dir, "kept");
    mkdirSync(out, { recursive: true });
    const file = join(out, "firmware.js");
    writeFileSync(file, "previous good build");
    writeFileSync(join(out, "firmware.board.json"), "{}");
    const r = await run(["--board", boardFile(mutate), "--out", file], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`${file} is the previous build, left as it was`);
    expect(readFileSync(file, "utf8")).toBe("previous good build");
    expect(readFileSync(join(out, "firmware.board.json"), "utf8")).toBe("{}");
  });

  it("refuses to write over its inputs", async () => {
    const board = boardFile(() => {}, "mine.board.json");
    const before = readFileSync(board, "utf8");
    for (const [out, why] of [
      [board, `--out ${board} is the board file: the build would overwrite its own input`],
      // Its description would land on the board: mine.js -> mine.board.json.
      [join(dir, "mine.js"), `its board description ${board} is the board file`],
      [join(ROOT, "board.schema.json"), "is the board schema, an input of the build"],
      [join(ROOT, "firmware/device/x.js"), "is inside firmware/, the sources the build reads"],
    ]) {
      const r = await run(["--board", board, "--out", out]);
      expect(r.code, out).toBe(1);
      expect(r.err).toContain(why);
      expect(r.err.split("\n")).toHaveLength(1);
    }
    expect(readFileSync(board, "utf8")).toBe(before);
    expect(existsSync(join(ROOT, "firmware/device/x.js"))).toBe(false);
  });

  it.each([
    ["--out naming a directory", () => ["--out", dir], `not built: --out ${dir} is a directory; name a file, e.g. ${join(dir, "firmware.js")}`],
    ["--out where nothing may be written", () => ["--out", "/proc/x"], "not built: cannot write /proc/x: "],
    ["--out in a directory that cannot be made", () => ["--out", "/proc/relaymq/firmware.js"], "not built: cannot write /proc/relaymq/firmware.js: "],
    ["a board nested 2,000 levels deep", () => {
      const p = join(dir, "deep.json");
      writeFileSync(p, '{"a":'.repeat(2000) + "1" + "}".repeat(2000));
      return ["--board", p, "--out", join(dir, "deep.js")];
    }, "not valid JSON: nested more than 64 levels deep"],
  ])("%s: one line, exit 1, no stack trace", (_name, args, message) => {
    const r = runCli(args());
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at |Error:|RangeError/);
    expect(r.err.trim().split("\n").length).toBeLessThanOrEqual(2);
  }, 60000);

  it("reports 10,000 problems in full through a pipe", () => {
    const board = boardFile((b) => {
      for (let i = 0; i < 10000; i++) b[`extra${i}`] = i;
    });
    const r = runCli(["--board", board, "--out", join(dir, "many.js")]);
    expect(r.code).toBe(1);
    const errors = r.err.split("\n").filter((l) => l.startsWith("  error: "));
    expect(errors).toHaveLength(10000);
    expect(errors[9999]).toBe("  error: extra9999: unknown property");
  }, 60000);

  it("takes relative paths from the directory the user runs it in", () => {
    const here = join(dir, "here");
    mkdirSync(here, { recursive: true });
    writeFileSync(join(here, "b.json"), JSON.stringify(BOARD));
    // npm run starts the script in the package root and says where the user is in INIT_CWD.
    const r = runCli(["--board", "b.json", "--out", "out/fw.js"], { ...ENV, INIT_CWD: here });
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(here, "out/fw.js"))).toBe(true);
    expect(existsSync(join(here, "out/fw.board.json"))).toBe(true);
  }, 60000);

  it.each([
    [["--bord", "x"], "unknown argument: --bord"],
    [["--board"], "--board needs a file"],
    [["--out", "--board", "b.json"], "--out needs a file"],
  ])("%j is a usage error (exit 2): %s", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toBe(message);
    expect(r.err).toContain("usage: npm run build");
    expect(r.out).toBe("");
  });

  it("--help prints the usage on stdout, exit 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: npm run build");
    expect(r.err).toBe("");
  });
});
