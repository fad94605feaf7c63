// The simulator: a broker (embedded aedes, or one the user names) and one or more virtual boards
// against it. The command line, the end-to-end tests and the benchmarks all drive this one class.
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import { startAedes, type RunningBroker } from "../broker/embedded";
import { FaultProxy } from "../broker/fault-proxy";
import type { EventSink } from "./events";
import type { BrokerRoute } from "./firmware";
import { VirtualBoard } from "./virtual-board";
import { fleetConfigs } from "./fleet";
import { realTime, type TimeSource } from "../time/time-source";

export interface SimulatorOptions {
  config: DeviceConfig;
  mode: "source" | "bundle";
  bundle?: { source: string; file: string };
  /** An external broker; absent: an embedded aedes on 127.0.0.1:port. */
  broker?: BrokerRoute;
  /** The CA file given for a TLS broker, for the mosquitto_pub line. */
  caFile?: string | null;
  /** The embedded broker's port (0: a free one). */
  port?: number;
  devices?: number;
  emit?: EventSink;
  trace?: boolean;
  /** Fleets: boards booted per 10 ms, so a broker's listen backlog is not flooded. */
  bootRate?: number;
  /** The boards' time: real by default; a VirtualTime lets scenarios and tests move it. */
  time?: TimeSource;
  /** Boards reach the broker through a fault proxy (sim.proxy), so their link can be cut or stalled. */
  linkFaults?: boolean;
  /** The boards' random numbers (reconnect jitter); Math.random when absent. */
  random?: () => number;
}

export class Simulator {
  readonly boards: VirtualBoard[] = [];
  readonly time: TimeSource;
  readonly t0: number;
  broker: BrokerRoute & { embedded: boolean } = { host: "", port: 0, embedded: false };
  private embedded: RunningBroker | null = null;
  /** The embedded broker's port, kept while it is stopped. */
  private embeddedPort = 0;
  private faults: FaultProxy | null = null;
  private fleetTimer: NodeJS.Timeout | null = null;

  constructor(readonly options: SimulatorOptions) {
    this.time = options.time ?? realTime;
    this.t0 = this.time.now();
  }

  /** start() -> resolves once the broker listens and every board was booted; rejects on a broker error. */
  async start(): Promise<void> {
    const o = this.options;
    if (o.broker) this.broker = { ...o.broker, embedded: false };
    else {
      this.embedded = await startAedes(o.port ?? 1883);
      this.embeddedPort = this.embedded.port;
      this.broker = { host: this.embedded.host, port: this.embedded.port, embedded: true };
    }
    let route: BrokerRoute = this.broker;
    if (o.linkFaults) {
      this.faults = await FaultProxy.start(this.broker.port, this.broker.host);
      route = { host: "127.0.0.1", port: this.faults.port, tls: this.broker.tls };
    }
    const n = o.devices ?? 1;
    const fleet = n > 1;
    const configs = fleetConfigs(o.config, n);
    for (const config of configs) {
      this.boards.push(new VirtualBoard({
        config,
        mode: o.mode,
        bundle: o.bundle,
        broker: route,
        // A fleet reports its first board in full and the rest as figures once a second.
        emit: this.boards.length === 0 ? o.emit : undefined,
        trace: o.trace,
        time: this.time,
        random: o.random,
        t0: this.t0,
      }));
    }
    const rate = o.bootRate ?? 50;
    for (let i = 0; i < this.boards.length; i++) {
      this.boards[i].boot();
      if (fleet && (i + 1) % rate === 0) await new Promise((r) => setTimeout(r, 10));
    }
    if (fleet && o.emit) this.startFleetReports(o.emit);
  }

  /** connected() -> boards with an MQTT session. */
  connected(): number {
    let c = 0;
    for (const b of this.boards) if (b.isConnected()) c++;
    return c;
  }

  /** published() -> PUBLISH packets all boards sent. */
  published(): number {
    let c = 0;
    for (const b of this.boards) c += b.publishedCount();
    return c;
  }

  /** restartBroker(whileDown?) -> the embedded broker stops (dropping every board) and starts again on its port. */
  async restartBroker(whileDown?: () => Promise<void>): Promise<void> {
    await this.stopBroker();
    if (whileDown) await whileDown();
    await this.startBroker();
  }

  /** stopBroker() -> the embedded broker is gone (every connection dropped, retained messages lost); throws for an external one. */
  async stopBroker(): Promise<void> {
    if (!this.broker.embedded) throw new Error("the broker is external: only the embedded one can be stopped");
    if (!this.embedded) return;
    const b = this.embedded;
    this.embedded = null;
    await b.close();
  }

  /** startBroker() -> a fresh embedded broker listens on the port again; throws for an external one. */
  async startBroker(): Promise<void> {
    if (!this.broker.embedded) throw new Error("the broker is external: only the embedded one can be started");
    if (this.embedded) return;
    this.embedded = await startAedes(this.embeddedPort);
  }

  /** brokerRunning() -> false while the embedded broker is stopped. */
  brokerRunning(): boolean {
    return !this.broker.embedded || this.embedded !== null;
  }

  /** The fault proxy on the boards' link (linkFaults), or null. */
  get proxy(): FaultProxy | null {
    return this.faults;
  }

  /** The embedded broker (tests subscribe through it), or null. */
  get aedes(): RunningBroker | null {
    return this.embedded;
  }

  /** stop(): every board stops cleanly (no will), then the embedded broker closes. */
  async stop(): Promise<void> {
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    this.fleetTimer = null;
    await Promise.all(this.boards.map((b) => b.stop()));
    if (this.faults) await this.faults.close();
    this.faults = null;
    if (this.embedded) await this.embedded.close();
    this.embedded = null;
  }

  /** mosquittoPub(value) -> the shell line that switches the first relay of the first board. */
  mosquittoPub(value = "ON"): string | null {
    const b = this.boards[0];
    if (!b || b.config.relays.length === 0) return null;
    const topic = topicNames(b.config).relaySet[0];
    const m = b.config.mqtt;
    const auth = !this.broker.embedded && m.username ? ` -u '${m.username}' -P "$MQTT_PASSWORD"` : "";
    const tls = this.broker.tls ? (this.options.caFile ? ` --cafile '${this.options.caFile}'` : " --capath /etc/ssl/certs") : "";
    return `mosquitto_pub -h ${this.broker.host} -p ${this.broker.port}${tls}${auth} -t '${topic}' -m ${value}`;
  }

  private startFleetReports(emit: EventSink): void {
    let last = this.published();
    let lastAt = performance.now();
    this.fleetTimer = setInterval(() => {
      const now = performance.now();
      const p = this.published();
      emit({
        t: Math.round((now - this.t0) * 10) / 10,
        device: this.options.config.id,
        event: "fleet",
        devices: this.boards.length,
        connected: this.connected(),
        published: p,
        msgsPerSec: Math.round(((p - last) * 1000) / (now - lastAt)),
        rssMB: Math.round(process.memoryUsage().rss / 1048576),
      });
      last = p;
      lastAt = now;
    }, 1000);
  }
}

