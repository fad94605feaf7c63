// npm run flash -- --port PORT [--firmware FILE] [--stop-first] [--watch SEC] [--text] | --dry-run OUT: puts
// the build on a board through its console (a serial device or a telnet console), pretokenised
// (sim/build/pretokenise.ts), checking each step: that an Espruino interpreter answers, that the stored file
// reads back identical, and what the firmware prints when it starts (sim/flash/flash-board.ts). --dry-run
// writes the commands that would be typed, offline.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BOOT_FILE, CHECK, PROBE, STOP, startCommands } from "../flash/commands";
import { BAUD, parseTcp, quietLibrary, uploadCode } from "../flash/console-link";
import { flashBoard } from "../flash/flash-board";
import { pretokenise } from "../build/pretokenise";
import { ioReason } from "../io-reason";
import { isMain, runMain, shownPath, userPath } from "./entry";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const USAGE = `usage: npm run flash -- --port PORT [--firmware FILE] [--stop-first] [--watch SEC] [--text] [--verbose]
       npm run flash -- --dry-run OUT [--firmware FILE] [--stop-first] [--text]
  Puts FILE (default dist/firmware.js, from npm run build) on the Espruino board at PORT: a serial device
  (/dev/ttyUSB0, ${BAUD} baud) or a telnet console (tcp://HOST[:PORT], port 23 when left out: the board
  must run a build with "console": { "telnet": true } in its board.json). It checks
  that an Espruino interpreter answers there before sending anything, writes the file to Storage
  "${BOOT_FILE}" (run at every boot) pretokenised, as the Web IDE's option does (reserved words and
  operators a byte each, strings and small integers raw, no spaces: about a fifth smaller, and less for
  the interpreter to lex as it runs), reads it back (length and CRC32), starts it and watches the console
  for SEC seconds (default 15; less once the firmware logs "connected"): an uncaught error fails the flash.
  --text         store FILE as it is, not pretokenised (then an error's position is one in FILE)
  --stop-first   first call relaymqStop() on the running firmware: it says offline and disconnects, so the
                 reset before the upload does not make the broker publish its will
  --dry-run OUT  write the commands that would be typed at the console to OUT (mode 0600: it holds the
                 firmware and its secrets), one a line, without opening a port
  --verbose      also print what the espruino package logged
  Relative paths are taken from the directory you run the command in.
  Exit status: 0 flashed and started, 1 failed (nothing answering, a damaged upload, an error at start), 2 bad usage.`;

export interface FlashArgs {
  port: string | null;
  dryRun: string | null;
  firmware: string;
  stopFirst: boolean;
  watchMs: number;
  verbose: boolean;
  text: boolean;
}

/** parseArgs(argv) -> the arguments, "" for --help, or the usage problem. */
export function parseArgs(argv: string[]): FlashArgs | string {
  const args: FlashArgs = {
    port: null, dryRun: null, firmware: resolve(ROOT, "dist/firmware.js"), stopFirst: false, watchMs: 15000, verbose: false, text: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return "";
    if (a === "--stop-first") args.stopFirst = true;
    else if (a === "--verbose") args.verbose = true;
    else if (a === "--text") args.text = true;
    else if (a === "--port" || a === "-p" || a === "--dry-run" || a === "--firmware" || a === "--watch") {
      const v = argv[i + 1];
      if (v === undefined || v === "" || v.startsWith("-")) return `${a} needs a value`;
      i++;
      if (a === "--dry-run") args.dryRun = userPath(v);
      else if (a === "--firmware") args.firmware = userPath(v);
      else if (a === "--watch") {
        if (!/^\d+(\.\d+)?$/.test(v) || Number(v) > 3600) return `--watch ${v}: seconds, 0 to 3600`;
        args.watchMs = Number(v) * 1000;
      } else args.port = v;
    } else return `unknown argument: ${a}`;
  }
  if (args.port === null && args.dryRun === null) return "--port PORT or --dry-run OUT is required";
  if (args.port !== null && args.dryRun !== null) return "--port and --dry-run exclude each other";
  if (args.port !== null && args.port.startsWith("tcp:") && !parseTcp(args.port)) return `--port ${args.port}: write tcp://HOST or tcp://HOST:PORT (PORT 1-65535)`;
  return args;
}

/** dryRunText(firmware, stopFirst) -> the commands flash would type, one a line, in order. */
export async function dryRunText(firmware: Buffer, stopFirst: boolean): Promise<string> {
  const restore = quietLibrary();
  try {
    const upload = await uploadCode(BOOT_FILE, firmware);
    return ["", PROBE, ...(stopFirst ? [STOP] : []), "reset();", upload, CHECK, ...startCommands()].join("\n") + "\n";
  } finally {
    restore();
  }
}

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
  const file = readFileSync(args.firmware);
  if (file.length === 0) {
    err(`${args.firmware} is empty: run npm run build first`);
    return 1;
  }
  let firmware: Buffer = file;
  if (!args.text) {
    try {
      firmware = pretokenise(file.toString("latin1"));
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      err(`${args.firmware}: not ES5 JavaScript (${e.message}), so it cannot be pretokenised: is it a build of npm run build? ` +
        "--text stores a file as it is");
      return 1;
    }
  }

  if (args.dryRun !== null) {
    const text = await dryRunText(firmware, args.stopFirst);
    try {
      writeFileSync(args.dryRun, text, { encoding: "latin1", mode: 0o600 });
    } catch (e) {
      err(`cannot write ${args.dryRun}: ${ioReason(e)}`);
      return 1;
    }
    out(`${args.dryRun}: the ${text.split("\n").length - 1} lines that would be typed at the console (no port opened)`);
    return 0;
  }

  const port = args.port!;
  if (port.startsWith("/") && !existsSync(port)) {
    err(`${port}: no such device (is the board plugged in? ls /dev/ttyUSB* /dev/ttyACM*)`);
    return 1;
  }
  return flashBoard({
    port, firmware, fileBytes: args.text ? null : file.length, file: shownPath(args.firmware), stopFirst: args.stopFirst,
    watchMs: args.watchMs, answerMs: 5000, verbose: args.verbose,
  }, { out, err });
}

if (isMain(import.meta.url)) {
  runMain("flash", () => flash(process.argv.slice(2), (s) => process.stdout.write(s + "\n"), (s) => process.stderr.write(s + "\n")));
}
