// The status LED. Its pattern is a 10-step mask (one step per 100 ms, one second a cycle) chosen from the
// link state, and the step is read off the clock, so the device's tick (the one timer the board already
// runs every 100 ms) drives it: no timer of its own, no allocation, a pin write only when the level changes.
import { StatusLedConfig } from "./config";
import { Pins, Clock } from "../platform";

/** No WiFi: a fast blink, 100 ms on, 100 ms off (5 Hz). */
export const LED_NO_WIFI = 0x155;
/** WiFi but no broker: two short blinks a second. */
export const LED_NO_BROKER = 0x005;
const LED_ON = 0x3ff;
const LED_OFF = 0;
const STEP_MS = 100;
const STEPS = 10;

export class StatusLed {
  private readonly pin: string;
  private readonly activeLow: boolean;
  private readonly connectedMask: number;
  private readonly pins: Pins;
  private readonly clock: Clock;
  /** The light as last written: 1 lit, 0 dark, -1 not yet. */
  private lit = -1;

  /** new StatusLed(config, pins, clock): touches no pin yet. */
  constructor(config: StatusLedConfig, pins: Pins, clock: Clock) {
    this.pin = config.pin;
    this.activeLow = config.activeLow;
    this.connectedMask = config.connected === "on" ? LED_ON : LED_OFF;
    this.pins = pins;
    this.clock = clock;
  }

  /** start(): the LED dark, its pin an output (the level first, so it does not flash on). */
  start(): void {
    this.pins.write(this.pin, this.activeLow);
    this.pins.mode(this.pin, "output");
    this.lit = 0;
  }

  /** show(network, broker): the pattern for the link state at this moment of its cycle; every tick. */
  show(network: boolean, broker: boolean): void {
    const mask = !network ? LED_NO_WIFI : !broker ? LED_NO_BROKER : this.connectedMask;
    const on = (mask >> (Math.floor(this.clock.now() / STEP_MS) % STEPS)) & 1;
    if (on === this.lit) return;
    this.lit = on;
    this.pins.write(this.pin, (on === 1) !== this.activeLow);
  }
}
