// npm run flash -- --port DEVICE [--firmware FILE] | --dry-run FILE: uploads the build with the espruino
// CLI (npm package `espruino`), offline. The firmware is written to Storage ".bootcde", which Espruino
// runs at every boot without save(); sim/flash/start.js then erases older boot code and calls load(),
// which starts it at once. --dry-run writes what the CLI would send (its -o output) and opens no device.
//
// What goes over the wire, in order:
//   reset();            the CLI's own prefix, before a file upload: stops whatever runs now, frees RAM
//                       (the CLI's -o output, so --dry-run, leaves this and the console framing out)
//   require("Storage").write(".bootcde",atob("<base64 of bytes 0..383>"),0,<total size>)
//   require("Storage").write(".bootcde",atob("<bytes 384..767>"),384) ...
//   sim/flash/start.js  erase ".varimg" (a save()d RAM image) and ".bootrst", which would also run at
//                       boot next to the firmware, then load(): a restart as at boot
// Storage, not the REPL: the firmware's text never has to fit in RAM (a 51 KB bundle run as a script
// runs the Linux build out of memory; from .bootcde it loads). Offline: --board sim/flash/ESP32.json replaces
// the board-info download and the device query, the firmware travels as Storage data (never scanned for
// modules, minified or compiled), and the configuration below turns off every online helper the CLI has.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BOARD_JSON = resolve(ROOT, "sim/flash/ESP32.json");
export const START_JS = resolve(ROOT, "sim/flash/start.js");
export const BAUD = 115200;
/** The Storage file that Espruino runs at every boot. */
export const BOOT_FILE = ".bootcde";
/** The ESP32 release's telnet console port (the Linux build serves it on 2323 with --telnet). */
export const TELNET_PORT = 23;

/**
 * networkPort(port) -> "tcp://HOST:PORT" (the port made explicit), null when `port` is not a tcp:// port,
 * or the problem with it.
 */
export function networkPort(port: string): string | null | { problem: string } {
  if (!port.startsWith("tcp://")) return null;
  const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?\/?$/.exec(port);
  if (!m) return { problem: `${port}: a network port is tcp://HOST or tcp://HOST:PORT (a host name or IPv4 address)` };
  const n = m[2] === undefined ? TELNET_PORT : Number(m[2]);
  if (!(n >= 1 && n <= 65535)) return { problem: `${port}: the port must be 1-65535` };
  return `tcp://${m[1]}:${n}`;
}

export const USAGE = `usage: npm run flash -- --port DEVICE [--firmware FILE]
       npm run flash -- --port tcp://HOST[:PORT] [--firmware FILE]
       npm run flash -- --dry-run OUT [--firmware FILE]
  Uploads FILE (default dist/firmware.js, from npm run build) to the ESP32 on DEVICE (e.g. /dev/ttyUSB0)
  at ${BAUD} baud with the espruino CLI, into Storage "${BOOT_FILE}" so that it runs at every boot, then
  starts it. Offline: board info comes from sim/flash/ESP32.json.
  tcp://HOST[:PORT] uploads over the network to the interpreter's telnet console (port ${TELNET_PORT} unless
  given): the board must run a build with console.telnet true in board.json.
  --dry-run OUT writes the code that would be sent to OUT instead, without a device.
  Exit status: 0 done, 1 failed (no firmware, upload error), 2 bad usage.`;

export interface FlashArgs {
  port: string | null;
  dryRun: string | null;
  firmware: string;
}

/** parseArgs(argv) -> the arguments, "" for --help, or the usage problem. */
export function parseArgs(argv: string[]): FlashArgs | string {
  const args: FlashArgs = { port: null, dryRun: null, firmware: resolve(ROOT, "dist/firmware.js") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--help" || a === "-h") return "";
    if (a !== "--port" && a !== "-p" && a !== "--dry-run" && a !== "--firmware") return `unknown argument: ${a}`;
    if (v === undefined || v === "" || v.startsWith("-")) return `${a} needs a value`;
    i++;
    if (a === "--dry-run") args.dryRun = resolve(v);
    else if (a === "--firmware") args.firmware = resolve(v);
    else {
      const net = networkPort(v);
      if (net !== null && typeof net === "object") return net.problem;
      args.port = net ?? v;
    }
  }
  if (args.port === null && args.dryRun === null) return "--port DEVICE or --dry-run FILE is required";
  if (args.port !== null && args.dryRun !== null) return "--port and --dry-run exclude each other";
  return args;
}

/** The espruino CLI's script. */
export function espruinoCli(): string {
  return createRequire(import.meta.url).resolve("espruino/bin/espruino-cli.js");
}

/**
 * espruinoArgs(firmware, target) -> the CLI's arguments: target is { port } to upload or { out } (a
 * name ending in .js, which the CLI insists on) to write what would be sent.
 */
export function espruinoArgs(firmware: string, target: { port: string } | { out: string }): string[] {
  return [
    "--board", BOARD_JSON,
    "-b", String(BAUD),
    "--no-ble",
    // Online helpers, off: module downloads for require(), the online compiler for "compiled"
    // functions, the local WebSocket bridge that is probed when listing ports. Minification and
    // pretokenising are off by default and not asked for.
    "--config", "MODULE_URL=",
    "--config", "COMPILATION=false",
    "--config", "WEBSOCKET_URL=",
    "--storage", `${BOOT_FILE}:${firmware}`,
    ...("port" in target ? ["-p", target.port] : ["-o", target.out]),
    START_JS,
  ];
}

function run(args: string[], quiet: boolean, err: (s: string) => void): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [espruinoCli(), ...args], {
      cwd: ROOT,
      stdio: ["ignore", quiet ? "ignore" : "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      stderr += d;
      err(d.replace(/\n$/, ""));
    });
    child.on("error", (e) => done({ code: 1, stderr: stderr + String(e) }));
    child.on("close", (code) => done({ code: code ?? 1, stderr }));
  });
}

// The CLI exits 0 even when it could not open the port or the upload failed; it says so on stderr.
const FAILURES = /Unable to connect|not found|upload failed|Error/i;

/** flash(argv, out, err) -> the exit status. */
export async function flash(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    if (args) err(args);
    (args ? err : out)(USAGE);
    return args ? 2 : 0;
  }
  if (!existsSync(args.firmware) || !statSync(args.firmware).isFile()) {
    err(`${args.firmware} not found: run npm run build first`);
    return 1;
  }
  if (args.firmware.indexOf(":") >= 0) {
    err(`${args.firmware}: the espruino CLI's --storage NAME:FILE cannot take a file name with ":"`);
    return 1;
  }
  if (statSync(args.firmware).size === 0) {
    err(`${args.firmware} is empty: run npm run build first`);
    return 1;
  }
  const shown = (a: string[]) => ["espruino", ...a].map((x) => (/^[\w./:=+-]+$/.test(x) ? x : JSON.stringify(x))).join(" ");

  if (args.dryRun !== null) {
    // The CLI's -o wants a name containing ".js"; write there, then move to the name asked for.
    const dir = mkdtempSync(join(tmpdir(), "relaymq-flash-"));
    const tmpOut = join(dir, "upload.js");
    try {
      const cliArgs = espruinoArgs(args.firmware, { out: tmpOut });
      out(shown(cliArgs));
      const r = await run(["-q", ...cliArgs], true, err);
      if (r.code !== 0 || !existsSync(tmpOut)) {
        err(`espruino CLI failed (exit ${r.code}): nothing written`);
        return 1;
      }
      copyFileSync(tmpOut, args.dryRun);
      out(`${args.dryRun}: ${readFileSync(args.dryRun).length} bytes that would be sent (no device opened)`);
      return 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const port = args.port!;
  if (port.startsWith("/") && !existsSync(port)) {
    err(`${port}: no such device (is the board plugged in? ls /dev/ttyUSB* /dev/ttyACM*)`);
    return 1;
  }
  const cliArgs = espruinoArgs(args.firmware, { port });
  out(shown(cliArgs));
  const r = await run(cliArgs, false, err);
  if (r.code !== 0 || FAILURES.test(r.stderr)) {
    err(`upload to ${port} failed (espruino CLI exit ${r.code})`);
    if (port.startsWith("tcp://") && /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/.test(r.stderr)) {
      err(`${port}: no telnet console answers there: the board must run a build with "console": { "telnet": true } and be on this network`);
    }
    return 1;
  }
  out(`${args.firmware} written to ${BOOT_FILE} on ${port} and started; it runs at every boot`);
  return 0;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return resolve(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  flash(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then((code) => process.exit(code));
}
