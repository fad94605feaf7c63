// The engine and the firmware inside the real Espruino interpreter, counted in instructions (callgrind
// "Ir": stable where wall times on a shared machine are not). Needs ESPRUINO_BIN (an Espruino Linux build,
// not part of this project) and valgrind; without either it says so and skips. ESPRUINO_MQTT_MODULE, a
// path to a copy of Espruino's MQTT module (EspruinoDocs modules/MQTT.js), adds it side by side.
//
// Method (docs/espruino.md, "Cost model"): the code under test is written to Storage .bootcde,
// pretokenised as npm run flash writes it, and load()ed, so it runs from flash as on the board;
// callgrind dumps a part at every E.getAddressOf(0) the drivers call around a measured region; the
// inclusive Ir of jshFlashRead (file reads in the Linux build, memory-mapped on the ESP32) is taken out
// of each part, and so is an empty region of the same shape. Ends with one line:
// `espruino: publish P M Ir, receive R M Ir, qos1 Q M Ir, command C M Ir, jsvars J, bundle B KB`, the
// bundle as the board stores it. The module is measured as given and pretokenised, side by side.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../sim/cli/build";
import { pretokenise } from "../../sim/build/pretokenise";
import { bundleFirmware, DEVICE_ENGINE } from "../../sim/build/bundle";
import { FAKE_NET, WIFI_STUB, uploadScript } from "../support/espruino-boot";

const HERE = join(dirname(fileURLToPath(import.meta.url)), "espruino");
const ROOT = resolve(HERE, "../../..");
/** Operations per measured region. */
const N = Number(process.env.BENCH_ESPRUINO_N ?? 20);
/** Commands for the JsVar growth check (run natively, not under callgrind). */
const GROWTH_N = 1000;
// The fixed message: a 35-byte topic and a 40-byte payload.
const TOPIC = "devices/esp32-01/sensor/light/state";
const RX_TOPIC = "devices/esp32-01/relay/pump1234/set";
const FILTER = "devices/esp32-01/relay/+/set";
const PAYLOAD = '{"value":12.5,"unit":"%","uptime":12345}';
const COMMAND_TOPIC = "devices/esp32-01/relay/pump/set";

/** Ir of each callgrind part, in order, less its flash reads. */
interface Run {
  parts: number[];
  out: string;
}

function fill(template: string, values: Record<string, string | number | boolean>): string {
  return template.replace(/__([A-Z]+)__/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

function js(s: string): string {
  return JSON.stringify(s);
}

// A part's total Ir less the inclusive Ir of jshFlashRead in it.
function partCost(file: string): number {
  const text = readFileSync(file, "utf8");
  const m = /^(?:summary|totals):\s+(\d+)/m.exec(text);
  if (!m) throw new Error(`no totals in ${file}`);
  const r = spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 64 << 20 });
  const line = r.stdout.split("\n").find((l) => /:jshFlashRead\b/.test(l));
  const flash = line ? Number(line.trim().split(/\s+/)[0].replace(/,/g, "")) : 0;
  return Number(m[1]) - flash;
}

/** runCounted(bin, code, dir, counted, files) -> one run of `code` from .bootcde, under callgrind when counted. */
async function runCounted(bin: string, code: string, dir: string, counted: boolean, files: Record<string, string | Buffer> = {}): Promise<Run> {
  writeFileSync(join(dir, "upload.js"), uploadScript(code, files));
  const args = counted
    ? ["--tool=callgrind", "--dump-before=jswrap_espruino_getAddressOf", `--callgrind-out-file=${join(dir, "cg.out")}`, bin, "upload.js"]
    : ["upload.js"];
  // stdin stays an open pipe: with a closed one the interpreter reads endless 0xFF bytes as console input.
  const child = spawn(counted ? "valgrind" : bin, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  // The drivers end by printing "BENCH done" (or "BENCH growth"): load() took quit() away, so the run is
  // stopped from here; every callgrind part up to the last mark is on disk by then.
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString("latin1");
    if (/BENCH (done|growth)[^\n]*\n/.test(out)) child.kill("SIGKILL");
  });
  child.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const code2 = await new Promise<number | null>((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 600000);
    child.on("close", (c) => { clearTimeout(timer); done(c); });
  });
  if (!/BENCH done|BENCH growth/.test(out)) throw new Error(`the interpreter run did not finish (exit ${code2}):\n${out.slice(-3000)}`);
  if (/Uncaught|ERROR/.test(out)) throw new Error(`the interpreter reported an error:\n${out.slice(-3000)}`);
  const dumps = counted
    ? readdirSync(dir).filter((f) => /^cg\.out\.\d+$/.test(f)).sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]))
    : [];
  return { parts: dumps.map((f) => partCost(join(dir, f))), out };
}

function field(out: string, line: string, name: string): number {
  const l = out.split(/\r?\n/).find((x) => x.includes("BENCH " + line));
  const m = l ? new RegExp(`${name}=(\\d+)`).exec(l) : null;
  if (!m) throw new Error(`no ${name} in "BENCH ${line}":\n${out.slice(-2000)}`);
  return Number(m[1]);
}

interface Micro {
  publish: number;
  receive: number;
  qos1: number;
  jsvars: number;
}

// Regions: empty, publish, receive, qos1; each is part 1 + 2k (a small gap part between regions).
async function micro(bin: string, setup: string, files: Record<string, string | Buffer> = {}): Promise<Micro> {
  const dir = mkdtempSync(join(tmpdir(), "relaymq-bench-"));
  try {
    const driver = fill(readFileSync(join(HERE, "micro-driver.js"), "utf8"), { N, TOPIC: js(RX_TOPIC), PAYLOAD: js(PAYLOAD) });
    const run = await runCounted(bin, FAKE_NET + setup + "\n" + driver, dir, true, files);
    if (run.parts.length < 8) throw new Error(`expected 8 callgrind parts, got ${run.parts.length}:\n${run.out.slice(-2000)}`);
    if (field(run.out, "done", "got") !== 2 * N) throw new Error(`the callback ran ${field(run.out, "done", "got")} times, not ${2 * N}`);
    if (field(run.out, "done", "writes") !== 2 * N) throw new Error(`${field(run.out, "done", "writes")} writes, not ${2 * N} (publishes and PUBACKs)`);
    const region = (k: number) => run.parts[1 + 2 * k];
    const per = (k: number) => (region(k) - region(0)) / N;
    return { publish: per(1), receive: per(2), qos1: per(3), jsvars: field(run.out, "rest", "usage") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function engineSetup(): Promise<string> {
  return bundleFirmware({
    entry: join(HERE, "engine-entry.ts"),
    define: { ...DEVICE_ENGINE, __TOPIC__: js(TOPIC), __PAYLOAD__: js(PAYLOAD), __FILTER__: js(FILTER) },
    // Built as the firmware is: the engine features the board leaves out left out, property names
    // shortened, dead methods dropped.
    minify: true,
    mangle: true,
  });
}

// The module goes to Storage as "MQTT", where require() finds it: its code runs from flash, like ours.
function moduleSetup(): string {
  return fill(readFileSync(join(HERE, "module-setup.js"), "utf8"), { TOPIC: js(TOPIC), PAYLOAD: js(PAYLOAD), FILTER: js(FILTER) });
}

interface Command {
  command: number;
  puback: number;
  /** At rest, after the boot burst; `peak` right at its end, while the cold bank is made. */
  jsvars: number;
  peak: number;
  /** The bundle's bytes as the board stores them (pretokenised by npm run flash), and as text. */
  bundleBytes: number;
  textBytes: number;
  growth: number;
}

// The built firmware for board.json (or the board BENCH_ESPRUINO_BOARD names) with what the Linux build
// lacks changed: pins above D32, the broker, and the analog input (the Linux build has no ADC: analogRead
// prints an error).
async function firmware(dir: string, given?: Record<string, any>): Promise<string> {
  const file = process.env.BENCH_ESPRUINO_BOARD ? resolve(process.env.BENCH_ESPRUINO_BOARD) : join(ROOT, "board.json");
  const board = given ?? JSON.parse(readFileSync(file, "utf8"));
  board.mqtt.host = "127.0.0.1";
  board.sensors = board.sensors.filter((x: { type: string }) => x.type !== "analog");
  for (const x of [...board.relays, ...board.sensors]) if (Number(x.pin.slice(1)) > 32) x.pin = x.pin === "D34" ? "D32" : "D23";
  board.wifi.password = "bench";
  board.mqtt.password = "bench";
  writeFileSync(join(dir, "board.json"), JSON.stringify(board));
  const err: string[] = [];
  const status = await build(["--board", join(dir, "board.json"), "--out", join(dir, "firmware.js")], () => {}, (s) => err.push(s));
  if (status !== 0) throw new Error("npm run build failed:\n" + err.join("\n"));
  return readFileSync(join(dir, "firmware.js"), "latin1");
}

async function command(bin: string): Promise<Command> {
  const dir = mkdtempSync(join(tmpdir(), "relaymq-bench-fw-"));
  try {
    const fw = await firmware(dir);
    const driver = (growth: boolean) =>
      fill(readFileSync(join(HERE, "firmware-driver.js"), "utf8"), { N: growth ? GROWTH_N : N, GROWTH: growth, TOPIC: js(COMMAND_TOPIC) });
    const run = await runCounted(bin, WIFI_STUB + FAKE_NET + fw + "\n" + driver(false), dir, true);
    // Parts: before the marks, N x 3 empty, N x (command, prep, PUBACK), the end.
    const p = run.parts;
    if (p.length < 1 + 6 * N) throw new Error(`expected ${1 + 6 * N} callgrind parts, got ${p.length}`);
    if (field(run.out, "done", "writes") !== 2 * N) throw new Error(`${field(run.out, "done", "writes")} writes, not ${2 * N} (state publishes and PUBACKs)`);
    let empty = 0, cmd = 0, ack = 0;
    for (let i = 0; i < N; i++) {
      empty += p[1 + 3 * i];
      cmd += p[1 + 3 * N + 3 * i];
      ack += p[1 + 3 * N + 3 * i + 2];
    }
    const growthDir = mkdtempSync(join(tmpdir(), "relaymq-bench-growth-"));
    let growth: number;
    try {
      const g = await runCounted(bin, WIFI_STUB + FAKE_NET + fw + "\n" + driver(true), growthDir, false);
      if (field(g.out, "growth", "writes") !== 2 * GROWTH_N) throw new Error(`growth run: ${field(g.out, "growth", "writes")} writes, not ${2 * GROWTH_N}`);
      growth = field(g.out, "growth", "after") - field(g.out, "growth", "before");
    } finally {
      rmSync(growthDir, { recursive: true, force: true });
    }
    return {
      command: (cmd - empty) / N, puback: (ack - empty) / N, jsvars: field(run.out, "rest", "usage"), peak: field(run.out, "peak", "usage"),
      bundleBytes: pretokenise(fw).length, textBytes: Buffer.byteLength(fw, "latin1"), growth,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * restingJsVars(bin, board) -> the JsVars the built firmware for `board` (an object as in board.json, made
 * to fit the Linux build as above) uses after its boot burst, connected over the fake socket, and its
 * bundle's bytes as the board stores them (pretokenised). Run as the firmware runs on the board (from
 * .bootcde), without valgrind.
 */
export async function restingJsVars(bin: string, board: Record<string, any>): Promise<{ jsvars: number; bundleBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), "relaymq-bench-rest-"));
  try {
    const fw = await firmware(dir, board);
    const driver = fill(readFileSync(join(HERE, "firmware-driver.js"), "utf8"), { N: 1, GROWTH: true, TOPIC: js(COMMAND_TOPIC) });
    const run = await runCounted(bin, WIFI_STUB + FAKE_NET + fw + "\n" + driver, dir, false);
    return { jsvars: field(run.out, "rest", "usage"), bundleBytes: pretokenise(fw).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const M = (ir: number) => (ir / 1e6).toFixed(2);

/** run() -> the summary line, after the details. */
export async function run(): Promise<string> {
  const bin = process.env.ESPRUINO_BIN;
  const missing = !bin ? "ESPRUINO_BIN is not set (an Espruino Linux build)"
    : spawnSync("valgrind", ["--version"]).status !== 0 ? "valgrind is not installed (apt-get install valgrind)" : "";
  if (missing) return `espruino: skipped, ${missing}`;
  const engineCode = await engineSetup();
  const engine = await micro(bin!, engineCode);
  const modPath = process.env.ESPRUINO_MQTT_MODULE;
  // The module as given and, side by side, pretokenised as relaymq's code is (the Web IDE's option).
  const modText = modPath ? readFileSync(modPath, "latin1") : null;
  const modStored = modText === null ? null : pretokenise(modText);
  const mod = modText === null ? null : await micro(bin!, moduleSetup(), { MQTT: modText });
  const modTok = modStored === null ? null : await micro(bin!, moduleSetup(), { MQTT: modStored });
  const engineBytes = pretokenise(engineCode).length;
  const cmd = await command(bin!);
  const row = (name: string, a: string, b: string | null, c: string | null) =>
    console.log(`  ${name.padEnd(34)} ${a.padStart(12)} ${b === null ? "" : b.padStart(14)} ${c === null ? "" : c.padStart(16)}`);
  console.log(`Espruino interpreter (${bin}), ${N} operations a region, Ir per operation; code pretokenised as npm run flash stores it`);
  row("", "relaymq", mod ? "MQTT module" : null, mod ? "pretokenised" : null);
  const line = (name: string, k: keyof Micro, f: (v: number) => string) => row(name, f(engine[k]), mod ? f(mod[k]) : null, modTok ? f(modTok[k]) : null);
  line("QoS 0 PUBLISH out", "publish", (v) => M(v) + " M");
  line("QoS 0 PUBLISH in, to the callback", "receive", (v) => M(v) + " M");
  line("QoS 1 PUBLISH in + PUBACK", "qos1", (v) => M(v) + " M");
  line("JsVars at rest, connected", "jsvars", String);
  const kb = (n: number) => (n / 1024).toFixed(1) + " KB";
  row("engine bench bundle, stored", kb(engineBytes), modText === null ? null : kb(modText.length) + " (source)",
    modStored === null ? null : kb(modStored.length));
  console.log(`  firmware: command ${M(cmd.command)} M Ir, PUBACK of its state ${M(cmd.puback)} M Ir, ` +
    `${cmd.jsvars} JsVars after the boot burst (${cmd.peak} at its end, with the cold bank made), ${cmd.growth} JsVars grown over ${GROWTH_N} commands, bundle ${cmd.bundleBytes} bytes stored (${cmd.textBytes} as text)`);
  return `espruino: publish ${M(engine.publish)} M Ir, receive ${M(engine.receive)} M Ir, qos1 ${M(engine.qos1)} M Ir, ` +
    `command ${M(cmd.command)} M Ir, jsvars ${cmd.jsvars}, bundle ${(cmd.bundleBytes / 1024).toFixed(1)} KB`;
}
