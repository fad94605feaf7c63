// One virtual board: its pins, its storage, its firmware (source or bundle), and what it reports. The
// simulator's keys, tests and scripts act on it as the outside world would: driving inputs, cutting
// the power, booting it again.
import type { DeviceConfig } from "../../firmware/device/config";
import { PinBank } from "../hardware/pin-bank";
import type { EventBody, EventSink } from "./events";
import type { BrokerRoute, Firmware, FirmwareHost } from "./firmware";
import { SourceFirmware } from "./source-firmware";
import { BundleFirmware } from "./bundle-firmware";
import { WireObserver } from "./wire-observer";
import { watchRelays } from "./relay-observer";
import { realTime, sleepOn, type TimeSource } from "../time/time-source";

export interface BoardSetup {
  config: DeviceConfig;
  mode: "source" | "bundle";
  /** Bundle mode: the built file's text and name. */
  bundle?: { source: string; file: string };
  /** Where the board's connections go. */
  broker: BrokerRoute;
  /** Where events go; absent: none are made (fleets). */
  emit?: EventSink;
  /** Adds a decoded "packet" event for every packet. */
  trace?: boolean;
  /** The board's time (real by default; a VirtualTime under scenarios). */
  time?: TimeSource;
  /** The firmware's random numbers (reconnect jitter); Math.random when absent. */
  random?: () => number;
  /** time.now() at the simulator's start: event times count from it. */
  t0?: number;
}

/** How long a clean stop may take (offline PUBACK, DISCONNECT, close) before the power is cut anyway. */
const STOP_WAIT_MS = 2000;

export class VirtualBoard {
  readonly id: string;
  readonly config: DeviceConfig;
  readonly time: TimeSource;
  readonly bank: PinBank;
  /** Storage files: survive reboots of this board. */
  readonly files = new Map<string, string>();
  /** PUBLISH packets the board sent, counted here only when no observer reads the wire (fleets). */
  private published = 0;
  private firmware: Firmware | null = null;
  private readonly observer: WireObserver | null;
  private readonly emitBody: (e: EventBody) => void;
  private sessionUp = false;
  private readonly pulseChains = new Map<number, Promise<void>>();
  private readonly pulses = new Map<number, number>();
  private forgetRelays: () => void = () => {};

  constructor(private readonly setup: BoardSetup) {
    this.config = setup.config;
    this.id = setup.config.id;
    const time = setup.time ?? realTime;
    this.time = time;
    this.bank = new PinBank(time);
    const emit = setup.emit;
    const t0 = setup.t0 ?? time.now();
    this.emitBody = emit
      ? (e) => emit({ t: Math.round((time.now() - t0) * 10) / 10, device: this.id, ...e } as Parameters<EventSink>[0])
      : () => {};
    // Bundle mode can only learn the session's state from the wire; source mode asks the Device.
    this.observer = emit || setup.mode === "bundle" ? new WireObserver(setup.config, this.emitBody, setup.trace === true) : null;
    if (emit) this.forgetRelays = watchRelays(setup.config, this.bank, this.emitBody);
    this.prepareInputs();
  }

  /** boot(): power on. Throws when the firmware cannot start (a broken bundle). */
  boot(): void {
    if (this.firmware) return;
    const s = this.setup;
    const c = s.config;
    const obs = this.observer;
    const host: FirmwareHost = {
      config: c,
      bank: this.bank,
      time: this.time,
      random: s.random,
      files: this.files,
      broker: s.broker,
      opened: (to) => obs?.opened(to, `${s.broker.host}:${s.broker.port}`),
      closed: (reason, neverOpened) => {
        this.sessionUp = false;
        obs?.closed(reason, neverOpened);
      },
      bytes: obs ? (dir, buf, off, len) => obs.bytes(dir, buf, off, len) : undefined,
      log: (message, error) => this.emitBody(error ? { event: "error", what: "firmware", message } : { event: "log", message }),
      connection: (up) => {
        this.sessionUp = up;
      },
      published: () => {
        this.published++;
      },
    };
    if (s.mode === "bundle") {
      if (!s.bundle) throw new Error("bundle mode needs the bundle's source");
      this.firmware = new BundleFirmware(host, s.bundle.source, s.bundle.file);
    } else this.firmware = new SourceFirmware(host);
    this.emitBody({
      event: "boot",
      mode: s.mode,
      clientId: c.mqtt.clientId,
      broker: `${s.broker.tls ? "mqtts" : "mqtt"}://${s.broker.host}:${s.broker.port}`,
      relays: c.relays.map((r) => r.name),
      sensors: c.sensors.map((x) => x.name),
    });
    try {
      this.firmware.boot();
    } catch (err) {
      this.firmware.halt();
      this.firmware = null;
      throw err;
    }
  }

  /** poweredOn() -> whether the board is running (booted and neither stopped nor killed). */
  poweredOn(): boolean {
    return this.firmware !== null;
  }

  /** isConnected() -> whether the board has an MQTT session. */
  isConnected(): boolean {
    if (!this.firmware) return false;
    if (this.setup.mode === "source" && !this.observer) return this.sessionUp;
    return this.observer !== null && this.observer.connected;
  }

  /** subscribed() -> the filters the broker granted the board on its current connection (off the wire). */
  subscribed(): readonly string[] {
    return this.observer ? this.observer.subscribed : [];
  }

  /**
   * busyUntil(settleMs, quietMs, answers) -> performance.now() until which the board's real I/O should be
   * let finish before its virtual time moves on: a socket opening or closing and (when answers are to be
   * expected: the link is not stalled) a request the broker has not answered hold it up to settleMs from
   * their start, any byte on the wire quietMs; 0 when idle.
   */
  busyUntil(settleMs: number, quietMs: number, answers = true): number {
    let until = 0;
    const settling = this.firmware ? this.firmware.settlingSince() : null;
    if (settling !== null) until = settling + settleMs;
    const obs = this.observer;
    if (obs) {
      const asked = answers ? obs.awaitingSince() : null;
      if (asked !== null) until = Math.max(until, asked + settleMs);
      until = Math.max(until, obs.lastBytes + quietMs);
    }
    return until;
  }

  /** memoryVars() -> the firmware's memory in JsVars as the simulator estimates it (Firmware.memoryVars), or null when off. */
  memoryVars(): number | null {
    return this.firmware ? this.firmware.memoryVars() : null;
  }

  /** publishedCount() -> PUBLISH packets the board sent since it was made. */
  publishedCount(): number {
    return this.observer ? this.observer.published : this.published;
  }

  /**
   * stop() -> resolves once the board said "offline", disconnected and is off: a clean stop, so the
   * broker does not send the will.
   */
  async stop(): Promise<void> {
    const fw = this.firmware;
    if (!fw) return;
    fw.shutdown();
    const end = performance.now() + STOP_WAIT_MS;
    while (fw.socketOpen() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
    fw.halt();
    this.firmware = null;
    this.sessionUp = false;
    this.emitBody({ event: "stopped", how: "clean" });
  }

  /** kill(): the power is cut: no "offline", no DISCONNECT; the broker sends the will. */
  kill(): void {
    const fw = this.firmware;
    if (!fw) return;
    fw.halt();
    this.firmware = null;
    this.sessionUp = false;
    this.forgetRelays();
    this.emitBody({ event: "stopped", how: "killed" });
  }

  // ---- the outside world on the inputs ----

  /** flip(sensor): a digital input changes level (a door opens). */
  flip(sensor: number): void {
    const s = this.sensor(sensor, "digital");
    const level = !this.bank.read(s.pin);
    this.bank.drive(s.pin, level);
    this.emitBody({ event: "input", sensor: s.name, pin: s.pin, level: level ? 1 : 0 });
  }

  /** setLevel(sensor, high): the outside world drives a digital input's pin high or low. */
  setLevel(sensor: number, high: boolean): void {
    const s = this.sensor(sensor, "digital");
    this.bank.drive(s.pin, high);
    this.emitBody({ event: "input", sensor: s.name, pin: s.pin, level: high ? 1 : 0 });
  }

  /** setAnalog(sensor, fraction): the analog input reads `fraction` (0..1, clamped). */
  setAnalog(sensor: number, fraction: number): void {
    const s = this.sensor(sensor, "analog");
    this.bank.setAnalog(s.pin, fraction);
    this.emitBody({ event: "input", sensor: s.name, pin: s.pin, analog: this.bank.analog(s.pin) });
  }

  /** analogInput(sensor) -> the analog input's fraction now. */
  analogInput(sensor: number): number {
    return this.bank.analog(this.sensor(sensor, "analog").pin);
  }

  /**
   * pulse(sensor, count, periodMs?) -> resolves when `count` pulses went out on a counter input, on the
   * board's time: each one leaves the resting level and returns, each half held periodMs / 2 (default:
   * just longer than the debounce time, so every pulse counts).
   */
  pulse(sensor: number, count = 1, periodMs?: number): Promise<void> {
    const s = this.sensor(sensor, "counter");
    const i = this.index(sensor);
    const half = periodMs === undefined ? s.debounceMs + 5 : periodMs / 2;
    const prev = this.pulseChains.get(i) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (let k = 0; k < count; k++) {
        const rest = this.bank.read(s.pin);
        this.bank.drive(s.pin, !rest);
        await sleepOn(this.time, half);
        this.bank.drive(s.pin, rest);
        await sleepOn(this.time, half);
        const n = (this.pulses.get(i) ?? 0) + 1;
        this.pulses.set(i, n);
        this.emitBody({ event: "input", sensor: s.name, pin: s.pin, pulses: n });
      }
    });
    this.pulseChains.set(i, next);
    return next;
  }

  /** pulsesSent(sensor) -> pulses put on a counter input so far. */
  pulsesSent(sensor: number): number {
    return this.pulses.get(this.index(sensor)) ?? 0;
  }

  private index(sensor: number): number {
    if (!Number.isInteger(sensor) || sensor < 0 || sensor >= this.config.sensors.length) {
      throw new Error(`no sensor ${sensor}: the board has ${this.config.sensors.length}`);
    }
    return sensor;
  }

  private sensor(sensor: number, type: string) {
    const s = this.config.sensors[this.index(sensor)];
    if (s.type !== type) throw new Error(`sensor ${s.name} is ${s.type}, not ${type}`);
    return s;
  }

  // Inputs rest where their wiring puts them: a pulled-up switch reads high until pressed.
  private prepareInputs(): void {
    for (const s of this.config.sensors) {
      if (s.type === "analog") this.bank.setAnalog(s.pin, 0.5);
    }
  }
}
