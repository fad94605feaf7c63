// The status LED. Its pattern is a 10-step mask (one step per 100 ms, one second a cycle) chosen from the
// link state, and each call of the device's tick (the one timer the board already runs every 100 ms) shows
// the next step: no timer of its own, no allocation, a pin write only when the level changes. A step
// counter, not the clock: a tick that comes late must not skip a step (a double blink would merge into one).
import { StatusLedConfig } from "./config";
import { Pins } from "../platform";

/** No WiFi: a fast blink, 100 ms on, 100 ms off (5 Hz). */
export const LED_NO_WIFI = 0x155;
/** WiFi but no broker: two short blinks a second. */
export const LED_NO_BROKER = 0x005;
const LED_ON = 0x3ff;
const LED_OFF = 0;
const STEPS = 10;

export class StatusLed {
  private readonly pin: string;
  private readonly activeLow: boolean;
  private readonly connectedMask: number;
  private readonly pins: Pins;
  /** The light as last written: 1 lit, 0 dark, -1 not yet. */
  private lit = -1;
  private step = 0;

  /** new StatusLed(config, pins): touches no pin yet. */
  constructor(config: StatusLedConfig, pins: Pins) {
    this.pin = config.pin;
    this.activeLow = config.activeLow;
    this.connectedMask = config.connected === "on" ? LED_ON : LED_OFF;
    this.pins = pins;
  }

  /** start(): the LED dark, its pin an output (the level first, so it does not flash on). */
  start(): void {
    this.pins.write(this.pin, this.activeLow);
    this.pins.mode(this.pin, "output");
    this.lit = 0;
  }

  /** show(network, broker): the next step of the link state's pattern; every tick (100 ms). */
  show(network: boolean, broker: boolean): void {
    const mask = !network ? LED_NO_WIFI : !broker ? LED_NO_BROKER : this.connectedMask;
    const step = this.step;
    this.step = step === STEPS - 1 ? 0 : step + 1;
    const on = (mask >> step) & 1;
    if (on === this.lit) return;
    this.lit = on;
    this.pins.write(this.pin, (on === 1) !== this.activeLow);
  }
}
