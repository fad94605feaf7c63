// `npm run flash`: it sends nothing to a port where no Espruino answers, reads the upload back, starts
// the firmware and fails with the first error it prints, stops a running relaymq cleanly when asked, and
// its dry run writes the commands it would type. Against a fake console (every path, in CI) and, with
// ESPRUINO_BIN, against the real interpreter's telnet console (`espruino --telnet`, port 2323).
import { describe, it, expect, beforeAll, afterAll, afterEach } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Aedes } from "aedes";
import { CHECK, PROBE, STOP, START_JS } from "../../sim/flash/commands";
import { crc32 } from "../../sim/flash/crc32";
import { pretokenise } from "../../sim/build/pretokenise";
import { fakeEspruinoConsole, type FakeConsole, type FakeConsoleOptions } from "../support/fake-espruino";
import { freePort } from "../support/mosquitto";

const ROOT = resolve(__dirname, "../..");
const TSX = createRequire(import.meta.url).resolve("tsx/cli");
const BIN = process.env.ESPRUINO_BIN;
const GUARD = join(__dirname, "no-network.cjs");

const dir = mkdtempSync(join(tmpdir(), "relaymq-flash-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

// A stand-in for dist/firmware.js: over three 384-byte upload chunks, pretokenised or not (the padding is
// a string), with quotes, backslashes, newlines and bytes above 127 (in a comment); it prints what `lines`
// says when it runs.
function fakeFirmware(name: string, lines: string[]): string {
  const head = "(function () {\n" + lines.map((l) => `  console.log(${JSON.stringify(l)});\n`).join("") + "  // q\"\\\\ '\n";
  const pad = `  var pad = "${"padding ".repeat(150)}";\n`;
  const high = Buffer.from([0x20, 0x20, 0x2f, 0x2f, 0x20, 0xe9, 0xff, 0x80, 0x0a]); // "  // \xe9\xff\x80\n"
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([Buffer.from(head + pad, "latin1"), high, Buffer.from("})();\n", "latin1")]));
  return file;
}
const STARTS = fakeFirmware("starts.js", ["RELAYMQ FIRMWARE started", "relaymq info connected"]);
// A file for another runtime: a template string on its second line.
const NOT_ES5 = join(dir, "es2015.js");
writeFileSync(NOT_ES5, "var a = 1;\nvar greeting = `hi ${a}`;\n");
/** What flash stores for a file by default. */
const stored = (file: string) => pretokenise(readFileSync(file, "latin1"));

/** `npm run flash -- args` as its own process (stdin closed, like CI), with the network guard. */
function runFlash(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string; net: string }> {
  const log = join(dir, `net-${Math.random().toString(36).slice(2)}.log`);
  const child = spawn(process.execPath, [TSX, "sim/cli/flash.ts", ...args], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: `--require ${GUARD}`, NO_NETWORK_LOG: log, ...env },
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((done) => child.on("close", (code) => done({ code, out, err, net: existsSync(log) ? readFileSync(log, "utf8") : "" })));
}

async function fake(o: FakeConsoleOptions): Promise<FakeConsole> {
  const f = await fakeEspruinoConsole(o);
  cleanups.push(() => f.close());
  return f;
}

const allow = (port: number) => ({ NO_NETWORK_ALLOW: `127.0.0.1:${port}` });

describe("npm run flash -- --dry-run", () => {
  const WRITE = /^require\("Storage"\)\.write\("\.bootcde",atob\("([A-Za-z0-9+/=]*)"\),(\d+)(?:,(\d+))?\)$/;

  it.each([
    { form: "pretokenised", args: [] as string[], bytes: () => stored(STARTS) },
    { form: "as it is (--text)", args: ["--text"], bytes: () => readFileSync(STARTS) },
  ])("writes the commands it would type, for its owner only: probe, reset, the file $form in 384-byte chunks, read-back, start", async ({ args, bytes }) => {
    const out = join(dir, "sent.txt");
    const r = await runFlash(["--dry-run", out, "--firmware", STARTS, ...args]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("lines that would be typed at the console (no port opened)");
    // Offline: the guard was loaded into flash (and the espruino package it loads) and saw no connection.
    expect(r.net).toMatch(/loaded .*flash\.ts/);
    expect(r.net).not.toContain("NETWORK");
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const lines = readFileSync(out, "latin1").split("\n");
    expect(lines.slice(0, 3)).toEqual(["", PROBE, "reset();"]);
    const writes = lines.filter((l) => WRITE.test(l)).map((l) => WRITE.exec(l)!);
    const firmware = bytes();
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBe(Math.ceil(firmware.length / 384));
    expect(writes.map((w) => Number(w[2]))).toEqual(writes.map((_, k) => k * 384));
    expect(writes[0][3]).toBe(String(firmware.length));
    expect(Buffer.concat(writes.map((w) => Buffer.from(w[1], "base64"))).equals(firmware)).toBe(true);
    const rest = lines.slice(3 + writes.length).filter((l) => l !== "");
    expect(rest).toEqual([CHECK, ...readFileSync(START_JS, "latin1").split("\n").filter((l) => l !== "")]);
    expect(rest.slice(1)).toEqual(['require("Storage").erase(".varimg");', 'require("Storage").erase(".bootrst");', "load();"]);
  });

  it("--stop-first: relaymqStop() is typed before the reset", async () => {
    const out = join(dir, "stop.txt");
    const r = await runFlash(["--dry-run", out, "--firmware", STARTS, "--stop-first"]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out, "latin1").split("\n").slice(0, 4)).toEqual(["", PROBE, STOP, "reset();"]);
  });

  it("takes relative paths from the directory the user stands in", async () => {
    const here = join(dir, "here");
    mkdirSync(here, { recursive: true });
    writeFileSync(join(here, "fw.js"), "print(1)\n");
    const r = await runFlash(["--dry-run", "out.txt", "--firmware", "fw.js"], { INIT_CWD: here });
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(here, "out.txt"))).toBe(true);
  });
});

describe("npm run flash: user errors", () => {
  it.each([
    { name: "no target", args: [], says: "--port PORT or --dry-run OUT is required", code: 2 },
    { name: "--port without a value", args: ["--port"], says: "--port needs a value", code: 2 },
    { name: "--dry-run without a value", args: ["--dry-run", "--stop-first"], says: "--dry-run needs a value", code: 2 },
    { name: "an unknown flag", args: ["--bogus"], says: "unknown argument: --bogus", code: 2 },
    { name: "both targets", args: ["--port", "/dev/x", "--dry-run", "a.js"], says: "--port and --dry-run exclude each other", code: 2 },
    { name: "a bad --watch", args: ["--port", "/dev/x", "--watch", "soon"], says: "--watch soon: seconds, 0 to 3600", code: 2 },
    { name: "a tcp port without a host", args: ["--port", "tcp://"], says: "--port tcp://: write tcp://HOST or tcp://HOST:PORT", code: 2 },
    { name: "a missing firmware", args: ["--dry-run", "x.txt", "--firmware", "/nonexistent/fw.js"], says: "/nonexistent/fw.js not found: run npm run build first", code: 1 },
    { name: "a dry run into a directory that does not exist", args: ["--dry-run", "/no/dir/out.js", "--firmware", STARTS],
      says: "cannot write /no/dir/out.js: no such file or directory", code: 1 },
    { name: "a serial device that does not exist", args: ["--port", "/dev/ttyNONE", "--firmware", STARTS],
      says: "/dev/ttyNONE: no such device (is the board plugged in?", code: 1 },
    { name: "a firmware that is not ES5", args: ["--dry-run", "x.txt", "--firmware", NOT_ES5],
      says: `${NOT_ES5}: not ES5 JavaScript (Unexpected character '\`' (2:15)), so it cannot be pretokenised: is it a build of npm run build? --text stores a file as it is`, code: 1 },
  ])("$name: exit $code, one line that says so, no stack trace", async ({ args, says, code }) => {
    const r = await runFlash(args);
    expect(r.code).toBe(code);
    expect(r.err.split("\n")[0]).toContain(says);
    if (code === 2) expect(r.err).toContain("usage: npm run flash -- --port PORT");
    else expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at |Error:/);
  });

  it("--help prints the usage on stdout, exit 0", async () => {
    const r = await runFlash(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: npm run flash -- --port PORT [--firmware FILE] [--stop-first] [--watch SEC] [--text] [--verbose]");
    expect(r.err).toBe("");
  });
});

describe("npm run flash: a port where no Espruino answers gets nothing but the question", () => {
  it("a dead port: cannot open it, refused", async () => {
    const port = await freePort();
    const r = await runFlash(["--port", `tcp://127.0.0.1:${port}`, "--firmware", STARTS], allow(port));
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`cannot open tcp://127.0.0.1:${port}: refused (ECONNREFUSED) (the board must be on this network, running a build with "console": { "telnet": true })`);
  });

  it("an MQTT broker: it closes on the question; nothing uploaded", async () => {
    const aedes = await Aedes.createBroker();
    const seen: Buffer[] = [];
    const server = net.createServer((s) => {
      s.on("data", (d) => seen.push(d));
      aedes.handle(s);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => aedes.close(() => r()))));
    const port = (server.address() as net.AddressInfo).port;
    const r = await runFlash(["--port", `tcp://127.0.0.1:${port}`, "--firmware", STARTS], allow(port));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^no Espruino answered on tcp://127\\.0\\.0\\.1:${port} within 5 s \\(.*closed the connection\\); nothing was uploaded`));
    expect(r.out).not.toContain("written");
    expect(Buffer.concat(seen).toString("latin1")).not.toContain("Storage");
  });

  it("a server that answers something else: its words quoted; nothing uploaded", async () => {
    const seen: string[] = [];
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.write("HTTP/1.1 400 Bad Request\r\n\r\n");
      s.on("data", (d) => seen.push(d.toString("latin1")));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }));
    const port = (server.address() as net.AddressInfo).port;
    const r = await runFlash(["--port", `tcp://127.0.0.1:${port}`, "--firmware", STARTS], allow(port));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no Espruino answered on tcp://127.0.0.1:${port} within 5 s (it sent "HTTP/1.1 400 Bad Request"); nothing was uploaded`);
    // An empty line (echo off), then the question: nothing else.
    expect(seen.join("")).toBe("\x10\n\x10" + PROBE + "\n");
  });
});

describe("npm run flash against a console that answers as Espruino does", () => {
  it("uploads, reads back, starts, and reports what the firmware said", async () => {
    const f = await fake({ afterLoad: ["RELAYMQ FIRMWARE started", "relaymq warn mqtt CONNECT_FAILED (-52) 10.0.0.2:1883: no connection (-11)", "relaymq info connected"] });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS], allow(f.port));
    expect(r.code, r.out + r.err).toBe(0);
    const firmware = stored(STARTS);
    expect(f.stored().equals(firmware)).toBe(true);
    expect(r.out).toContain(`uploading ${firmware.length} bytes (${STARTS}'s ${statSync(STARTS).size}, pretokenised) in `);
    expect(r.out).toContain(`${STARTS}: ${firmware.length} bytes pretokenised written to .bootcde on tcp://127.0.0.1:${f.port} and read back identical (CRC32 0x${crc32(firmware).toString(16).padStart(8, "0")})`);
    expect(r.out).toContain("started; it runs at every boot. It said:\n  relaymq warn mqtt CONNECT_FAILED (-52) 10.0.0.2:1883: no connection (-11)\n  relaymq info connected");
    // In order: the probe before anything else, reset before the upload, the read-back before the start.
    const i = (pred: (l: string) => boolean) => f.lines.findIndex(pred);
    expect(i((l) => l.includes("_HELLO"))).toBeLessThan(i((l) => l === "reset();"));
    expect(i((l) => l === "reset();")).toBeLessThan(i((l) => l.startsWith('require("Storage").write')));
    expect(i((l) => l.includes("_CHECK"))).toBeLessThan(i((l) => l === "load();"));
    expect(r.net).not.toContain("NETWORK");
  });

  it("the firmware throws when it starts: exit 1 with the first Uncaught line and where", async () => {
    // As the interpreter prints it: the place, then the code around it (which can hold the embedded secrets).
    const f = await fake({ afterLoad: ["RELAYMQ FIRMWARE started", 'Uncaught Error: Module "Wifi" not found', "    at boot code (.bootcde:3:20)",
      'var I={wifi:{ssid:"lab",password:"hunter2-hunter2"}};require("Wifi")', "                  ^", "relaymq info connected"] });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS], allow(f.port));
    expect(r.code).toBe(1);
    expect(r.out).toContain("read back identical");
    expect(r.err.trim()).toBe(`the firmware failed when it started on tcp://127.0.0.1:${f.port}: Uncaught Error: Module "Wifi" not found\n  at .bootcde:3:20`);
    expect(r.out).not.toContain("started; it runs");
  });

  it("a damaged upload: exit 1, the stored file erased, nothing started", async () => {
    const f = await fake({ damage: true });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS], allow(f.port));
    expect(r.code).toBe(1);
    const firmware = stored(STARTS);
    expect(r.err).toMatch(new RegExp(`the upload to tcp://127\\.0\\.0\\.1:${f.port} is damaged: \\.bootcde holds ${firmware.length} bytes, CRC32 0x[0-9a-f]{8}, .* pretokenised has ${firmware.length} bytes, CRC32 0x[0-9a-f]{8}; erased it`));
    // Asked again after the erase: the file is gone when flash says so.
    expect(f.lines).toContain('require("Storage").erase(".bootcde")');
    expect(f.stored()).toHaveLength(0);
    expect(f.lines).not.toContain("load();");
  });

  it("a damaged upload whose erase the board does not confirm: exit 1, and says the file may run at the next boot", async () => {
    const f = await fake({ damage: true, eraseIgnored: true });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS], allow(f.port));
    expect(r.code).toBe(1);
    const firmware = stored(STARTS);
    expect(r.err).toContain(`erasing it was not confirmed (it still holds ${firmware.length} bytes): the board may run it at its next boot, flash again before it restarts`);
    expect(r.err).not.toContain("erased it");
    expect(f.lines).not.toContain("load();");
  });

  it("--stop-first with relaymq connected: relaymqStop() before the reset, and its disconnect awaited", async () => {
    const f = await fake({ relaymq: "session", afterLoad: ["relaymq info connected"] });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS, "--stop-first"], allow(f.port));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("relaymq running");
    expect(r.out).toContain("--stop-first: relaymqStop() said offline and disconnected; the broker publishes no will");
    expect(f.lines.findIndex((l) => l.includes("_STOP"))).toBeLessThan(f.lines.indexOf("reset();"));
    expect(r.err).toBe("");
  });

  it("relaymq running without --stop-first: says the broker will publish the will, and how to avoid it", async () => {
    const f = await fake({ relaymq: "session", afterLoad: ["relaymq info connected"] });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS], allow(f.port));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("notice: relaymq is running there: the reset() before the upload drops its broker connection, so the broker publishes its will (offline); --stop-first stops it cleanly first");
    expect(f.lines.some((l) => l.includes("_STOP"))).toBe(false);
  });

  it("a firmware that prints nothing of note: started, and says so after --watch seconds", async () => {
    const f = await fake({ afterLoad: ["RELAYMQ FIRMWARE started"] });
    const r = await runFlash(["--port", `tcp://127.0.0.1:${f.port}`, "--firmware", STARTS, "--watch", "1"], allow(f.port));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("started; it runs at every boot. It printed nothing of note in 1 s");
  });
});

describe("npm run flash into the real interpreter's telnet console (needs ESPRUINO_BIN, an Espruino Linux build)", () => {
  // `espruino --telnet` serves its console on TCP port 2323, a fixed port; the Linux build keeps its flash
  // in ./espruino.flash and boots from it as a board does.
  const TELNET = 2323;
  let board: string;
  let interpreter: ChildProcess | null = null;

  // Sockets listening on 2323. The Linux build listens with SO_REUSEPORT, so a second interpreter (another
  // test run on this machine) could share the port and take our connections: count them in /proc.
  const listeners = (): number => ["/proc/net/tcp", "/proc/net/tcp6"]
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, "utf8").split("\n").slice(1))
    .filter((l) => {
      const cols = l.trim().split(/\s+/);
      return cols.length > 3 && cols[1].endsWith(":" + TELNET.toString(16).toUpperCase().padStart(4, "0")) && cols[3] === "0A";
    }).length;

  // The interpreter with its console on telnet; stdin a FIFO held open (a closed stdin reads as 0xFF).
  // false: 2323 is someone else's (before or after ours started), and the test says it skipped.
  async function startInterpreter(): Promise<boolean> {
    if (listeners() > 0) return false;
    const fifo = join(board, "stdin");
    if (!existsSync(fifo)) spawnSync("mkfifo", [fifo]);
    const fd = openSync(fifo, "r+");
    interpreter = spawn(BIN!, ["--telnet"], { cwd: board, stdio: [fd, "ignore", "ignore"] });
    closeSync(fd); // the interpreter holds its own copy, open both ways
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      const ok = await new Promise<boolean>((r) => {
        const c = net.connect({ host: "127.0.0.1", port: TELNET }, () => { c.destroy(); r(true); });
        c.on("error", () => r(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (listeners() === 0) throw new Error("the interpreter's telnet console did not open");
    if (listeners() === 1) return true;
    await stopInterpreter();
    return false;
  }

  async function stopInterpreter(): Promise<void> {
    const p = interpreter;
    interpreter = null;
    if (!p || p.exitCode !== null) return;
    p.kill("SIGKILL"); // the Linux build handles SIGTERM and may keep running
    await new Promise((r) => p.once("exit", r));
  }

  beforeAll(() => {
    board = join(dir, "board");
    mkdirSync(board, { recursive: true });
  });
  afterEach(() => stopInterpreter());

  it.skipIf(!BIN)("flashes over telnet: an old program replaced, read back, started at once and at the next boot", async (ctx) => {
    // A board that already runs something: a RAM image from save() and code saved to run after reset().
    writeFileSync(join(board, "old.js"),
      'function onInit(){console.log("OLD PROGRAM")}\nrequire("Storage").write(".bootrst","console.log(\\"OLD BOOTRST\\")");\nsave();\n');
    spawnSync(BIN!, ["old.js"], { cwd: board, timeout: 10000 });
    if (!(await startInterpreter())) ctx.skip(); // another interpreter holds 2323: said as a skip, not a failure
    const r = await runFlash(["--port", `tcp://127.0.0.1:${TELNET}`, "--firmware", STARTS], allow(TELNET));
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`tcp://127.0.0.1:${TELNET}: Espruino 2v29`);
    expect(r.out).toContain("read back identical");
    expect(r.out).toContain("It said:\n  relaymq info connected");
    expect(r.net).not.toContain("NETWORK");
    await stopInterpreter();

    // The next boot: the firmware again, nothing old, and .bootcde holds exactly the file's pretokenised bytes.
    const boot = spawnSync(BIN!, ["-e",
      'var s=require("Storage").read(".bootcde");console.log("CHECK",s.length,E.CRC32(s),JSON.stringify(require("Storage").list()))'],
    { cwd: board, encoding: "latin1", timeout: 10000 });
    const text = boot.stdout + boot.stderr;
    expect(text).toContain("RELAYMQ FIRMWARE started");
    expect(text).not.toContain("OLD");
    const firmware = stored(STARTS);
    const m = /CHECK (\d+) (\d+) (\[.*\])/.exec(text);
    expect(m, text.slice(-1500)).not.toBeNull();
    expect(Number(m![1])).toBe(firmware.length);
    expect(Number(m![2])).toBe(crc32(firmware));
    expect(JSON.parse(m![3])).toEqual([".bootcde"]);
  }, 40000);

  it.skipIf(!BIN)("a firmware that needs a module the board lacks: exit 1 with the interpreter's own Uncaught line", async (ctx) => {
    const broken = fakeFirmware("wifi.js", ["RELAYMQ FIRMWARE started"]);
    writeFileSync(broken, readFileSync(broken, "latin1").replace("})();", 'require("Wifi").connect("lab");\n})();'), "latin1");
    if (!(await startInterpreter())) ctx.skip(); // another interpreter holds 2323: said as a skip, not a failure
    const r = await runFlash(["--port", `tcp://127.0.0.1:${TELNET}`, "--firmware", broken], allow(TELNET));
    expect(r.code).toBe(1);
    expect(r.out).toContain("read back identical");
    expect(r.err).toContain(`the firmware failed when it started on tcp://127.0.0.1:${TELNET}: Uncaught Error: Module "Wifi" not found`);
    expect(r.err).toMatch(/Module "Wifi" not found\n  at \.bootcde:\d+:\d+\n$/); // where it was thrown, no code quoted
  }, 40000);

  it.skipIf(!BIN)("--stop-first calls the running firmware's relaymqStop() and waits for its disconnect", async (ctx) => {
    // A stand-in for the firmware with a session: relaymqStop() answers true and logs the disconnect later.
    writeFileSync(join(board, "running.js"),
      'require("Storage").write(".bootcde","global.relaymqStop=function(){setTimeout(function(){console.log(\\"relaymq warn disconnected STOPPED (-56)\\")},200);return true;};");\n');
    spawnSync(BIN!, ["running.js"], { cwd: board, timeout: 10000 });
    if (!(await startInterpreter())) ctx.skip(); // another interpreter holds 2323: said as a skip, not a failure
    const r = await runFlash(["--port", `tcp://127.0.0.1:${TELNET}`, "--firmware", STARTS, "--stop-first"], allow(TELNET));
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain("relaymq running");
    expect(r.out).toContain("--stop-first: relaymqStop() said offline and disconnected");
  }, 40000);
});
