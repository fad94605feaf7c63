// The simulator's command line as users run it: `npm start` / `npm run sim -- ...` as child processes,
// read through stdout (headless JSON lines) or a pseudo-terminal (the live view), stopped with Ctrl-C.
import { describe, expect, it, afterEach } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import tls from "node:tls";
import { Aedes } from "aedes";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSimArgs } from "../../sim/cli/sim-args";
import { build } from "../../sim/cli/build";
import { startAedes } from "../../sim/broker/embedded";
import { freePort } from "../support/mosquitto";
import { until } from "../support/wait";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SECRETS = { WIFI_PASSWORD: "w", MQTT_PASSWORD: "m" };

interface Running {
  proc: ChildProcess;
  out: string;
  err: string;
  events(): any[];
  exited: Promise<number>;
}

const running: Running[] = [];
afterEach(() => {
  for (const r of running.splice(0)) {
    if (r.proc.exitCode === null && r.proc.signalCode === null) process.kill(-r.proc.pid!, "SIGKILL");
  }
});

/** ctrlC(r): SIGINT to the child's whole process group, as a terminal's Ctrl-C. */
function ctrlC(r: Running): void {
  process.kill(-r.proc.pid!, "SIGINT");
}

// Each child leads its own process group, so Ctrl-C can reach the whole group as a terminal sends it.
function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const proc = spawn(command, args, {
    cwd: root, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"], detached: true,
  });
  const r: Running = {
    proc,
    out: "",
    err: "",
    events: () => r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)),
    exited: new Promise((res) => proc.on("exit", (code, signal) => res(code ?? (signal ? 128 : -1)))),
  };
  proc.stdout!.on("data", (d) => (r.out += d));
  proc.stderr!.on("data", (d) => (r.err += d));
  running.push(r);
  return r;
}

/** buildWithSecrets(out) -> `npm run build -- --out out`'s status, with the board's secrets set meanwhile. */
async function buildWithSecrets(out: string): Promise<number> {
  const saved = { ...process.env };
  Object.assign(process.env, SECRETS);
  try {
    return await build(["--out", out], () => {}, () => {});
  } finally {
    for (const k of Object.keys(SECRETS)) if (saved[k] === undefined) delete process.env[k];
  }
}

/** inTempDir(fn): fn with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "relaymq-sim-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sim = (args: string[], env: NodeJS.ProcessEnv = {}) => start(process.execPath, ["--import", "tsx", "sim/cli/sim.ts", ...args], env);
const has = (r: Running, pred: (e: any) => boolean) => r.events().some(pred);
const waitEvent = (r: Running, pred: (e: any) => boolean, what: string, ms = 10000) =>
  until(() => has(r, pred), ms, () => `${what}; stdout ${r.out.slice(-1500)} stderr ${r.err.slice(-1500)}`);

describe("npm start / npm run sim", () => {
  it("headless: the board connects, the printed mosquitto_pub line switches relay 1, Ctrl-C stops it cleanly", async () => {
    const port = await freePort();
    const r = start("npm", ["start", "--silent", "--", "--headless", "--port", String(port)]);
    await waitEvent(r, (e) => e.event === "published" && e.topic === "devices/esp32-01/status" && e.payload === "online", "online");
    const line = /switch relay 1: (mosquitto_pub .*)/.exec(r.err)?.[1];
    expect(line).toBe(`mosquitto_pub -h 127.0.0.1 -p ${port} -t 'devices/esp32-01/relay/pump/set' -m ON`);
    const pub = spawnSync("sh", ["-c", line!], { encoding: "utf8", timeout: 10000 });
    expect(pub.status, pub.stderr).toBe(0);
    await waitEvent(r, (e) => e.event === "relay" && e.relay === "pump" && e.on === true && e.level === 0, "the pump on, pin LOW");
    // Every line of stdout is one JSON object with a time, the board and the event.
    for (const l of r.out.trim().split("\n")) expect(Object.keys(JSON.parse(l)).slice(0, 3)).toEqual(["t", "device", "event"]);
    ctrlC(r);
    // npm itself dies of the SIGINT, as in a shell; the simulator under it stopped cleanly first.
    await r.exited;
    const ev = r.events();
    expect(ev.filter((e) => e.event === "published" && e.topic === "devices/esp32-01/status").map((e) => e.payload)).toEqual(["online", "offline"]);
    expect(ev[ev.length - 1]).toMatchObject({ event: "stopped", how: "clean" });
  });

  it("--bundle runs the built dist/firmware.js in the Espruino shim", async () => {
    await inTempDir(async (dir) => {
    const out = join(dir, "firmware.js");
    expect(await buildWithSecrets(out)).toBe(0);
    const r = sim(["--bundle", out, "--headless", "--port", String(await freePort())]);
    await waitEvent(r, (e) => e.event === "connected", "the bundle to connect");
    expect(r.events()[0]).toMatchObject({ event: "boot", mode: "bundle", device: "esp32-01" });
    await waitEvent(r, (e) => e.event === "published" && e.payload === "online", "online");
    r.proc.kill("SIGTERM");
    expect(await r.exited).toBe(0);
    expect(r.events().pop()).toMatchObject({ event: "stopped", how: "clean" });
    });
  });

  it("--devices 3 runs three boards with their own ids and reports the fleet every second", async () => {
    const r = sim(["--devices", "3", "--headless", "--port", String(await freePort())]);
    await waitEvent(r, (e) => e.event === "fleet" && e.connected === 3, "3 boards connected");
    expect(r.events().find((e) => e.event === "boot")).toMatchObject({ device: "esp32-01-0001", clientId: "esp32-01-0001" });
    // Each board its own topics: the first one announces itself on its own status topic.
    await waitEvent(r, (e) => e.event === "published" && e.topic === "devices/esp32-01-0001/status" && e.payload === "online", "board 0001 online");
    expect(r.err).not.toContain("share them");
    r.proc.kill("SIGINT");
    expect(await r.exited).toBe(0);
  });

  it("--broker uses an external broker instead of the embedded one", async () => {
    const b = await startAedes(0);
    const clients: string[] = [];
    b.aedes.on("client", (c) => clients.push(c.id));
    try {
      const r = sim(["--broker", `mqtt://127.0.0.1:${b.port}`, "--headless"]);
      await waitEvent(r, (e) => e.event === "connected", "connected to the external broker");
      expect(r.events()[0]).toMatchObject({ event: "boot", broker: `mqtt://127.0.0.1:${b.port}` });
      expect(clients).toContain("esp32-01");
      r.proc.kill("SIGINT");
      expect(await r.exited).toBe(0);
    } finally {
      await b.close();
    }
  });

  it("--broker mqtts:// with --ca reaches a TLS broker, in source and bundle mode", async () => {
    const fixture = (name: string) => readFileSync(join(root, "test/fixtures/tls", name));
    const aedes = await Aedes.createBroker();
    const server = tls.createServer({ cert: fixture("broker.crt"), key: fixture("broker.key") }, aedes.handle as any);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const conns = new Set<tls.TLSSocket>();
    server.on("secureConnection", (c) => conns.add(c));
    const dir = mkdtempSync(join(tmpdir(), "relaymq-sim-"));
    try {
      const ca = join(root, "test/fixtures/tls/broker.crt");
      const source = sim(["--broker", `mqtts://localhost:${port}`, "--ca", ca, "--headless"]);
      await waitEvent(source, (e) => e.event === "connected", "a TLS session from the sources");
      expect(source.events()[0]).toMatchObject({ broker: `mqtts://localhost:${port}` });
      // The board's user name comes along for an external broker; the password stays in the environment.
      expect(source.err).toContain(`mosquitto_pub -h localhost -p ${port} --cafile '${ca}' -u 'esp32-01' -P "$MQTT_PASSWORD" -t`);
      source.proc.kill("SIGINT");
      expect(await source.exited).toBe(0);

      const out = join(dir, "firmware.js");
      expect(await buildWithSecrets(out)).toBe(0);
      const bundled = sim(["--bundle", out, "--broker", `mqtts://localhost:${port}`, "--ca", ca, "--headless"]);
      await waitEvent(bundled, (e) => e.event === "connected", "a TLS session from the bundle");
      bundled.proc.kill("SIGINT");
      expect(await bundled.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => server.close(() => aedes.close(() => r())));
    }
  });

  it("without a terminal it falls back to JSON lines and says so", async () => {
    const r = sim(["--port", String(await freePort())]);
    await waitEvent(r, (e) => e.event === "connected", "connected");
    expect(r.err).toContain("not a terminal");
    r.proc.kill("SIGINT");
    expect(await r.exited).toBe(0);
  });

  it("the live view draws the board in a terminal, keys drive inputs, q stops cleanly", async () => {
    const port = await freePort();
    // script(1) gives the simulator a pseudo-terminal, as a user's shell would.
    const cmd = `${process.execPath} --import tsx sim/cli/sim.ts --port ${port}`;
    const r = start("script", ["-qfec", cmd, "/dev/null"], { COLUMNS: "120", LINES: "40" });
    await until(() => r.out.includes("connected") && r.out.includes(`-p ${port}`), 10000, () => `the live screen: ${r.out.slice(-3000)}`);
    expect(r.out).toContain("relaymq simulator");
    expect(r.out).toContain("pump");
    r.proc.stdin!.write("1"); // the door input flips
    await until(() => /door\s.*\b1\b/.test(r.out.slice(-8000)), 5000, () => `the door to report 1: ${r.out.slice(-3000)}`);
    r.proc.stdin!.write("q");
    expect(await r.exited).toBe(0);
    // The terminal is given back: cursor shown, alternate screen left.
    expect(r.out).toContain("\u001b[?25h\u001b[?1049l");
  });

  it.each([
    { name: "a broken board", args: ["--board", "BAD"], code: 1, says: "relays[0].pin" },
    { name: "a missing bundle", args: ["--bundle", "/nonexistent/firmware.js"], code: 1, says: "build it first: npm run build" },
    { name: "an unknown flag", args: ["--fast"], code: 2, says: "unknown argument: --fast" },
  ])("exits with $code and a clear message on $name", async ({ args, code, says }) => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-sim-"));
    try {
      const bad = join(dir, "board.json");
      writeFileSync(bad, JSON.stringify({ id: "x", wifi: { ssid: "s" }, mqtt: { host: "h" }, relays: [{ name: "r", pin: "D34" }] }));
      const r = sim(args.map((a) => (a === "BAD" ? bad : a)), { WIFI_PASSWORD: "w" });
      expect(await r.exited).toBe(code);
      expect(r.err).toContain(says);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--ca naming a file that is missing or no certificate: one line, exit 1", async () => {
    await inTempDir(async (dir) => {
    const notPem = join(dir, "ca.pem");
    writeFileSync(notPem, "hello");
    for (const [file, says] of [
      ["/nonexistent.pem", "--ca /nonexistent.pem: cannot read it (no such file or directory)"],
      [notPem, `--ca ${notPem}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`],
    ]) {
      const r = sim(["--broker", "mqtts://localhost:1", "--ca", file, "--headless"]);
      expect(await r.exited).toBe(1);
      expect(r.err.trim()).toBe(says);
    }
    });
  });

  it("--bundle with --board: says the bundle runs its own board (exit 2) instead of ignoring --board", async () => {
    await inTempDir(async (dir) => {
    const out = join(dir, "firmware.js");
    expect(await buildWithSecrets(out)).toBe(0);
    const r = sim(["--bundle", out, "--board", "board.json", "--headless"]);
    expect(await r.exited).toBe(2);
    expect(r.err.trim()).toBe(`--board ${join(root, "board.json")}: ${out} runs the board it was built from ` +
      `(${join(dir, "firmware.board.json")}); drop --board, or rebuild with it: npm run build -- --board ${join(root, "board.json")}`);
    });
  });

  it("--help prints the usage on stdout, exit 0", async () => {
    const r = sim(["--help"]);
    expect(await r.exited).toBe(0);
    expect(r.out).toContain("usage: npm run sim");
    expect(r.err).toBe("");
  });

  it("takes a relative --board from the directory the user stands in (INIT_CWD under npm run)", async () => {
    await inTempDir(async (dir) => {
    const board = JSON.parse(readFileSync(join(root, "board.json"), "utf8"));
    board.id = "from-here";
    writeFileSync(join(dir, "mine.json"), JSON.stringify(board));
    const r = sim(["--board", "mine.json", "--headless", "--port", String(await freePort())], { ...SECRETS, INIT_CWD: dir });
    await waitEvent(r, (e) => e.event === "boot", "the board to boot");
    expect(r.events()[0]).toMatchObject({ event: "boot", device: "from-here" });
    ctrlC(r);
    expect(await r.exited).toBe(0);
    });
  });

  it("a port already in use is reported with the ways out", async () => {
    const b = await startAedes(0);
    try {
      const r = sim(["--headless", "--port", String(b.port)]);
      expect(await r.exited).toBe(1);
      expect(r.err).toContain(`port ${b.port} on 127.0.0.1 is in use`);
      expect(r.err).toContain("--broker mqtt://127.0.0.1:");
    } finally {
      await b.close();
    }
  });
});

describe("simulator arguments", () => {
  it.each([
    { argv: ["--port", "x"], says: "--port x: not a whole number" },
    { argv: ["--port", "0"], says: "--port 0: must be 1..65535" },
    { argv: ["--devices", "0"], says: "--devices 0: must be 1..20000" },
    { argv: ["--broker", "http://h:1"], says: "use mqtt://HOST:PORT or mqtts://HOST:PORT, not http://" },
    { argv: ["--ca", "ca.pem"], says: "--ca is for a TLS broker" },
    { argv: ["--broker", "nonsense"], says: "not a URL" },
    { argv: ["--broker", "mqtt://h:1", "--port", "5"], says: "with --broker there is none" },
    { argv: ["--bundle", "--devices", "2"], says: "a fleet (--devices) runs from the sources" },
    { argv: ["--board"], says: "--board needs a file" },
    { argv: ["--board", "--headless"], says: "--board needs a file" },
    { argv: ["--ca", "--headless"], says: "--ca needs a PEM file" },
  ])("refuses $argv", ({ argv, says }) => {
    const r = parseSimArgs(argv);
    expect(typeof r).toBe("string");
    expect(r).toContain(says);
  });

  it("reads every flag", () => {
    expect(parseSimArgs(["--board", "b.json", "--broker", "mqtt://10.0.0.2:1884", "--headless", "--trace", "--devices", "5"])).toMatchObject({
      board: resolve("b.json"), broker: { host: "10.0.0.2", port: 1884, tls: false }, headless: true, trace: true, devices: 5, bundle: null,
    });
    expect(parseSimArgs(["--bundle", "--port", "1999"])).toMatchObject({ bundle: join(root, "dist/firmware.js"), port: 1999 });
    expect(parseSimArgs(["--broker", "mqtt://[::1]"])).toMatchObject({ broker: { host: "::1", port: 1883, tls: false } });
    expect(parseSimArgs(["--broker", "mqtts://broker.example", "--ca", "ca.pem"])).toMatchObject({
      broker: { host: "broker.example", port: 8883, tls: true }, ca: resolve("ca.pem"),
    });
  });
});
