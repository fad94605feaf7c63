// The board's sockets: require("net") and require("tls"), backed by real Node sockets to wherever the
// simulator routes them. What the firmware sees is Espruino's socket (docs/espruino.md):
// - data arrives as latin1 strings (bytes 0-255 kept) of at most 536 chars;
// - write(x) sends String(x) as 8-bit chars, so a Uint8Array goes out as the text "1,2,0,255";
// - a refused address can throw "Unable to create socket" from connect() itself. Modelled as: right
//   after an attempt to an address was refused (error + close), the next connect() to it throws once,
//   and the one after dials again. Both paths of the firmware are thus exercised, deterministically.
// - while the station holds no address (before the firmware joined the access point, or while the AP is
//   gone), a connect fails with "no route" (error + close), as on the ESP32.
// - end() closes for good, as the interpreter does (measured on 2v29: close(2) once the queued data is
//   out, then "end" and "close" at once, whether or not the peer ever closes its side); a write() on a
//   socket that is closed or ending throws "This socket is closed".
import net from "node:net";
import tls, { type ConnectionOptions } from "node:tls";
import type { EventLoop } from "./loop";
import { socketCause } from "../platform/socket-cause";
import type { Realm } from "./realm";

/** Espruino delivers received data in pieces of at most this many bytes. */
export const CHUNK = 536;

/** Where a board's connect really goes, as ShimOptions.route answers. */
export interface Route {
  host: string;
  port: number;
  /**
   * Options for a TLS connection; null: plain TCP even when the board asked for TLS (the simulator's
   * broker speaks plain MQTT); absent: TLS with Node's defaults when the board asked for it.
   */
  tls?: ConnectionOptions | null;
}

export interface NetOptions {
  route(host: string, port: number, tls: boolean): Route;
  tap?(dir: "out" | "in", bytes: Uint8Array): void;
  onSocket?(event: "connect" | "close" | "error" | "refused-throw", to: string, detail?: string): void;
  /** Whether the station has an access point to talk through. */
  linkUp(): boolean;
}

type SocketEvent = "connect" | "data" | "close" | "error" | "end";

/** Espruino's socket error codes and texts (libs/network/socketerrors.c). */
const NO_ROUTE = { code: -4, message: "no route" };
function espruinoError(err: NodeJS.ErrnoException): { code: number; message: string } {
  switch (err.code) {
    case "ECONNREFUSED": return { code: -11, message: "no connection" };
    case "ECONNRESET": case "EPIPE": return { code: -9, message: "connection reset" };
    case "ETIMEDOUT": return { code: -3, message: "timeout" };
    case "ENOTFOUND": case "EAI_AGAIN": return { code: -6, message: "not found" };
    case "EHOSTUNREACH": case "ENETUNREACH": return NO_ROUTE;
  }
  if (err.code?.startsWith("ERR_SSL") || err.code?.startsWith("ERR_TLS") || /certificate|handshake|SSL/i.test(err.message)) {
    return { code: -13, message: "SSL handshake failed" };
  }
  return { code: -10, message: "unknown error" };
}

/** One board socket: the Node socket, its handlers, and the object the firmware holds. */
class BoardSocket {
  readonly handlers: { [E in SocketEvent]: unknown[] } = { connect: [], data: [], close: [], error: [], end: [] };
  node: net.Socket | null = null;
  opened = false;
  closed = false;
  /** end() was called: closing for good once the queued bytes are out. */
  ending = false;
  /** "end" was emitted (the peer's FIN, or our own end()). */
  endEmitted = false;
  readonly face: object;

  constructor(private readonly stack: NetStack, readonly to: string, readonly key: string) {
    const self = this;
    this.face = stack.realm.obj({
      on(event: unknown, fn: unknown): void {
        const list = self.handlers[String(event) as SocketEvent];
        if (list && typeof fn === "function") list.push(fn);
      },
      write(data: unknown): boolean {
        if (self.closed || self.ending) throw stack.realm.error("This socket is closed");
        return self.write(String(data));
      },
      end(): void {
        self.end();
      },
    });
  }

  /** emit(event, args): runs the firmware's handlers for event, in the order they were added. */
  emit(event: SocketEvent, args: unknown[]): void {
    for (const fn of this.handlers[event].slice()) this.stack.loop.call(fn, this.face, args);
  }

  /** end(): the interpreter's end(): queued bytes go out, then the socket is closed (not half-closed). */
  end(): void {
    const node = this.node;
    if (this.closed || this.ending || !node) return;
    this.ending = true;
    if (!this.opened) node.destroy();
    else node.end(() => node.destroy());
  }

  /** write(text) -> false once the socket is gone; text goes out as 8-bit chars, tapped first. */
  write(text: string): boolean {
    const node = this.node;
    if (!node || this.closed || node.writableEnded || node.destroyed) return false;
    // Being torn down (reset()): the interpreter accepts the write and the bytes never leave.
    if (this.stack.dying) return true;
    const bytes = Buffer.from(text, "latin1");
    if (bytes.length === 0) return true;
    this.stack.options.tap?.("out", new Uint8Array(bytes));
    node.write(bytes);
    return true;
  }
}

export class NetStack {
  private readonly open = new Set<BoardSocket>();
  /** Routed addresses whose last attempt was refused: the next connect() to them throws. */
  private readonly refused = new Set<string>();
  private readonly modules = new Map<boolean, object>();
  /** When settlingSince() first saw each socket opening or closing. */
  private readonly changing = new WeakMap<BoardSocket, number>();
  /** Set by dropping(): writes are swallowed, as during Espruino's reset(). */
  dying = false;

  /** new NetStack(realm, loop, options). */
  constructor(readonly realm: Realm, readonly loop: EventLoop, readonly options: NetOptions) {}

  /** openCount -> sockets made and not yet closed. */
  get openCount(): number {
    return this.open.size;
  }

  /** module(useTls) -> require("net") or require("tls"); one object each per board. */
  module(useTls: boolean): object {
    let m = this.modules.get(useTls);
    if (!m) {
      const self = this;
      m = this.realm.obj({
        connect(options: unknown, onConnect?: unknown): object {
          return self.connect(options, onConnect, useTls);
        },
      });
      this.modules.set(useTls, m);
    }
    return m;
  }

  /**
   * settlingSince() -> performance.now() since when a board socket has been opening or closing (as this
   * call first saw it), or null: the simulator's virtual time waits for sockets that are changing.
   */
  settlingSince(): number | null {
    let since: number | null = null;
    for (const s of this.open) {
      const node = s.node;
      if (s.opened && node !== null && !node.destroyed && !node.writableEnded) {
        this.changing.delete(s);
        continue;
      }
      let t = this.changing.get(s);
      if (t === undefined) {
        t = performance.now();
        this.changing.set(s, t);
      }
      since = since === null ? t : Math.min(since, t);
    }
    return since;
  }

  /** dropping(): from now on writes are accepted and never sent; halt() follows. */
  dropping(): void {
    this.dying = true;
  }

  /** halt(): a power cut: every socket destroyed at once, each reported closed to onSocket. */
  halt(): void {
    const all = [...this.open];
    this.open.clear();
    for (const s of all) {
      s.closed = true;
      s.node?.destroy();
      this.options.onSocket?.("close", s.to);
    }
  }

  private connect(options: unknown, onConnect: unknown, useTls: boolean): object {
    const o = (typeof options === "object" && options !== null ? options : {}) as { host?: unknown; port?: unknown };
    const host = o.host === undefined ? "localhost" : String(o.host);
    const port = o.port === undefined ? (useTls ? 443 : 80) : Number(o.port);
    const to = `${host}:${port}`;
    const route = this.options.route(host, port, useTls);
    const key = `${route.host}:${route.port}`;
    if (this.refused.delete(key)) {
      this.options.onSocket?.("refused-throw", to, `${key}: refused (connect() threw "Unable to create socket", as after a refusal)`);
      throw this.realm.error("Unable to create socket");
    }
    const s = new BoardSocket(this, to, key);
    if (typeof onConnect === "function") s.handlers.connect.push(onConnect);
    this.open.add(s);
    if (!this.options.linkUp()) {
      // No access point: nothing leaves the board; the failure is reported as an event, later.
      this.loop.later(0, () => {
        this.options.onSocket?.("error", to, `${key}: ${NO_ROUTE.message} (the access point is gone)`);
        s.emit("error", [this.realm.obj({ ...NO_ROUTE })]);
        this.closeSocket(s, true);
      });
      return s.face;
    }
    const secure = route.tls === undefined ? (useTls ? {} : null) : route.tls;
    const node = secure
      ? tls.connect({ ...secure, host: route.host, port: route.port })
      : net.connect({ host: route.host, port: route.port });
    s.node = node;
    node.setNoDelay(true);
    node.on(secure ? "secureConnect" : "connect", () => {
      if (s.closed) return;
      s.opened = true;
      this.options.onSocket?.("connect", to);
      s.emit("connect", [s.face]);
    });
    node.on("data", (buf: Buffer) => {
      if (s.closed) return;
      this.options.tap?.("in", new Uint8Array(buf));
      for (let i = 0; i < buf.length; i += CHUNK) {
        if (s.closed) return;
        s.emit("data", [buf.toString("latin1", i, Math.min(buf.length, i + CHUNK))]);
      }
    });
    node.on("end", () => {
      if (s.closed || s.endEmitted) return;
      s.endEmitted = true;
      s.emit("end", []);
    });
    node.on("error", (err: NodeJS.ErrnoException) => {
      if (s.closed) return;
      if (err.code === "ECONNREFUSED" && !s.opened) this.refused.add(key);
      this.options.onSocket?.("error", to, `${key}: ${socketCause(err)}`);
      s.emit("error", [this.realm.obj(espruinoError(err))]);
    });
    node.on("close", (hadError: boolean) => {
      if (!s.closed) this.closeSocket(s, hadError);
    });
    return s.face;
  }

  private closeSocket(s: BoardSocket, hadError: boolean): void {
    s.closed = true;
    this.open.delete(s);
    this.options.onSocket?.("close", s.to);
    if (s.ending && s.opened && !s.endEmitted) {
      s.endEmitted = true;
      s.emit("end", []);
    }
    s.emit("close", [hadError]);
  }
}
