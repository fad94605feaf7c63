// Shared set-up for the device suites: a Device on fake seams (FakeTransport as the broker's side,
// FakeClock + FakeTimers, FakePins with Espruino-style debounce, memory Storage), a board config with
// every feature, and helpers that play the broker: accept, CONNACK, SUBACK and PUBACK automatically.
import { expect } from "vitest";
import { Device, DeviceEvents } from "../../firmware/device/device";
import type { DeviceConfig, RelayConfig, SensorConfig } from "../../firmware/device/config";
import { utf8Read, PINGRESP } from "../../firmware/mqtt";
import { FakeClock, FakeTransport, Pkt, connack, publish, puback, suback, brief, empty } from "../support/fake-transport";
import { FakePins, FakeTimers, MemoryStorage, FakeSystem, MemoryLog } from "../support/fake-io";
import type { Buses } from "../../firmware/platform";
import { TOPIC_DEFAULTS } from "../../sim/board/load";

export const TICK_MS = 100;

/** What the build would embed from package.json (sim/build/firmware-info.ts). */
export const FIRMWARE = { version: "0.1.0", supportUrl: "https://example.org/relaymq" };

export function relay(name: string, pin: string, over: Partial<RelayConfig> = {}): RelayConfig {
  return { name, pin, activeLow: false, powerOn: "off", failsafe: null, pulseMs: 0, interlock: null, deviceClass: null, ...over };
}

export function sensor(name: string, type: SensorConfig["type"], pin: string, over: Partial<SensorConfig> = {}): SensorConfig {
  return {
    name, type, pin, pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "", delta: 0, periodMs: 1000,
    edge: "rising", decimals: 0, deviceClass: null, ...over,
  };
}

/** A board with every feature: the tests override what they look at. */
export function boardConfig(over: Partial<DeviceConfig> = {}): DeviceConfig {
  return {
    id: "esp32-01",
    wifi: { ssid: "net", password: "pw" },
    mqtt: {
      host: "127.0.0.1", port: 1883, tls: false, clientId: "esp32-01", username: "esp32-01", password: "secret",
      keepAlive: 30, cleanSession: true,
    },
    topics: { ...TOPIC_DEFAULTS, prefix: "devices/esp32-01" },
    telemetry: { periodSec: 60 },
    relays: [
      relay("pump", "D26", { activeLow: true }),
      relay("fan", "D27"),
    ],
    sensors: [
      sensor("door", "digital", "D4", { pull: "up", invert: true, debounceMs: 50 }),
      sensor("light", "analog", "D34", { scale: 100, unit: "%", delta: 2, periodMs: 1000, decimals: 1 }),
      sensor("water", "counter", "D5", { edge: "falling", scale: 0.5, unit: "L", decimals: 2, debounceMs: 5 }),
    ],
    discovery: { enabled: true, prefix: "homeassistant", mode: "device" },
    commands: { acceptRetained: false, maxPayload: 16 },
    ...over,
  };
}

export interface Published {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export class Harness {
  readonly clock = new FakeClock(10_000);
  readonly timers = new FakeTimers(this.clock);
  readonly pins = new FakePins(this.timers);
  readonly storage = new MemoryStorage();
  readonly system = new FakeSystem();
  readonly log = new MemoryLog();
  readonly transport = new FakeTransport();
  /** The OneWire and DHT22 buses, for boards with such sensors (set it in the setup callback). */
  buses: Buses | null = null;
  readonly config: DeviceConfig;
  readonly device: Device;
  /** Device events in order: "relay 0 on", "sensor 1 42.5", "connection up", "refused 4 a/b", "publish ...". */
  readonly events: string[] = [];
  /** Answer QoS 1 PUBLISH with PUBACK (and SUBSCRIBE with SUBACK) automatically. */
  autoAck = true;
  /** Packet ids of QoS 1 PUBLISH packets not yet acknowledged (autoAck off). */
  readonly unacked: number[] = [];
  private answered = 0;
  private taken = 0;
  private nextTick: number;

  constructor(config: DeviceConfig = boardConfig(), setup?: (h: Harness) => void) {
    this.config = config;
    if (setup) setup(this);
    const ev = this.events;
    const events: DeviceEvents = {
      onRelay: (i, on) => ev.push("relay " + i + " " + (on ? "on" : "off")),
      onSensor: (i) => ev.push("sensor " + i + " " + this.device.sensors.value[i]),
      onConnection: (up) => ev.push("connection " + (up ? "up" : "down")),
      onCommandRefused: (reason, b, off, len) => ev.push("refused " + reason + " " + utf8Read(b, off, len)),
      onPublish: (t, p, off, len, qos, retain) =>
        ev.push("publish q" + qos + (retain ? " retain " : " ") + utf8Read(t, 0, t.length) + "=" + utf8Read(p, off, len)),
    };
    this.device = new Device(config, {
      transport: this.transport, clock: this.clock, pins: this.pins, timers: this.timers, storage: this.storage,
      system: this.system, log: this.log, random: () => 0, firmware: FIRMWARE, buses: this.buses,
    }, events);
    this.nextTick = this.clock.t + TICK_MS;
  }

  /** start(): device.start(). */
  start(): this {
    this.device.start();
    return this;
  }

  /**
   * connect(): the pending open succeeds, CONNACK, every answer the broker owes, and the device's next tick
   * at the same moment (the sensor states follow the discovery configs out on it).
   */
  connect(sessionPresent = false): this {
    this.transport.accept();
    this.transport.deliver(connack(sessionPresent));
    this.respond();
    this.device.tick();
    this.respond();
    return this;
  }

  /** boot(): start, connect, and forget what was sent so far. */
  boot(): this {
    this.start().connect();
    this.take();
    this.events.length = 0;
    return this;
  }

  /** respond(): PINGRESP every PINGREQ, SUBACK every SUBSCRIBE and (autoAck) PUBACK every QoS 1 PUBLISH the device sent. */
  respond(): void {
    while (this.answered < this.transport.sent.length) {
      const p = this.transport.sent[this.answered++];
      if (!this.transport.isOpen) continue;
      if (p.type === "PINGREQ") this.transport.deliver(empty(PINGRESP));
      else if (p.type === "SUBSCRIBE") this.transport.deliver(suback(p.packetId, p.filters.map((f: any) => f.qos)));
      else if (p.type === "PUBLISH" && p.qos === 1) {
        if (this.autoAck) this.transport.deliver(puback(p.packetId));
        else this.unacked.push(p.packetId);
      }
    }
  }

  /** ackOldest(): PUBACK for the oldest QoS 1 PUBLISH left unanswered (autoAck off). -> false if none. */
  ackOldest(): boolean {
    const id = this.unacked.shift();
    if (id === undefined) return false;
    this.transport.deliver(puback(id));
    this.respond();
    return true;
  }

  /** send(topic, payload, opts): the broker delivers a message to the device. */
  send(topic: string, payload: string | Uint8Array, opts: { retain?: boolean; qos?: number } = {}): void {
    const qos = opts.qos ?? 1;
    this.transport.deliver(publish({ topic, payload, qos, id: qos > 0 ? 77 : 0, retain: opts.retain ?? false }));
    this.respond();
  }

  /** command(relay, payload, opts): a command on a relay's set topic. */
  command(relayName: string, payload: string | Uint8Array, opts: { retain?: boolean; qos?: number } = {}): void {
    this.send("devices/esp32-01/relay/" + relayName + "/set", payload, opts);
  }

  /** run(ms): time passes; the runtime ticks the device every 100 ms and timers fire on time. */
  run(ms: number): void {
    const end = this.clock.t + ms;
    while (this.clock.t < end) {
      // Time moved by a test outside run() (timers.advance) may have passed a tick: it runs late.
      const to = Math.max(this.clock.t, Math.min(end, this.nextTick));
      this.timers.advanceTo(to);
      this.respond();
      if (this.clock.t >= this.nextTick) {
        while (this.nextTick <= this.clock.t) this.nextTick += TICK_MS;
        this.device.tick();
        this.respond();
      }
    }
  }

  /** runUntil(cond, maxMs): run tick by tick until cond() holds; fails after maxMs. */
  runUntil(cond: () => boolean, maxMs = 120_000): void {
    const end = this.clock.t + maxMs;
    while (!cond()) {
      if (this.clock.t >= end) throw new Error("runUntil: condition not met in " + maxMs + " ms");
      this.run(TICK_MS);
    }
  }

  /** reconnect(): waits for the client's next attempt and lets it connect. */
  reconnect(): void {
    this.runUntil(() => this.transport.pending);
    this.connect();
  }

  /** take() -> the PUBLISH packets the device sent since the last take(). */
  take(): Published[] {
    const out = this.transport.sent.slice(this.taken).filter((p) => p.type === "PUBLISH");
    this.taken = this.transport.sent.length;
    return out.map((p) => ({ topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain }));
  }

  /** takeRaw() -> as take(), each with its payload's bytes as sent. */
  takeRaw(): (Published & { bytes: Uint8Array })[] {
    const out = this.transport.sent.slice(this.taken).filter((p) => p.type === "PUBLISH");
    this.taken = this.transport.sent.length;
    return out.map((p) => ({ topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, bytes: p.payloadBytes }));
  }

  /** takeBrief() -> every packet sent since the last take(), as brief strings. */
  takeBrief(): string[] {
    const out = this.transport.sent.slice(this.taken);
    this.taken = this.transport.sent.length;
    return out.map(brief);
  }

  /** Packets sent so far, whole. */
  get sent(): Pkt[] {
    return this.transport.sent;
  }

  /** The device never wrote anything that was not exactly one valid packet. */
  checkWrites(): void {
    expect(this.transport.badWrites).toEqual([]);
  }
}

export function topicOf(kind: "set" | "state", name: string): string {
  return "devices/esp32-01/relay/" + name + "/" + kind;
}

export function subscribeFilters(h: Harness): string[] {
  return h.sent.filter((p) => p.type === "SUBSCRIBE").flatMap((p) => p.filters.map((f: any) => f.filter));
}
