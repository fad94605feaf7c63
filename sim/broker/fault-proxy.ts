// A fault-injecting TCP proxy between boards and a broker: 127.0.0.1:<port> -> <host>:<target>. It frames
// the MQTT byte stream in both directions (fixed header + remaining length) so faults can be aimed at
// packet boundaries: cut a connection in the middle of a packet, stall a link (nothing moves either way,
// as with a half-open TCP connection), drop one direction's packets, or cut the link altogether. The
// interop tests and the scenario runner's `link` steps use it; it listens on loopback only.
import net from "node:net";

export type Direction = "c2b" | "b2c";

/** One proxied packet, as the proxy saw it. */
export interface ProxiedPacket {
  conn: number;
  dir: Direction;
  /** Packet type (1 CONNECT .. 14 DISCONNECT) and fixed-header flags. */
  type: number;
  flags: number;
  length: number;
  /** Packet identifier (PUBLISH QoS 1/2, the four acks, (UN)SUBSCRIBE/ACK), else 0. */
  packetId: number;
  /** PUBLISH only: topic and payload (as text). */
  topic?: string;
  payload?: string;
  /** What the proxy did with it. */
  fate: "forwarded" | "dropped" | "cut" | "held" | "lost";
  at: number;
}

export interface CutRule {
  /** Which direction's next packet is cut. */
  dir: Direction;
  /** Only a packet of this type (e.g. 3 = PUBLISH); any type when absent. */
  type?: number;
  /** Skip this many matching packets first. */
  skip?: number;
}

export interface CutInfo {
  conn: number;
  dir: Direction;
  type: number;
  /** Bytes of the packet forwarded before the cut, and its whole length. */
  sent: number;
  length: number;
}

class Framer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes that could not be framed (not MQTT): forwarded raw. */
  broken = false;

  push(chunk: Buffer, out: (packet: Buffer) => void): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.broken) {
        if (this.buf.length > 0) out(this.buf);
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length < 2) return;
      let rl = 0;
      let mul = 1;
      let i = 1;
      let done = false;
      for (; i < 5 && i < this.buf.length; i++) {
        const b = this.buf[i];
        rl += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          done = true;
          i++;
          break;
        }
      }
      if (!done) {
        if (i >= 5) this.broken = true;
        else return;
        continue;
      }
      const total = i + rl;
      if (this.buf.length < total) return;
      const packet = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      out(packet);
    }
  }
}

class Conn {
  readonly id: number;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly held: Array<{ dir: Direction; packet: Buffer }> = [];
  dead = false;
  /** A side closed while the link was stalled: on resume the connection is torn down, bytes lost. */
  endedWhileStalled = false;
  stalled: boolean;

  constructor(id: number, client: net.Socket, upstream: net.Socket, stalled: boolean) {
    this.id = id;
    this.client = client;
    this.upstream = upstream;
    this.stalled = stalled;
  }

  to(dir: Direction): net.Socket {
    return dir === "c2b" ? this.upstream : this.client;
  }

  destroy(): void {
    this.dead = true;
    this.client.destroy();
    this.upstream.destroy();
  }
}

export class FaultProxy {
  readonly port: number;
  readonly targetPort: number;
  readonly targetHost: string;
  /** Every packet seen, in order (tests assert on DUP flags, PUBREL resends...). */
  readonly packets: ProxiedPacket[] = [];
  /** Connections accepted so far. */
  accepted = 0;
  private readonly server: net.Server;
  private readonly conns = new Set<Conn>();
  private stalled = false;
  /** While cut: new connections are closed as soon as they are accepted. */
  private severed = false;
  private drop = { c2b: false, b2c: false };
  private cuts: Array<{ rule: CutRule; skip: number; resolve: (c: CutInfo) => void }> = [];
  private nextId = 1;

  private constructor(server: net.Server, port: number, targetPort: number, targetHost: string) {
    this.server = server;
    this.port = port;
    this.targetPort = targetPort;
    this.targetHost = targetHost;
    server.on("connection", (s) => this.accept(s));
  }

  /** FaultProxy.start(targetPort, targetHost) -> a proxy to targetHost:targetPort listening on a free 127.0.0.1 port. */
  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<FaultProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new FaultProxy(server, (server.address() as net.AddressInfo).port, targetPort, targetHost);
  }

  /** Open proxied connections. */
  get connections(): number {
    let n = 0;
    for (const c of this.conns) if (!c.dead) n++;
    return n;
  }

  /**
   * cutMidPacket(rule) -> resolves when done: the next matching packet is forwarded only in part (at
   * least one byte, never all), then both sides of that connection are destroyed.
   */
  cutMidPacket(rule: CutRule = { dir: "b2c" }): Promise<CutInfo> {
    return new Promise((resolve) => this.cuts.push({ rule, skip: rule.skip ?? 0, resolve }));
  }

  /** stall(): from now on no byte moves either way, on open and on new connections, until resume(). */
  stall(): void {
    this.stalled = true;
    for (const c of this.conns) c.stalled = true;
  }

  /**
   * resume(): connections that a side closed during the stall are torn down now (what they held is
   * lost, as on a dead link); the others get what was held, in order, and carry on.
   */
  resume(): void {
    this.stalled = false;
    for (const c of [...this.conns]) {
      c.stalled = false;
      if (c.endedWhileStalled) {
        for (const h of c.held) this.note(c, h.dir, h.packet, "lost");
        c.held.length = 0;
        this.kill(c);
        continue;
      }
      const held = c.held.splice(0);
      for (const h of held) this.route(c, h.dir, h.packet);
    }
  }

  /**
   * cut(): the link is gone: every connection is destroyed at once (bytes in flight lost), and new ones
   * are closed as soon as they are accepted, until restore().
   */
  cut(): void {
    this.severed = true;
    this.closeAll();
  }

  /** restore(): the link is back: no cut, no stall (held bytes go on, as resume() says). */
  restore(): void {
    this.severed = false;
    this.resume();
  }

  /** dropClientToBroker(on): while on, every client->broker packet is discarded (the link stays up). */
  dropClientToBroker(on: boolean): void {
    this.drop.c2b = on;
  }

  /** dropBrokerToClient(on): while on, every broker->client packet is discarded. */
  dropBrokerToClient(on: boolean): void {
    this.drop.b2c = on;
  }

  /** closeAll(): destroys every proxied connection (both sides, no FIN ordering, bytes in flight lost). */
  closeAll(): void {
    for (const c of [...this.conns]) this.kill(c);
  }

  /** close(): closeAll() and stop listening. */
  close(): Promise<void> {
    this.closeAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** count(dir, type, pred) -> packets seen matching. */
  count(dir: Direction, type: number, fate?: ProxiedPacket["fate"], pred: (p: ProxiedPacket) => boolean = () => true): number {
    let n = 0;
    for (const p of this.packets) if (p.dir === dir && p.type === type && (fate === undefined || p.fate === fate) && pred(p)) n++;
    return n;
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    if (this.severed) {
      client.on("error", () => {});
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    const c = new Conn(this.nextId++, client, upstream, this.stalled);
    this.conns.add(c);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const framers = { c2b: new Framer(), b2c: new Framer() };
    client.on("data", (d: Buffer) => framers.c2b.push(d, (p) => this.onPacket(c, "c2b", p)));
    upstream.on("data", (d: Buffer) => framers.b2c.push(d, (p) => this.onPacket(c, "b2c", p)));
    const ended = (other: net.Socket) => () => {
      if (c.dead) return;
      if (c.stalled) {
        // A stalled link carries no FIN either: the other side keeps believing it is up.
        c.endedWhileStalled = true;
        return;
      }
      c.dead = true;
      // Bytes already forwarded still reach the other side, then it sees the close.
      other.end();
      setTimeout(() => other.destroy(), 500).unref();
      this.conns.delete(c);
    };
    client.on("close", ended(upstream));
    upstream.on("close", ended(client));
    client.on("error", () => {});
    upstream.on("error", () => {});
  }

  private onPacket(c: Conn, dir: Direction, packet: Buffer): void {
    if (c.dead) return;
    if (c.stalled) {
      // Copied: the framer's buffer may be reused.
      c.held.push({ dir, packet: Buffer.from(packet) });
      this.note(c, dir, packet, "held");
      return;
    }
    this.route(c, dir, packet);
  }

  private route(c: Conn, dir: Direction, packet: Buffer): void {
    if (c.dead) return;
    if (this.drop[dir]) {
      this.note(c, dir, packet, "dropped");
      return;
    }
    const type = packet[0] >> 4;
    for (let k = 0; k < this.cuts.length; k++) {
      const cut = this.cuts[k];
      if (cut.rule.dir !== dir || (cut.rule.type !== undefined && cut.rule.type !== type)) continue;
      if (cut.skip > 0) {
        cut.skip--;
        continue;
      }
      this.cuts.splice(k, 1);
      const sent = Math.max(1, Math.min(packet.length - 1, packet.length >> 1));
      this.note(c, dir, packet, "cut");
      c.dead = true;
      this.conns.delete(c);
      const to = c.to(dir);
      const other = dir === "c2b" ? c.client : c.upstream;
      other.destroy();
      to.write(packet.subarray(0, sent), () => to.destroy());
      setTimeout(() => to.destroy(), 200).unref();
      cut.resolve({ conn: c.id, dir, type, sent, length: packet.length });
      return;
    }
    this.note(c, dir, packet, "forwarded");
    c.to(dir).write(packet);
  }

  private kill(c: Conn): void {
    c.destroy();
    this.conns.delete(c);
  }

  private note(c: Conn, dir: Direction, packet: Buffer, fate: ProxiedPacket["fate"]): void {
    const p: ProxiedPacket = {
      conn: c.id, dir, type: packet[0] >> 4, flags: packet[0] & 15, length: packet.length, packetId: 0, fate, at: performance.now(),
    };
    let h = 1;
    while (h < 5 && h < packet.length && (packet[h] & 0x80) !== 0) h++;
    h++;
    if (p.type === 3 && packet.length >= h + 2) {
      const tlen = packet.readUInt16BE(h);
      p.topic = packet.toString("utf8", h + 2, h + 2 + tlen);
      let at = h + 2 + tlen;
      if ((p.flags & 6) !== 0 && packet.length >= at + 2) {
        p.packetId = packet.readUInt16BE(at);
        at += 2;
      }
      p.payload = packet.toString("utf8", at, Math.min(packet.length, at + 64));
    } else if (p.type >= 4 && p.type <= 11 && p.type !== 9 && packet.length >= h + 2) {
      p.packetId = packet.readUInt16BE(h);
    } else if (p.type === 9 && packet.length >= h + 2) {
      p.packetId = packet.readUInt16BE(h);
    }
    this.packets.push(p);
  }
}
