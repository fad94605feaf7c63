// `npm run flash`: the dry run writes exactly the CLI's upload (the firmware into Storage ".bootcde",
// then sim/flash/start.js), offline, and the usage errors. With ESPRUINO_BIN (an Espruino Linux build)
// a real upload also runs, through the espruino CLI, into the interpreter's console: the firmware must
// be stored byte for byte, start at once, and start again at the next boot.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BAUD, BOARD_JSON, START_JS, espruinoArgs } from "../../sim/cli/flash";

const ROOT = resolve(__dirname, "../..");
const TSX = createRequire(import.meta.url).resolve("tsx/cli");
const BIN = process.env.ESPRUINO_BIN;

let dir: string;
let firmware: Buffer;
let firmwareFile: string;

// A stand-in for dist/firmware.js: over three 384-byte upload chunks, with quotes, backslashes,
// newlines and bytes above 127 (in a comment), printing a marker when it runs.
function fakeFirmware(): Buffer {
  const head = "(function () {\n  console.log(\"RELAYMQ FIRMWARE \" + 'q\\\"\\\\' + \" started\");\n";
  const pad = "  // " + "padding ".repeat(150) + "\n";
  const high = Buffer.from([0x20, 0x20, 0x2f, 0x2f, 0x20, 0xe9, 0xff, 0x80, 0x0a]); // "  // \xe9\xff\x80\n"
  return Buffer.concat([Buffer.from(head + pad, "latin1"), high, Buffer.from("})();\n", "latin1")]);
}

function runFlash(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [TSX, "sim/cli/flash.ts", ...args], {
    cwd: ROOT, encoding: "utf8", timeout: 15000, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const WRITE = /^require\("Storage"\)\.write\("\.bootcde",atob\("([A-Za-z0-9+/=]*)"\),(\d+)(?:,(\d+))?\)$/;

/** The dry-run text split into the Storage writes (decoded) and every other line. */
function parseUpload(text: string) {
  const lines = text.split("\n");
  const writes: { data: Buffer; offset: number; total: number | null }[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = WRITE.exec(lines[i]);
    if (!m) break;
    writes.push({ data: Buffer.from(m[1], "base64"), offset: Number(m[2]), total: m[3] === undefined ? null : Number(m[3]) });
  }
  return { writes, rest: lines.slice(i) };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "relaymq-flash-test-"));
  firmware = fakeFirmware();
  firmwareFile = join(dir, "firmware.js");
  writeFileSync(firmwareFile, firmware);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run flash -- --dry-run", () => {
  it("writes the firmware into Storage .bootcde, then only start.js, and opens no network", () => {
    const out = join(dir, "sent.txt"); // any name, though the CLI's own -o insists on .js
    const log = join(dir, "network.log");
    const r = spawnSync("npm", ["run", "-s", "flash", "--", "--dry-run", out, "--firmware", firmwareFile], {
      cwd: ROOT, encoding: "utf8", timeout: 15000,
      env: { ...process.env, NODE_OPTIONS: `--require ${join(__dirname, "no-network.cjs")}`, NO_NETWORK_LOG: log },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("that would be sent (no device opened)");

    // Offline: the guard was loaded in the espruino CLI itself and saw no connection or DNS lookup.
    const guard = readFileSync(log, "utf8");
    expect(guard).toMatch(/loaded .*espruino-cli\.js/);
    expect(guard).not.toContain("NETWORK");

    const sent = readFileSync(out);
    const { writes, rest } = parseUpload(sent.toString("latin1"));
    // 384-byte chunks at increasing offsets; the first one also gives the file's total size.
    expect(writes.length).toBe(Math.ceil(firmware.length / 384));
    expect(writes.map((w) => w.offset)).toEqual(writes.map((_, k) => k * 384));
    expect(writes[0].total).toBe(firmware.length);
    expect(writes.slice(1).every((w) => w.total === null)).toBe(true);
    expect(Buffer.concat(writes.map((w) => w.data)).equals(firmware)).toBe(true);
    // Then exactly the start script: no reset, no setTime, no downloaded modules, no save().
    expect(rest.join("\n")).toBe(readFileSync(START_JS, "latin1"));
    expect(rest.filter((l) => l.length > 0)).toEqual([
      'require("Storage").erase(".varimg");',
      'require("Storage").erase(".bootrst");',
      "load();",
    ]);
  });

  it("uploads at 115200 baud with the local board file, to .bootcde, without minifying", () => {
    const a = espruinoArgs("/x/firmware.js", { port: "/dev/ttyUSB0" });
    const after = (flag: string) => a[a.indexOf(flag) + 1];
    expect(after("-b")).toBe(String(BAUD));
    expect(BAUD).toBe(115200);
    expect(after("--board")).toBe(BOARD_JSON);
    expect(after("-p")).toBe("/dev/ttyUSB0");
    expect(after("--storage")).toBe(".bootcde:/x/firmware.js");
    expect(a[a.length - 1]).toBe(START_JS);
    expect(a).not.toContain("-m");
    expect(a).not.toContain("-o");
    const board = JSON.parse(readFileSync(BOARD_JSON, "utf8"));
    expect(board.info.binary_version).toBe("2v29");
    expect(board.info.builtin_modules).toEqual(expect.arrayContaining(["Storage", "Wifi", "net", "tls", "ESP32"]));
  });

  it("says to build first when the firmware file is missing", () => {
    const out = join(dir, "never.js");
    const r = runFlash(["--dry-run", out, "--firmware", join(dir, "missing.js")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("run npm run build first");
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 with the usage on bad arguments", () => {
    for (const args of [[], ["--firmware", firmwareFile], ["--port"], ["--dry-run"], ["--bogus"], ["--port", "/dev/x", "--dry-run", "a.js"]]) {
      const r = runFlash(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("usage: npm run flash -- --port DEVICE");
    }
    const help = runFlash(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage:");
  });

  it("refuses a port that does not exist before starting the CLI", () => {
    const r = runFlash(["--port", join(dir, "ttyNONE"), "--firmware", firmwareFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("no such device");
  });
});

describe.skipIf(!BIN)("the upload into the Espruino interpreter's console (ESPRUINO_BIN)", () => {
  // test/build/replay-device.cjs gives the espruino CLI a serial "port" that is the console of the Linux
  // build, so `npm run flash -- --port espruino-linux` runs the real upload path: the CLI's framing,
  // throttling and prompt handling. The Linux build keeps its flash in ./espruino.flash, boots from it
  // like a board, and with -e boots, runs the expression and exits when idle.
  function checksum(b: Buffer): number {
    let h = 0;
    for (const c of b) h = (Math.imul(h, 31) + c) | 0;
    return h;
  }

  it("stores the firmware in .bootcde, starts it at once and at every boot; older boot code is gone", () => {
    const cwd = join(dir, "board");
    mkdirSync(cwd, { recursive: true });
    // A board that already runs something: a RAM image from save() and code saved to run after reset().
    writeFileSync(join(cwd, "old.js"),
      'function onInit(){console.log("OLD PROGRAM")}\nrequire("Storage").write(".bootrst","console.log(\\"OLD BOOTRST\\")");\nsave();\n');
    spawnSync(BIN!, ["old.js"], { cwd, timeout: 10000 });

    const consoleLog = join(dir, "console.log");
    const netLog = join(dir, "network-upload.log");
    const r = spawnSync("npm", ["run", "-s", "flash", "--", "--port", "espruino-linux", "--firmware", firmwareFile], {
      cwd: ROOT, encoding: "utf8", timeout: 30000,
      env: {
        ...process.env,
        NODE_OPTIONS: `--require ${join(__dirname, "replay-device.cjs")} --require ${join(__dirname, "no-network.cjs")}`,
        NO_NETWORK_LOG: netLog,
        ESPRUINO_REPLAY_BIN: BIN, ESPRUINO_REPLAY_CWD: cwd, ESPRUINO_REPLAY_LOG: consoleLog,
      },
    });
    const seen = readFileSync(consoleLog, "latin1");
    expect(r.status, r.stdout + r.stderr + seen.slice(-1500)).toBe(0);
    expect(r.stdout).toContain("started; it runs at every boot");
    expect(readFileSync(netLog, "utf8")).not.toContain("NETWORK");
    // The old program ran until the upload; after load() only the firmware runs.
    expect(seen).toContain("OLD PROGRAM");
    const afterLoad = seen.slice(seen.lastIndexOf("OLD"));
    expect(afterLoad).toContain(`RELAYMQ FIRMWARE q"\\ started`);
    expect(afterLoad).not.toMatch(/Uncaught|Error/);

    // The next boot: the firmware again, nothing old, and .bootcde holds exactly the file's bytes.
    const boot = spawnSync(BIN!, ["-e",
      'var s=require("Storage").read(".bootcde"),h=0;for(var i=0;i<s.length;i++)h=(h*31+s.charCodeAt(i))|0;' +
      'console.log("CHECK",s.length,h,JSON.stringify(require("Storage").list()))'], { cwd, encoding: "latin1", timeout: 10000 });
    const text = boot.stdout + boot.stderr;
    expect(text).toContain(`RELAYMQ FIRMWARE q"\\ started`);
    expect(text).not.toContain("OLD");
    const m = /CHECK (\d+) (-?\d+) (\[.*\])/.exec(text);
    expect(m, text.slice(-1500)).not.toBeNull();
    expect(Number(m![1])).toBe(firmware.length);
    expect(Number(m![2])).toBe(checksum(firmware));
    expect(JSON.parse(m![3])).toEqual([".bootcde"]);
  }, 40000);
});

if (!BIN) {
  describe("the upload into the Espruino interpreter's console", () => {
    it("reports that it was skipped", () => {
      console.warn("SKIPPED: upload into the Espruino interpreter; set ESPRUINO_BIN to an Espruino Linux build to run it");
      expect(BIN).toBeUndefined();
    });
  });
}
