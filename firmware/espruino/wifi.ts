// The station link on Espruino: joins one access point and keeps rejoining it, forever, with backoff.
// On ESP32, Wifi.connect retries a few times inside the driver, then reports the failure twice: a
// "disconnected" event and the connect callback with a reason. A link that was up reports its loss
// as "disconnected" only. So: while an attempt is pending, only its callback (or a timeout) decides;
// while up, "disconnected" starts the retries. Every callback is bound once, in the constructor.
import type { Timers } from "../platform";
import { Backoff } from "../mqtt/backoff";

/** What the link reports; bound once. onDown follows only an onUp. */
export interface WifiEvents {
  onUp(): void;
  onDown(): void;
}

export interface WifiOptions {
  /** First retry delay; later ones double up to maxMs (with jitter). */
  minMs: number;
  maxMs: number;
  /** An attempt that reports nothing for this long is given up and retried. */
  attemptMs: number;
}

const IDLE = 0;
const CONNECTING = 1;
const UP = 2;
const WAITING = 3;

export class WifiManager {
  /** Attempts started and links brought up, for telemetry. */
  attempts = 0;
  ups = 0;
  private state = IDLE;
  private timer = -1;
  private readonly backoff: Backoff;
  private readonly connectOptions: { password?: string };
  private readonly onResult: (err: string | null) => void;
  private readonly onGotIp: () => void;
  private readonly onLost: () => void;
  private readonly retry: () => void;
  private readonly giveUp: () => void;

  /**
   * new WifiManager(wifi, timers, ssid, password, events, options): `wifi` is require("Wifi"); nothing
   * happens before start().
   */
  constructor(
    private readonly wifi: EspruinoWifiModule,
    private readonly timers: Timers,
    private readonly ssid: string,
    password: string,
    private readonly events: WifiEvents,
    private readonly options: WifiOptions,
  ) {
    this.backoff = new Backoff(options.minMs, options.maxMs, Math.random);
    this.connectOptions = password.length > 0 ? { password: password } : {};
    const self = this;
    this.onResult = function (err: string | null) {
      if (self.state !== CONNECTING) return; // an abandoned attempt
      if (err) self.failed();
      else self.up();
    };
    this.onGotIp = function () {
      if (self.state !== UP && self.state !== IDLE) self.up();
    };
    this.onLost = function () {
      if (self.state !== UP) return; // a failing attempt: its callback decides
      self.state = WAITING;
      self.events.onDown();
      self.schedule();
    };
    this.retry = function () {
      self.timer = -1;
      if (self.state === WAITING) self.attempt();
    };
    this.giveUp = function () {
      self.timer = -1;
      if (self.state === CONNECTING) self.failed();
    };
  }

  /** start(): binds the events and makes the first attempt. Once only. */
  start(): void {
    if (this.state !== IDLE) return;
    this.wifi.on("connected", this.onGotIp);
    this.wifi.on("disconnected", this.onLost);
    this.attempt();
  }

  isUp(): boolean {
    return this.state === UP;
  }

  private attempt(): void {
    this.state = CONNECTING;
    this.attempts++;
    this.setTimer(this.options.attemptMs, this.giveUp);
    try {
      this.wifi.connect(this.ssid, this.connectOptions, this.onResult);
    } catch (e) {
      this.failed(); // the radio could not even start: retry later like any failure
    }
  }

  private failed(): void {
    this.state = WAITING;
    this.schedule();
  }

  private up(): void {
    this.cancelTimer();
    this.state = UP;
    this.ups++;
    this.backoff.reset();
    this.events.onUp();
  }

  private schedule(): void {
    this.setTimer(this.backoff.next(), this.retry);
  }

  private setTimer(ms: number, fn: () => void): void {
    this.cancelTimer();
    this.timer = this.timers.after(ms, fn);
  }

  private cancelTimer(): void {
    if (this.timer !== -1) this.timers.cancel(this.timer);
    this.timer = -1;
  }
}
