// `npm run flash -- --port tcp://HOST[:PORT]`: re-flashing over the network through the interpreter's
// telnet console (the ESP32 release serves it on port 23 when board.json has console.telnet). The port is
// checked and made explicit before the espruino CLI starts; a console that does not answer fails with
// the reason. With ESPRUINO_BIN the real upload runs into the Linux build's telnet console (`--telnet`,
// always port 2323): the firmware must be stored byte for byte, start at once and at the next boot.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { espruinoArgs, networkPort, parseArgs, TELNET_PORT } from "../../sim/cli/flash";
import { freePort } from "../support/mosquitto";

const ROOT = resolve(__dirname, "../..");
const TSX = createRequire(import.meta.url).resolve("tsx/cli");
const BIN = process.env.ESPRUINO_BIN;
/** The Linux build's telnet console port (libs/network/telnet: fixed, "avoid needing root"). */
const LINUX_TELNET = 2323;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "relaymq-flash-net-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runFlash(args: string[]) {
  const r = spawnSync(process.execPath, [TSX, "sim/cli/flash.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}


describe("npm run flash -- --port tcp://HOST[:PORT]", () => {
  it.each([
    ["tcp://192.168.1.50", `tcp://192.168.1.50:${TELNET_PORT}`],
    ["tcp://board.lan:2323", "tcp://board.lan:2323"],
    ["tcp://esp32-01/", `tcp://esp32-01:${TELNET_PORT}`],
    ["/dev/ttyUSB0", null],
  ])("%s is %s", (given, want) => {
    expect(networkPort(given)).toEqual(want);
  });

  it.each([
    ["tcp://", "a network port is tcp://HOST or tcp://HOST:PORT"],
    ["tcp://host:0", "the port must be 1-65535"],
    ["tcp://host:70000", "the port must be 1-65535"],
    ["tcp://user@host", "a network port is tcp://HOST or tcp://HOST:PORT"],
    ["tcp://host:23/path", "a network port is tcp://HOST or tcp://HOST:PORT"],
  ])("refuses %s before the CLI starts (exit 2)", (port, message) => {
    expect(parseArgs(["--port", port])).toContain(message);
    const r = runFlash(["--port", port, "--firmware", join(dir, "none.js")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain("tcp://HOST[:PORT]");
  });

  it("hands the CLI the explicit tcp:// port, at the same speed and board file as a serial upload", () => {
    const args = parseArgs(["--port", "tcp://10.0.0.7"]);
    if (typeof args === "string") throw new Error(args);
    const a = espruinoArgs("/x/firmware.js", { port: args.port! });
    expect(a[a.indexOf("-p") + 1]).toBe("tcp://10.0.0.7:23");
  });

  it("a console that does not answer: exit 1, and what to check", async () => {
    const fw = join(dir, "fw.js");
    writeFileSync(fw, "console.log(1);\n");
    const port = await freePort(); // nothing listens there now
    const r = runFlash(["--port", `tcp://127.0.0.1:${port}`, "--firmware", fw]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`upload to tcp://127.0.0.1:${port} failed`);
    expect(r.err).toContain('"console": { "telnet": true }');
  });
});

describe.skipIf(!BIN)("the upload over the network into the interpreter's telnet console (ESPRUINO_BIN)", () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child) child.kill("SIGKILL");
  });

  const listening = (port: number) => new Promise<boolean>((r) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.destroy();
      r(true);
    });
    s.on("error", () => r(false));
  });

  it("stores the firmware in .bootcde byte for byte, starts it at once and at the next boot", async () => {
    // The port is fixed: wait for another run's interpreter to let it go rather than upload into it.
    const end = Date.now() + 30000;
    while (await listening(LINUX_TELNET)) {
      if (Date.now() > end) throw new Error(`port ${LINUX_TELNET} stays busy: another telnet console is listening there`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const cwd = join(dir, "board");
    mkdirSync(cwd, { recursive: true });
    const firmware = Buffer.concat([
      Buffer.from('(function () {\n  console.log("RELAYMQ NETWORK FIRMWARE " + \'q\\"\' + " started");\n  // ' + "x".repeat(1200) + "\n", "latin1"),
      Buffer.from([0x20, 0x2f, 0x2f, 0xe9, 0xff, 0x0a]),
      Buffer.from("})();\n", "latin1"),
    ]);
    const fw = join(dir, "net-firmware.js");
    writeFileSync(fw, firmware);
    // stdin stays an open pipe (a closed one reads as endless 0xFF console input).
    child = spawn(BIN!, ["--telnet"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const up = Date.now() + 10000;
    while (!(await listening(LINUX_TELNET))) {
      if (Date.now() > up) throw new Error("the interpreter's telnet console did not come up");
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = spawnSync("npm", ["run", "-s", "flash", "--", "--port", `tcp://127.0.0.1:${LINUX_TELNET}`, "--firmware", fw], {
      cwd: ROOT, encoding: "latin1", timeout: 60000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`written to .bootcde on tcp://127.0.0.1:${LINUX_TELNET} and started`);
    // The console is the telnet link while the CLI holds it: the firmware's first words came back over it.
    expect(r.stdout).toContain('RELAYMQ NETWORK FIRMWARE q" started');
    child.kill("SIGKILL");
    await new Promise((res) => child!.once("exit", res));
    child = null;

    const boot = spawnSync(BIN!, ["-e",
      'var s=require("Storage").read(".bootcde"),h=0;for(var i=0;i<s.length;i++)h=(h*31+s.charCodeAt(i))|0;' +
      'console.log("CHECK",s.length,h)'], { cwd, encoding: "latin1", timeout: 10000 });
    const text = boot.stdout + boot.stderr;
    expect(text).toContain('RELAYMQ NETWORK FIRMWARE q" started');
    const m = /CHECK (\d+) (-?\d+)/.exec(text);
    expect(m, text.slice(-1500)).not.toBeNull();
    let h = 0;
    for (const c of firmware) h = (Math.imul(h, 31) + c) | 0;
    expect([Number(m![1]), Number(m![2])]).toEqual([firmware.length, h]);
  }, 90000);
});
