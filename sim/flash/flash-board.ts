// The flash itself, over one console connection, each step checked before the next:
//   1. Enter, then a question only an Espruino interpreter answers (its version, board, console, and
//      whether relaymq runs): anything else on the port (a broker, a dead socket) gets nothing more.
//   2. --stop-first: relaymqStop(), and wait until the firmware logged its disconnect, so no will.
//   3. The upload by the espruino package's code writer: reset(), then the file (pretokenised unless --text)
//      into Storage ".bootcde" in 384-byte base64 chunks (its code never has to fit in RAM).
//   4. Typed right after it: the stored file's length and E.CRC32, compared; a damaged file is erased.
//   5. sim/flash/start.js: older boot code erased, load() (a boot).
//   6. The console watched: an uncaught error fails the flash with that line; the firmware's own log
//      lines are reported; "relaymq info connected" ends the watch early.
import { BOOT_FILE, CHECK, CONNECTED, ERASE, FAILURE, NOTEWORTHY, PROBE, STOP, checked, consoleLines, hello, startCommands, stopped } from "./commands";
import { ConsoleLink, library, quietLibrary, uploadCode } from "./console-link";
import { crc32 } from "./crc32";

export interface FlashOptions {
  port: string;
  /** The bytes to store, where they came from, and that file's size when they are its pretokenised form
   * (null: stored as the file is); for messages. */
  firmware: Buffer;
  file: string;
  fileBytes: number | null;
  stopFirst: boolean;
  /** How long the console is watched after load(). */
  watchMs: number;
  /** How long the console may take to answer a question. */
  answerMs: number;
  verbose: boolean;
}

export interface FlashIO {
  out(line: string): void;
  err(line: string): void;
}

/** How long relaymqStop() may take to get its DISCONNECT out (the log line comes once the socket closed). */
const STOP_MS = 5000;
/** How long the read-back may take beyond the upload's expected time (E.CRC32 over the file). */
const CHECK_MS = 10000;

const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");

/** What the port said (short and printable) and whether it hung up, for a message about a failed step. */
function heard(link: ConsoleLink, from: number): string {
  const t = link.text.slice(from).replace(/[^\x20-\x7e]+/g, " ").trim();
  const said = t === "" ? "it sent nothing" : `it sent ${JSON.stringify(t.length > 80 ? t.slice(0, 80) + "..." : t)}`;
  return link.isClosed() ? said + " and closed the connection" : said;
}

/** flashBoard(options, io) -> the exit status: 0 flashed and started, 1 failed. */
export async function flashBoard(o: FlashOptions, io: FlashIO): Promise<number> {
  const restore = quietLibrary();
  const before = library.length;
  try {
    return await flashSteps(o, io);
  } finally {
    restore();
    if (o.verbose) for (const l of library.slice(before)) io.err("espruino: " + l);
  }
}

async function flashSteps(o: FlashOptions, io: FlashIO): Promise<number> {
  const link = await ConsoleLink.open(o.port);
  if (typeof link === "string") {
    // The package opens a serial device only when the system lists it (serialport, through udev on Linux).
    // Over the network only a build with console.telnet serves the console (main.ts turns it off otherwise).
    const hint = /Port .* not found/.test(link)
      ? " (not among the serial ports the system lists: ls /dev/ttyUSB* /dev/ttyACM*)"
      : o.port.startsWith("tcp:") ? ' (the board must be on this network, running a build with "console": { "telnet": true })' : "";
    io.err(`cannot open ${o.port}: ${link}${hint}`);
    return 1;
  }
  const secs = (ms: number) => `${ms / 1000} s`;
  try {
    // 1. Is it Espruino?
    link.send("");
    link.send(PROBE);
    const h = await link.waitFor(hello, o.answerMs);
    if (!h) {
      io.err(`no Espruino answered on ${o.port} within ${secs(o.answerMs)} (${heard(link, 0)}); nothing was uploaded`);
      return 1;
    }
    io.out(`${o.port}: Espruino ${h.version} on ${h.board}, console ${h.console}${h.relaymq ? ", relaymq running" : ""}`);
    // The package writes unthrottled to a console it knows keeps up (its own rule when it asks a board).
    if (/^(USB|Telnet|Bluetooth)$/.test(h.console)) link.fast();

    // 2. A clean stop of the running firmware.
    if (o.stopFirst) {
      const from = link.text.length;
      link.send(STOP);
      const answer = await link.waitFor(stopped, o.answerMs, from);
      if (answer === null) {
        io.err(`relaymqStop() did not answer within ${secs(o.answerMs)} (${heard(link, from)}); nothing was uploaded`);
        return 1;
      }
      if (answer === "none") io.out("--stop-first: the running program has no relaymqStop(); nothing to stop cleanly");
      else if (answer === "false") io.out("--stop-first: relaymqStop() done; it had no broker session");
      else {
        const gone = await link.waitFor((t) => (consoleLines(t).some((l) => /^relaymq \w+ disconnected\b/.test(l)) ? true : null), STOP_MS, from);
        io.out(gone
          ? "--stop-first: relaymqStop() said offline and disconnected; the broker publishes no will"
          : `--stop-first: relaymqStop() called, but its disconnect was not logged within ${secs(STOP_MS)}; uploading anyway`);
      }
    } else if (h.relaymq) {
      io.err("notice: relaymq is running there: the reset() before the upload drops its broker connection, so the " +
        "broker publishes its will (offline); --stop-first stops it cleanly first");
    }

    // 3. The upload, and 4. its read-back, typed right after it so that its answer also says the upload
    // has been typed and run.
    const length = o.firmware.length;
    const crc = crc32(o.firmware);
    const code = await uploadCode(BOOT_FILE, o.firmware);
    const lines = code.split("\n").length;
    // The package pauses 250 ms after each Storage write; a serial line at 115200 baud carries 11.5 KB/s.
    const expectMs = lines * 250 + (link.slow() ? (code.length / 11520) * 1000 : 0);
    const form = o.fileBytes === null ? "" : ` (${o.file}'s ${o.fileBytes}, pretokenised)`;
    const pretokenised = o.fileBytes === null ? "" : " pretokenised";
    io.out(`uploading ${length} bytes${form} in ${lines} Storage write${lines === 1 ? "" : "s"} (about ${Math.ceil(expectMs / 1000)} s)...`);
    const from = link.text.length;
    link.upload(code + "\n" + CHECK + "\n");
    const stored = await link.waitFor(checked, expectMs * 2 + CHECK_MS, from);
    if (stored === null) {
      const why = link.isClosed() ? "the connection closed during the upload" : `no answer to the read-back of ${BOOT_FILE}`;
      io.err(`${o.port}: ${why} (${heard(link, Math.max(from, link.text.length - 200))}); nothing was started`);
      return 1;
    }
    if (stored === "none" || stored.length !== length || stored.crc !== crc) {
      // The erase is asked about again: a line still queued in the package's throttled writer when the
      // link closes never reaches the board, which would then run the damaged file at its next boot.
      const before = link.text.length;
      link.send(ERASE);
      link.send(CHECK);
      const after = await link.waitFor(checked, CHECK_MS, before);
      const held = stored === "none" ? "is missing" : `holds ${stored.length} bytes, CRC32 ${hex(stored.crc)}`;
      io.err(`the upload to ${o.port} is damaged: ${BOOT_FILE} ${held}, ${o.file}${pretokenised} has ${length} bytes, CRC32 ${hex(crc)}; ` +
        (after === "none"
          ? "erased it so the board boots without it; nothing was started"
          : `erasing it was not confirmed (${after === null ? "no answer" : `it still holds ${after.length} bytes`}): the board may run it ` +
            `at its next boot, flash again before it restarts; nothing was started`));
      return 1;
    }
    io.out(`${o.file}: ${length} bytes${pretokenised} written to ${BOOT_FILE} on ${o.port} and read back identical (CRC32 ${hex(crc)})`);

    // 5. Start, 6. watch.
    const start = link.text.length;
    for (const line of startCommands()) link.send(line);
    return await watch(link, start, o, io);
  } finally {
    await link.close();
  }
}

// Reads the console after load() until the firmware fails, says it connected, or o.watchMs pass.
async function watch(link: ConsoleLink, from: number, o: FlashOptions, io: FlashIO): Promise<number> {
  const end = Date.now() + o.watchMs;
  const lines = () => consoleLines(link.text.slice(from));
  let seen: string[] = [];
  while (Date.now() < end && !link.isClosed()) {
    seen = lines();
    const failed = seen.findIndex((l) => FAILURE.test(l));
    if (failed >= 0) {
      // The lines after an uncaught error say where it was thrown ("at boot code (.bootcde:3:20)"), then
      // quote the code around it: only the place is shown, as the quoted code can hold the board's
      // embedded secrets.
      await new Promise((r) => setTimeout(r, 300));
      const after = lines().slice(failed + 1, failed + 4).join("\n");
      const at = /\(([^()\s]+:\d+:\d+)\)/.exec(after) ?? /\bat (\S+:\d+:\d+)/.exec(after);
      io.err(`the firmware failed when it started on ${o.port}: ${seen[failed]}`);
      if (at) io.err(`  at ${at[1]}`);
      return 1;
    }
    if (seen.some((l) => CONNECTED.test(l))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const said = seen.filter((l) => NOTEWORTHY.test(l));
  if (link.isClosed()) {
    io.err(`the connection to ${o.port} closed after load(): cannot tell whether the firmware runs`);
    for (const l of said) io.err("  " + l);
    return 1;
  }
  io.out(`started; it runs at every boot. ${said.length > 0 ? "It said:" : `It printed nothing of note in ${o.watchMs / 1000} s (it logs once WiFi and the broker are up).`}`);
  for (const l of said.slice(0, 20)) io.out("  " + l);
  return 0;
}
