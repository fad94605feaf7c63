// Source mode: the firmware's Device from the TypeScript sources, on Node bindings of the seams, wired
// the way firmware/espruino/main.ts wires it on the board (start, then a tick every 100 ms). There is
// no WiFi to wait for: the network is up from power-on, until wifi(false) takes it away (then no new
// connection gets through, as the shim's station does in bundle mode).
import { Device } from "../../firmware/device/device";
import { OK, E_CONNECT_FAILED, errorName } from "../../firmware/mqtt/errors";
import type { Transport, TransportEvents } from "../../firmware/platform";
import { TcpTransport } from "../platform/tcp-transport";
import { TapTransport } from "../platform/tap-transport";
import { NodeTimers } from "../platform/node-timers";
import { clockOf } from "../time/time-source";
import { MapStorage } from "../platform/map-storage";
import { nodeSystem, SIM_IP, SIM_RSSI } from "../platform/node-system";
import { firmwareInfo } from "../build/firmware-info";
import { VirtualPins } from "../platform/virtual-pins";
import { VirtualBuses } from "../platform/virtual-buses";
import { sizeOf } from "../shim/memory";
import { logLine, type Firmware, type FirmwareHost } from "./firmware";

/** As firmware/espruino/main.ts. */
const TICK_MS = 100;

export class SourceFirmware implements Firmware {
  private device: Device | null = null;
  private timers: NodeTimers | null = null;
  private tcp: TcpTransport | null = null;
  private open = false;
  private network = true;
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
    // The station: without WiFi a connect fails at once, as "no route" on the board.
    const station: Transport = {
      open: (events: TransportEvents) => (self.network ? tcp.open(events) : events.onClose(E_CONNECT_FAILED)),
      write: (buf, off, len) => tcp.write(buf, off, len),
      writeAck: (first, id) => tcp.writeAck(first, id),
      close: () => tcp.close(),
    };
    const transport = new TapTransport(station, {
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
    const system = nodeSystem(c.id);
    const io = {
      transport,
      clock: clockOf(h.time),
      pins: new VirtualPins(h.bank),
      timers,
      storage: new MapStorage(h.files),
      // As the shim's Wifi module reports the simulated access point: no signal and no address without it.
      system: { ...system, rssi: () => (self.network ? SIM_RSSI : NaN), ip: () => (self.network ? SIM_IP : ""), reboot: () => h.reboot() },
      buses: new VirtualBuses(h.busSensors, timers),
      log: { log: (level: number, code: number, message: string) => h.log(logLine(level, code, message, tcp.describe()), level === 0) },
      random: h.random,
      firmware: firmwareInfo(),
    };
    this.seams = [io.transport, io.clock, io.pins, io.timers, io.storage, io.system, io.log, io.buses];
    const device: Device = new Device(c, io, {
      onConnection: h.connection ? (up) => h.connection!(up) : undefined,
      onPublish: h.published ? () => h.published!() : undefined,
    });
    this.device = device;
    device.start();
    if (this.network) device.networkUp();
    timers.every(TICK_MS, () => device.tick());
  }

  wifi(up: boolean): void {
    this.network = up;
    if (!this.device) return;
    if (up) this.device.networkUp();
    else this.device.networkDown();
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
