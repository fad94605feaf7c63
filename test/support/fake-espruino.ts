// A TCP server that answers as an Espruino console does, as far as `npm run flash` types at it: the
// probe, relaymqStop(), reset(), the Storage writes (the file is kept), the read-back (length and CRC32 of
// what it kept), the start lines; after load() it prints what the scenario says the firmware printed. For
// the flash paths a real interpreter cannot be made to take on demand: a damaged upload, a firmware that
// throws at start, a session that relaymqStop() ends. Every line it was sent is kept, in order.
import net from "node:net";
import { crc32 } from "../../sim/flash/crc32";

export interface FakeConsoleOptions {
  /** process.env.CONSOLE as the probe reports it (default "Telnet"). */
  console?: string;
  /** relaymq's firmware is running (relaymqStop exists); with a session: relaymqStop() answers true. */
  relaymq?: "none" | "idle" | "session";
  /** Lines the firmware prints after load(), one every 50 ms. */
  afterLoad?: string[];
  /** Keep the upload with its first byte changed, as a line garbled on the way would. */
  damage?: boolean;
  /** The erase of .bootcde is answered but does nothing (a board that lost the line). */
  eraseIgnored?: boolean;
}

export interface FakeConsole {
  port: number;
  /** Every command line received, without the echo-off byte. */
  lines: string[];
  /** The .bootcde file as written. */
  stored(): Buffer;
  close(): Promise<void>;
}

const WRITE = /^require\("Storage"\)\.write\("\.bootcde",atob\("([A-Za-z0-9+/=]*)"\),(\d+)(?:,(\d+))?\)$/;

export async function fakeEspruinoConsole(o: FakeConsoleOptions = {}): Promise<FakeConsole> {
  const lines: string[] = [];
  let file = Buffer.alloc(0);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    let pending = "";
    const say = (text: string) => {
      if (!s.destroyed) s.write(text.replace(/\n/g, "\r\n") + "\r\n>");
    };
    s.write(">");
    s.on("data", (d: Buffer) => {
      pending += d.toString("latin1");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, "").replace(/^\x10/, "");
        pending = pending.slice(nl + 1);
        lines.push(line);
        answer(line, say);
      }
    });
  });
  const answer = (line: string, say: (t: string) => void) => {
    const relaymq = o.relaymq ?? "none";
    const w = WRITE.exec(line);
    if (w) {
      const data = Buffer.from(w[1], "base64");
      const at = Number(w[2]);
      if (w[3] !== undefined) file = Buffer.alloc(Number(w[3]));
      data.copy(file, at);
      if (o.damage && at === 0) file[0] ^= 0xff;
      say("=true");
    } else if (line.includes('"RELAYMQ"+"_HELLO"')) {
      say(`RELAYMQ_HELLO 2v29 ESP32 ${o.console ?? "Telnet"} ${relaymq === "none" ? "undefined" : "function"}`);
    } else if (line.includes('"RELAYMQ"+"_STOP"')) {
      say(`RELAYMQ_STOP ${relaymq === "none" ? "none" : relaymq === "session" ? "true" : "false"}`);
      if (relaymq === "session") setTimeout(() => say("relaymq warn disconnected STOPPED (-56)"), 100);
    } else if (line === 'require("Storage").erase(".bootcde")' && !o.eraseIgnored) {
      file = Buffer.alloc(0);
      say("=undefined");
    } else if (line.includes('"RELAYMQ"+"_CHECK"')) {
      say(file.length === 0 ? "RELAYMQ_CHECK none" : `RELAYMQ_CHECK ${file.length} ${crc32(file)}`);
    } else if (line === "load();") {
      say("=undefined");
      (o.afterLoad ?? []).forEach((l, i) => setTimeout(() => say(l), 50 * (i + 1)));
    } else {
      say(line === "" ? "" : "=undefined");
    }
  };
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    lines,
    stored: () => file,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
