// One connection to an Espruino console, through the espruino package (the same modules its command-line
// tool uses: the serial devices with their throttled writes, the code writer, the upload code), loaded in
// this process so that one connection carries the whole flash: probe, stop, upload, read-back, start and
// watch. A serial port goes through the package's serialport device; tcp://HOST:PORT (a board's telnet
// console) through a socket of our own, so a refused or silent address is reported with its cause.
import net from "node:net";
import { createRequire } from "node:module";
import { socketCause } from "../platform/socket-cause";

/** The console speed of the official ESP32 build (the tool's default is 9600). */
export const BAUD = 115200;

/** The parts of the package's global `Espruino` that flash uses. */
interface EspruinoTools {
  Config: Record<string, unknown>;
  Core: {
    Serial: {
      devices: unknown[];
      open(port: string, onOpen: (status: unknown) => void, onClose: () => void): void;
      startListening(fn: (data: ArrayBuffer) => void): unknown;
      write(data: string, showStatus?: boolean, done?: () => void): void;
      close(): void;
      setSlowWrite(on: boolean, force?: boolean): void;
    };
    Utils: { getUploadFileCode(name: string, contents: string): string };
    CodeWriter: { writeToEspruino(code: string, done: () => void): void };
  };
}

let tools: Promise<EspruinoTools> | null = null;

/**
 * espruinoTools() -> the package, initialised once, offline: no module downloads, no online compiler, no
 * WebSocket bridge, no Bluetooth, no board query on connect. What it prints goes to `library` lines.
 */
export function espruinoTools(): Promise<EspruinoTools> {
  if (!tools) {
    tools = new Promise((resolve) => {
      const pkg = createRequire(import.meta.url)("espruino") as { init(cb: () => void): void };
      pkg.init(() => {
        const E = (globalThis as unknown as { Espruino: EspruinoTools }).Espruino;
        Object.assign(E.Config, {
          BAUD_RATE: BAUD,
          BLUETOOTH_LOW_ENERGY: false,
          BLUETOOTH_LOW_ENERGY_DBUS: false,
          MODULE_URL: "",
          COMPILATION: false,
          WEBSOCKET_URL: "",
          ENV_ON_CONNECT: false,
          SET_TIME_ON_WRITE: false,
          RESET_BEFORE_SEND: true,
          SAVE_ON_SEND: 0,
        });
        E.Core.Serial.devices.push(tcpDevice());
        resolve(E);
      });
    });
  }
  return tools;
}

/** uploadCode(name, data) -> the package's Storage writes for a file, one command a line. */
export async function uploadCode(name: string, data: Buffer): Promise<string> {
  return (await espruinoTools()).Core.Utils.getUploadFileCode(name, data.toString("latin1"));
}

/** Lines the package printed (its own console.log/warn/error), for --verbose and for failures. */
export const library: string[] = [];
let lastTcpFailure = "";
/** The tcp:// port being opened: the package opens only a port some device lists. */
let tcpPorts: string[] = [];

/** quietLibrary(): the package's console output goes to `library` instead of the terminal. */
export function quietLibrary(): () => void {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const keep = (kind: string) => (...args: unknown[]) => {
    library.push(kind + args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  console.log = keep("");
  console.warn = keep("warning: ");
  console.error = keep("error: ");
  return () => Object.assign(console, saved);
}

// tcp://HOST[:PORT] (port 23, telnet, when absent), as the package's own socket device reads it.
function tcpDevice() {
  let socket: net.Socket | null = null;
  return {
    name: "relaymq TCP console",
    getPorts(cb: (ports: unknown[], instant: boolean) => void) {
      cb(tcpPorts.map((path) => ({ path, description: "Espruino console over TCP", type: "socket" })), true);
    },
    open(path: string, onOpen: (info: unknown) => void, onData: (data: ArrayBuffer) => void, onClose: () => void) {
      const { host, port } = parseTcp(path)!;
      let opened = false;
      const s = net.connect({ host, port });
      socket = s;
      s.setTimeout(5000, () => s.destroy(Object.assign(new Error("no answer within 5 s"), { code: "ETIMEDOUT" })));
      s.on("connect", () => {
        opened = true;
        s.setTimeout(0);
        s.setNoDelay(true);
        onOpen({ ok: true });
      });
      s.on("data", (d: Buffer) => onData(d.buffer.slice(d.byteOffset, d.byteOffset + d.length) as ArrayBuffer));
      s.on("error", (e: NodeJS.ErrnoException) => {
        lastTcpFailure = socketCause(e);
      });
      s.on("close", () => {
        socket = null;
        if (opened) onClose();
        else onOpen(undefined);
      });
    },
    write(data: string, done: () => void) {
      if (!socket) return done();
      socket.write(Buffer.from(data, "latin1"), () => done());
    },
    close() {
      socket?.end();
    },
  };
}

/** The ESP32 release's telnet console port (the Linux build serves it on 2323 with --telnet). */
export const TELNET_PORT = 23;

/**
 * parseTcp(port) -> host and port (TELNET_PORT when left out) of "tcp://HOST[:PORT]" (a host name, IPv4
 * address or [IPv6] address; PORT 1-65535), or null for anything else (a serial device, user@host).
 */
export function parseTcp(port: string): { host: string; port: number } | null {
  const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?\/?$/.exec(port);
  if (!m) return null;
  const n = m[2] === undefined ? TELNET_PORT : Number(m[2]);
  if (!(n >= 1 && n <= 65535)) return null;
  return { host: m[1].replace(/^\[|\]$/g, ""), port: n };
}

/** A console connection: everything it printed since opening, and ways to type into it. */
export class ConsoleLink {
  /** All console output so far, one char a byte. */
  text = "";
  private closed = false;
  private readonly E: EspruinoTools;

  private constructor(E: EspruinoTools) {
    this.E = E;
  }

  /** open(port) -> a link, or the reason the port could not be opened. */
  static async open(port: string): Promise<ConsoleLink | string> {
    const E = await espruinoTools();
    const link = new ConsoleLink(E);
    lastTcpFailure = "";
    E.Core.Serial.startListening((data) => {
      link.text += Buffer.from(data).toString("latin1");
    });
    if (parseTcp(port)) tcpPorts = [port];
    return new Promise((resolve) => {
      let settled = false;
      E.Core.Serial.open(port, (status) => {
        if (settled) return;
        settled = true;
        if (status === undefined) {
          resolve(lastTcpFailure || lastLibraryError() || "the port could not be opened");
          return;
        }
        resolve(link);
      }, () => {
        link.closed = true;
        if (!settled) {
          settled = true;
          resolve(lastTcpFailure || lastLibraryError() || "the port closed while opening");
        }
      });
    });
  }

  /** isClosed() -> whether the other end went away. */
  isClosed(): boolean {
    return this.closed;
  }

  /** send(line): types one command, echo off (byte 0x10), and Enter. */
  send(line: string): void {
    this.E.Core.Serial.write("\x10" + line + "\n", false);
  }

  /** fast(): the package's unthrottled writes, as it chooses them itself for a USB or telnet console. */
  fast(): void {
    this.E.Core.Serial.setSlowWrite(false);
  }

  /**
   * upload(code): hands code to the package's code writer, which waits for a prompt, types reset() and
   * then the code, throttled as it sees fit. Its own "done" is not called for short code, so the caller
   * ends the code with a question and waits for the answer instead.
   */
  upload(code: string): void {
    this.E.Core.CodeWriter.writeToEspruino(code, () => {});
  }

  /** slow() -> whether writes are throttled (the package's 19-byte blocks with pauses). */
  slow(): boolean {
    return (this.E.Core.Serial as unknown as { isSlowWrite(): boolean }).isSlowWrite();
  }

  /**
   * waitFor(read, ms, from) -> read's first non-null answer on the text after offset `from`, or null when
   * ms pass or the link closes first.
   */
  waitFor<T>(read: (text: string) => T | null, ms: number, from = 0): Promise<T | null> {
    const end = Date.now() + ms;
    return new Promise((resolve) => {
      const poll = () => {
        const v = read(this.text.slice(from));
        if (v !== null) resolve(v);
        else if (this.closed || Date.now() >= end) resolve(null);
        else setTimeout(poll, 20);
      };
      poll();
    });
  }

  /** close() -> resolves once the connection is closed (at most 1 s). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.E.Core.Serial.close();
    return this.waitFor(() => (this.closed ? true : null), 1000).then(() => undefined);
  }
}

function lastLibraryError(): string {
  for (let i = library.length - 1; i >= 0; i--) if (library[i].startsWith("error: ")) return library[i].slice(7);
  return "";
}
