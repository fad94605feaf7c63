// The Transport seam on Espruino: a `net` (or `tls`) socket. Espruino sockets speak strings, so data is
// read through a byte view of the received string itself (E.toArrayBuffer references, copies nothing),
// and writes become one string per packet (the runtime's only way to send binary: docs/espruino.md).
// No receive buffer is held between chunks: a 536-byte one held 43 JsVars for as long as the board ran.
import type { Transport, TransportEvents } from "../platform";
import { OK, E_CONNECT_FAILED, E_CONNECTION_LOST } from "../mqtt/errors";

// buf[off .. off+len) as a string built a byte at a time: what E.toString gives up on when no flat block is
// free (a fragmented heap). Out of line, so a write does not lex it.
function spell(buf: Uint8Array, off: number, len: number): string {
  let str = "";
  for (let i = off; i < off + len; i++) str += String.fromCharCode(buf[i]);
  return str;
}

export class EspruinoNetTransport implements Transport {
  private readonly host: string;
  private readonly port: number;
  private readonly useTls: boolean;
  private sock: EspruinoSocket | null = null;
  // The natives a write calls, held as fields: the interpreter looks a built-in's static method up in its
  // table of built-ins at every use, and inside a wrapping function finds `E` or `String` only after the
  // wrapper's every name; a field is one property away (~26,000 instructions a publish and ~32,000 a
  // PUBACK less, measured in the benchmark's build).
  private readonly toStr: (data: Uint8Array) => string | undefined = E.toString;
  private readonly chr: (...codes: number[]) => string = String.fromCharCode;
  /** Why the current or last connection failed, in the interpreter's words; "" when nothing failed. */
  private cause = "";

  /** new EspruinoNetTransport(host, port, useTls): the broker's endpoint. */
  constructor(host: string, port: number, useTls: boolean) {
    this.host = host;
    this.port = port;
    this.useTls = useTls;
  }

  open(events: TransportEvents): void {
    this.close();
    const self = this;
    let opened = false;
    let failed = false;
    let sock: EspruinoSocket;
    // The data handler's natives, found in its maker's scope rather than through every scope and the
    // interpreter's table of built-ins (~35,000 instructions a chunk less, measured in the benchmark's build).
    const U8 = Uint8Array;
    const toAB = E.toArrayBuffer;
    this.cause = "no connection made";
    try {
      // A refused or unreachable address can throw here instead of emitting "error".
      sock = require(this.useTls ? "tls" : "net").connect({ host: this.host, port: this.port }, function () {
        opened = true;
        self.cause = "";
        if (self.sock === sock) events.onOpen();
      });
    } catch (e) {
      // "Unable to locate host" (DNS), "Unable to create socket" (refused or unreachable).
      this.cause = e && (e as Error).message ? (e as Error).message : String(e);
      events.onClose(E_CONNECT_FAILED);
      return;
    }
    this.sock = sock;
    sock.on("data", function (data: string) {
      // The view lives as long as the call: the engine copies what it keeps (a packet's unfinished part).
      if (self.sock === sock) events.onData(new U8(toAB(data)), 0, data.length);
    });
    sock.on("error", function (e: unknown) {
      failed = true;
      // {code, message}: -3 timeout, -6 not found, -11 no connection, -13 SSL handshake failed, ...
      const err = e as { code?: number; message?: string };
      if (self.sock === sock) self.cause = (err && err.message) + " (" + (err && err.code) + ")";
    });
    sock.on("close", function () {
      if (self.sock !== sock) return;
      self.sock = null;
      events.onClose(!opened ? E_CONNECT_FAILED : failed ? E_CONNECTION_LOST : OK);
    });
  }

  // No null check of `sock` and no locals: a write with no socket throws, as one the interpreter has closed
  // does (which can come before our "close" handler runs), and returns false. A local and a test cost a
  // write ~34,000 instructions on the interpreter (measured on the QoS 1 PUBACK).
  write(buf: Uint8Array, off: number, len: number): boolean {
    try {
      // undefined (no flat block) or "" (nothing to write): spell() gives the same string.
      (this.sock as EspruinoSocket).write(this.toStr(buf.subarray(off, off + len)) || spell(buf, off, len));
    } catch (e) {
      return false;
    }
    return true;
  }

  // write() of an acknowledgement: its string made in one native call, where write() would first make a
  // view of a 4-byte array and convert it (~50,000 instructions more, measured on the QoS 1 PUBACK).
  writeAck(first: number, id: number): boolean {
    try {
      (this.sock as EspruinoSocket).write(this.chr(first, 2, id >> 8, id & 255));
    } catch (e) {
      return false;
    }
    return true;
  }

  // end() closes for good on the interpreter (measured: close(2) after the queued bytes, "close" at once,
  // whatever the broker does), so sockets do not pile up against a broker that never closes its side.
  close(): void {
    const s = this.sock;
    if (s !== null) s.end();
  }

  /** describe() -> "host:port", and ": cause" when the connection failed: for the log line of a failure. */
  describe(): string {
    return this.host + ":" + this.port + (this.cause !== "" ? ": " + this.cause : "");
  }
}
