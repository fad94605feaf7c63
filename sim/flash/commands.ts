// What `npm run flash` types at the board's console besides the upload itself, and how it reads the
// answers. Each question prints a marker built at run time ("RELAYMQ"+"_HELLO"), so an echo of the
// question (a peer that is not Espruino, a console with echo on) can never pass for the answer.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The Storage file that Espruino runs at every boot. */
export const BOOT_FILE = ".bootcde";

/** Erases older boot code (a save()d RAM image, code run after reset()), then load(): a boot. */
export const START_JS = resolve(dirname(fileURLToPath(import.meta.url)), "start.js");

/** The interpreter's version, board, console and whether relaymq's firmware runs (its relaymqStop). */
export const PROBE = 'print("RELAYMQ"+"_HELLO",process.env.VERSION,process.env.BOARD,process.env.CONSOLE,typeof relaymqStop)';
const PROBE_ANSWER = /RELAYMQ_HELLO (\S+) (\S+) (\S+) (\S+)/;

/** The firmware's clean stop: "true" (a session was up, DISCONNECT on its way), "false", or "none". */
export const STOP = 'print("RELAYMQ"+"_STOP",typeof relaymqStop=="function"?relaymqStop():"none")';
const STOP_ANSWER = /RELAYMQ_STOP (true|false|none|undefined)/;

/** The stored boot file's length and E.CRC32, or "none". */
export const CHECK = `print("RELAYMQ"+"_CHECK",(function(s){return s===undefined?"none":s.length+" "+E.CRC32(s)})(require("Storage").read("${BOOT_FILE}")))`;
const CHECK_ANSWER = /RELAYMQ_CHECK (none|(\d+) (\d+))/;

/** After a damaged upload: no broken code left to run at the next boot. */
export const ERASE = `require("Storage").erase("${BOOT_FILE}")`;

/** startCommands() -> the lines of sim/flash/start.js. */
export function startCommands(): string[] {
  return readFileSync(START_JS, "latin1").split("\n").filter((l) => l.trim() !== "");
}

export interface Hello {
  version: string;
  board: string;
  console: string;
  /** relaymq's firmware is running (it defines relaymqStop()). */
  relaymq: boolean;
}

/** hello(text) -> the probe's answer in the console text, or null. */
export function hello(text: string): Hello | null {
  const m = PROBE_ANSWER.exec(text);
  return m ? { version: m[1], board: m[2], console: m[3], relaymq: m[4] === "function" } : null;
}

/** stopped(text) -> "true" | "false" | "none", or null before the answer. */
export function stopped(text: string): string | null {
  const m = STOP_ANSWER.exec(text);
  return m ? (m[1] === "undefined" ? "false" : m[1]) : null;
}

/** checked(text) -> the stored file's length and CRC, "none" when it is missing, null before the answer. */
export function checked(text: string): { length: number; crc: number } | "none" | null {
  const m = CHECK_ANSWER.exec(text);
  if (!m) return null;
  return m[1] === "none" ? "none" : { length: Number(m[2]), crc: Number(m[3]) };
}

/**
 * consoleLines(text) -> the console output as lines: ANSI sequences removed, each line as it stands after
 * carriage returns (the prompt "\r\x1b[J" is erased before output), empty lines and bare prompts dropped.
 */
export function consoleLines(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .split("\n")
    .map((l) => {
      const parts = l.replace(/\r$/, "").split("\r");
      return parts[parts.length - 1].replace(/^>+/, "").trimEnd();
    })
    .filter((l) => l !== "");
}

/**
 * A line that says the firmware failed: an uncaught exception, the interpreter out of memory or stack, a
 * firmware error log. Other "ERROR:" lines (a refused connect prints "ERROR: Connect failed") are reported,
 * not failures: the firmware runs and retries.
 */
export const FAILURE = /^(Uncaught\b|ERROR: (Out of Memory|.*[Ss]tack)|relaymq error )/;
/** What else the interpreter or the firmware printed that the user should see. */
export const NOTEWORTHY = /^(ERROR:|WARNING:|relaymq (error|warn|info|debug) )/;
/** The firmware's line once it has a session with the broker: flash stops watching there. */
export const CONNECTED = /^relaymq info connected$/;
