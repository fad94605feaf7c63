// The Transport seam on Node: a TCP (or TLS) socket to host:port. Events from a socket that is no
// longer the current one are ignored, so a late close can never end a newer connection.
import net from "node:net";
import tls from "node:tls";
import { writeAckBytes, type Transport, type TransportEvents } from "../../firmware/platform";
import { OK, E_CONNECT_FAILED, E_CONNECTION_LOST } from "../../firmware/mqtt/errors";
import { socketCause } from "./socket-cause";

export interface TcpEndpoint {
  host: string;
  port: number;
  /** TLS options (ca, rejectUnauthorized, servername...) turn TLS on. */
  tls?: tls.ConnectionOptions | null;
}

export class TcpTransport implements Transport {
  private socket: net.Socket | null = null;
  private events: TransportEvents | null = null;
  private readonly endpoint: TcpEndpoint;
  /** Why the current or last connection failed; "" when nothing did. */
  private cause = "";
  /** Whether the current socket finished opening; when (performance.now()) it began opening or closing. */
  private opened = false;
  private changingSince = 0;

  constructor(endpoint: TcpEndpoint) {
    this.endpoint = endpoint;
  }

  open(events: TransportEvents): void {
    this.close();
    this.events = events;
    const e = this.endpoint;
    let opened = false;
    let failed = false;
    this.cause = "no connection made";
    this.opened = false;
    this.changingSince = performance.now();
    const socket = e.tls
      ? tls.connect({ ...e.tls, host: e.host, port: e.port })
      : net.connect({ host: e.host, port: e.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const current = () => this.socket === socket;
    socket.once(e.tls ? "secureConnect" : "connect", () => {
      opened = true;
      if (!current()) return;
      this.cause = "";
      this.opened = true;
      events.onOpen();
    });
    socket.on("data", (chunk: Buffer) => {
      if (current()) events.onData(chunk, 0, chunk.length);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      failed = true;
      if (current()) this.cause = socketCause(err);
    });
    socket.once("close", () => {
      if (!current()) return;
      this.socket = null;
      events.onClose(!opened ? E_CONNECT_FAILED : failed ? E_CONNECTION_LOST : OK);
    });
  }

  write(buf: Uint8Array, off: number, len: number): boolean {
    const s = this.socket;
    if (s === null || s.destroyed || !s.writable) return false;
    // Node keeps a reference to what it is given until it is flushed, and the client reuses its
    // buffers at once, so the bytes are copied here: the one allocation at this boundary.
    s.write(Buffer.from(buf.subarray(off, off + len)));
    return true;
  }

  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
  }

  close(): void {
    const s = this.socket;
    if (s === null) return;
    if (this.opened && !s.destroyed && !s.writableEnded) this.changingSince = performance.now();
    // Bytes already handed to the kernel (a DISCONNECT just written) still go out after destroy();
    // only bytes Node still holds need end() first, with a bound for a peer that stopped reading.
    if (s.writableLength === 0) s.destroy();
    else {
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    }
  }

  /** describe() -> "host:port", and ": cause" when the connection failed ("127.0.0.1:1883: refused (ECONNREFUSED)"). */
  describe(): string {
    return `${this.endpoint.host}:${this.endpoint.port}` + (this.cause ? `: ${this.cause}` : "");
  }

  /**
   * settlingSince() -> performance.now() when the current socket began opening or closing, or null when
   * it is open and steady, or there is none (virtual time waits for sockets that are changing).
   */
  settlingSince(): number | null {
    const s = this.socket;
    if (s === null) return null;
    return !this.opened || s.destroyed || s.writableEnded ? this.changingSince : null;
  }

  /** The local port of the current socket (tests use it to find the connection at a proxy). */
  localPort(): number | undefined {
    return this.socket?.localPort;
  }
}
