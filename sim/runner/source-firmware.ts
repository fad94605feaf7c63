// Source mode: the firmware's Device from the TypeScript sources, on Node bindings of the seams, wired
// the way firmware/espruino/main.ts wires it on the board (start, then a tick every 100 ms). There is
// no WiFi to wait for: the network is up from power-on.
import { Device } from "../../firmware/device/device";
import { OK, errorName } from "../../firmware/mqtt/errors";
import { TcpTransport } from "../platform/tcp-transport";
import { TapTransport } from "../platform/tap-transport";
import { NodeTimers } from "../platform/node-timers";
import { clockOf } from "../time/time-source";
import { MapStorage } from "../platform/map-storage";
import { nodeSystem } from "../platform/node-system";
import { firmwareInfo } from "../build/firmware-info";
import { VirtualPins } from "../platform/virtual-pins";
import { sizeOf } from "../shim/memory";
import { logLine, type Firmware, type FirmwareHost } from "./firmware";

/** As firmware/espruino/main.ts. */
const TICK_MS = 100;

export class SourceFirmware implements Firmware {
  private device: Device | null = null;
  private timers: NodeTimers | null = null;
  private tcp: TcpTransport | null = null;
  private open = false;
  /** The seams the device was given: not its own memory. */
  private seams: object[] = [];
  /**
   * The socket's last chunk: the decoder's packet view may still point at it, though it is the
   * transport's (on the board the transport hands over one fixed buffer; here each chunk is Node's).
   */
  private lastIn: Uint8Array | null = null;

  constructor(private readonly host: FirmwareHost) {}

  boot(): void {
    const h = this.host;
    const c = h.config;
    const self = this;
    const to = `${c.mqtt.host}:${c.mqtt.port}`;
    const timers = new NodeTimers(h.time);
    this.timers = timers;
    // The simulator is the board's network: the dial goes to the simulator's broker.
    const tcp = new TcpTransport({ host: h.broker.host, port: h.broker.port, tls: h.broker.tls ?? null });
    this.tcp = tcp;
    let opened = false;
    const transport = new TapTransport(tcp, {
      bytes(dir, buf, off, len) {
        if (dir === "in") self.lastIn = buf;
        if (h.bytes) h.bytes(dir, buf, off, len);
      },
      opened() {
        opened = true;
        self.open = true;
        h.opened(to);
      },
      closed(reason) {
        self.open = false;
        h.closed(reason === OK ? "closed" : `${errorName(reason)}: ${tcp.describe()}`, !opened);
        opened = false;
      },
    });
    const io = {
      transport,
      clock: clockOf(h.time),
      pins: new VirtualPins(h.bank),
      timers,
      storage: new MapStorage(h.files),
      system: nodeSystem(c.id),
      log: { log: (level: number, code: number, message: string) => h.log(logLine(level, code, message, tcp.describe()), level === 0) },
      random: h.random,
      firmware: firmwareInfo(),
    };
    this.seams = [io.transport, io.clock, io.pins, io.timers, io.storage, io.system, io.log];
    const device: Device = new Device(c, io, {
      onConnection: h.connection ? (up) => h.connection!(up) : undefined,
      onPublish: h.published ? () => h.published!() : undefined,
    });
    this.device = device;
    device.start();
    timers.every(TICK_MS, () => device.tick());
  }

  shutdown(): void {
    if (this.device) this.device.stop();
  }

  halt(): void {
    if (this.timers) this.timers.cancelAll();
    this.host.bank.unwatchAll();
    if (this.tcp) this.tcp.close();
    this.device = null;
    this.timers = null;
    this.tcp = null;
  }

  socketOpen(): boolean {
    return this.open;
  }

  settlingSince(): number | null {
    return this.tcp ? this.tcp.settlingSince() : null;
  }

  memoryVars(): number | null {
    if (!this.device) return null;
    const outside = new Set(this.seams);
    if (this.lastIn) outside.add(this.lastIn);
    return sizeOf(this.device, outside);
  }
}
