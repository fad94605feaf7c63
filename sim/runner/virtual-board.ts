// One virtual board: its pins, its storage, its firmware (source or bundle), and what it reports. The
// simulator's keys, tests and scripts act on it as the outside world would: driving inputs, cutting
// the power, booting it again.
import type { DeviceConfig } from "../../firmware/device/config";
import { PinBank } from "../hardware/pin-bank";
import { BusSensors } from "../hardware/bus-sensors";
import type { SensorCondition } from "../hardware/onewire-bus";
import type { EventBody, EventSink } from "./events";
import type { BrokerRoute, Firmware, FirmwareHost } from "./firmware";
import { SourceFirmware } from "./source-firmware";
import { BundleFirmware } from "./bundle-firmware";
import { WireObserver } from "./wire-observer";
import { watchRelays } from "./relay-observer";
import { LedObserver } from "./led-observer";
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
/** From the firmware's reboot to the next boot: short in the simulator (a real ESP32 takes a second or two). */
const REBOOT_MS = 100;

export class VirtualBoard {
  readonly id: string;
  readonly config: DeviceConfig;
  readonly time: TimeSource;
  readonly bank: PinBank;
  /** The DS18B20s and DHT22s wired to the board (hardware: kept across reboots). */
  readonly busSensors: BusSensors;
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
  private rebootTimer: unknown = null;
  /** The status LED as seen on its pin; null without one, or without anyone listening. */
  readonly led: LedObserver | null;
  private wifiUp = true;
  private forgetRelays: () => void = () => {};

  constructor(private readonly setup: BoardSetup) {
    this.config = setup.config;
    this.id = setup.config.id;
    const time = setup.time ?? realTime;
    this.time = time;
    this.bank = new PinBank(time);
    this.busSensors = new BusSensors(setup.config);
    const emit = setup.emit;
    const t0 = setup.t0 ?? time.now();
    this.emitBody = emit
      ? (e) => emit({ t: Math.round((time.now() - t0) * 10) / 10, device: this.id, ...e } as Parameters<EventSink>[0])
      : () => {};
    // Bundle mode can only learn the session's state from the wire; source mode asks the Device.
    this.observer = emit || setup.mode === "bundle" ? new WireObserver(setup.config, this.emitBody, setup.trace === true) : null;
    if (emit) this.forgetRelays = watchRelays(setup.config, this.bank, this.emitBody);
    this.led = emit && setup.config.statusLed ? new LedObserver(setup.config.statusLed, this.bank, this.emitBody, time) : null;
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
      busSensors: this.busSensors,
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
      // Later, not inside the firmware's own call: it halts what is calling.
      reboot: () => this.time.after(0, () => this.rebooted(fw)),
      connection: (up) => {
        this.sessionUp = up;
      },
      published: () => {
        this.published++;
      },
    };
    let fw: Firmware;
    if (s.mode === "bundle") {
      if (!s.bundle) throw new Error("bundle mode needs the bundle's source");
      fw = new BundleFirmware(host, s.bundle.source, s.bundle.file);
    } else fw = new SourceFirmware(host);
    this.firmware = fw;
    this.emitBody({
      event: "boot",
      mode: s.mode,
      clientId: c.mqtt.clientId,
      broker: `${s.broker.tls ? "mqtts" : "mqtt"}://${s.broker.host}:${s.broker.port}`,
      relays: c.relays.map((r) => r.name),
      sensors: c.sensors.map((x) => x.name),
    });
    try {
      fw.boot();
      if (!this.wifiUp) fw.wifi(false);
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
    this.cancelReboot();
    if (this.led) this.led.stop();
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

  // The firmware rebooted the board: off, then on again (unless it was stopped or killed meanwhile).
  private rebooted(fw: Firmware): void {
    if (this.firmware !== fw) return;
    fw.halt();
    this.firmware = null;
    this.sessionUp = false;
    this.emitBody({ event: "stopped", how: "reboot" });
    this.rebootTimer = this.time.after(REBOOT_MS, () => {
      this.rebootTimer = null;
      if (this.firmware === null) this.boot();
    });
  }

  /** kill(): the power is cut: no "offline", no DISCONNECT; the broker sends the will. */
  kill(): void {
    this.cancelReboot();
    const fw = this.firmware;
    if (!fw) return;
    fw.halt();
    this.firmware = null;
    this.sessionUp = false;
    this.forgetRelays();
    this.emitBody({ event: "stopped", how: "killed" });
  }

  private cancelReboot(): void {
    if (this.rebootTimer !== null) this.time.cancel(this.rebootTimer);
    this.rebootTimer = null;
  }

  // ---- the outside world on the inputs ----

  /** wifiOn -> whether the board's WiFi access point is up. */
  get wifiOn(): boolean {
    return this.wifiUp;
  }

  /** wifi(up): the access point goes away or comes back (the firmware rejoins it by itself). */
  wifi(up: boolean): void {
    this.wifiUp = up;
    if (this.firmware) this.firmware.wifi(up);
    this.emitBody({ event: "wifi", up });
  }

  /** press(button): the button is pushed and stays down until release(); a long press is press, wait, release. */
  press(button: number): void {
    const b = this.button(button);
    this.bank.drive(b.pin, !b.activeLow);
    this.emitBody({ event: "button", button: b.name, pin: b.pin, pressed: true });
  }

  /** release(button): the button springs back (its pin returns to the level its wiring rests at). */
  release(button: number): void {
    const b = this.button(button);
    this.bank.drive(b.pin, b.activeLow);
    this.emitBody({ event: "button", button: b.name, pin: b.pin, pressed: false });
  }

  /** click(button, ms) -> resolves after a press held `ms` (longer than the debounce) and its release. */
  async click(button: number, ms = 150): Promise<void> {
    this.press(button);
    await sleepOn(this.time, ms);
    this.release(button);
  }

  /** buttonPressed(button) -> whether the simulator holds the button down. */
  buttonPressed(button: number): boolean {
    const b = this.button(button);
    return this.bank.driven(b.pin) === !b.activeLow;
  }

  private button(button: number) {
    const list = this.config.buttons ?? [];
    if (!Number.isInteger(button) || button < 0 || button >= list.length) {
      throw new Error(`no button ${button}: the board has ${list.length}`);
    }
    return list[button];
  }

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

  /**
   * setMeasured(sensor, value): what a ds18b20 or dht22 sensor measures from now on (degrees C, or % for
   * a DHT22's humidity); the board reads it at its next period.
   */
  setMeasured(sensor: number, value: number): void {
    const s = this.config.sensors[this.index(sensor)];
    this.busSensors.set(sensor, value);
    this.emitBody({ event: "input", sensor: s.name, pin: s.pin, measured: this.busSensors.value(sensor) });
  }

  /** measured(sensor) -> what the ds18b20 or dht22 sensor measures now. */
  measured(sensor: number): number {
    return this.busSensors.value(this.index(sensor));
  }

  /** setCondition(sensor, c): the sensor answers ("ok"), is gone ("missing") or garbles its CRC ("corrupt"). */
  setCondition(sensor: number, c: SensorCondition): void {
    const s = this.config.sensors[this.index(sensor)];
    this.busSensors.setCondition(sensor, c);
    this.emitBody({ event: "input", sensor: s.name, pin: s.pin, condition: c });
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
    // A released button holds its pin at the resting level (its pull, or the external resistor).
    for (const b of this.config.buttons ?? []) this.bank.drive(b.pin, b.activeLow);
  }
}
