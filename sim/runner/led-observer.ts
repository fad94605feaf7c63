// Reads the status LED off its pin, as a person looking at the board would: the pattern of the last
// second (a fast blink, two short blinks, steady on or off) becomes an event when it changes. Source and
// bundle mode drive the same pin bank, so they report the same patterns.
import type { StatusLedConfig } from "../../firmware/device/config";
import type { PinBank } from "../hardware/pin-bank";
import type { EventBody } from "./events";
import type { TimeSource } from "../time/time-source";

export type LedPattern = "no-wifi" | "no-broker" | "on" | "off";

/** How far back the pattern is read: one cycle of the firmware's patterns (1 s), and a little more. */
const WINDOW_MS = 1100;
/** How often the pattern is read (a steady LED is seen by what does not happen). */
const CHECK_MS = 100;

/**
 * ledPattern(changes, now, lit) -> the pattern of the light's changes (times in ms) in the last WINDOW_MS:
 * the fast blink makes about 10 a second, the double blink 4, a steady light none.
 */
export function ledPattern(changes: readonly number[], now: number, lit: boolean): LedPattern {
  let n = 0;
  for (const t of changes) if (now - t <= WINDOW_MS) n++;
  if (n >= 6) return "no-wifi";
  if (n >= 2) return "no-broker";
  if (n === 0) return lit ? "on" : "off";
  return "no-broker";
}

export class LedObserver {
  private readonly changes: number[] = [];
  private lit: boolean | null = null;
  private reported: LedPattern | null = null;
  private candidate: LedPattern | null = null;
  private since = 0;
  private timer: unknown = null;

  /** new LedObserver(config, bank, emit, time): watches the LED's pin at once, on the board's time; stop() ends it. */
  constructor(
    private readonly config: StatusLedConfig,
    private readonly bank: PinBank,
    private readonly emit: (e: EventBody) => void,
    private readonly time: TimeSource,
  ) {
    bank.listen((pin, level, source) => {
      if (pin !== config.pin || source !== "write") return;
      const lit = level !== config.activeLow;
      if (lit === this.lit) return;
      this.lit = lit;
      this.changes.push(this.time.now());
      if (this.changes.length > 32) this.changes.shift();
    });
    this.schedule();
  }

  /** pattern -> the pattern now, or null before the firmware drove the LED. */
  get pattern(): LedPattern | null {
    return this.lit === null ? null : ledPattern(this.changes, this.time.now(), this.lit);
  }

  /** stop(): no more checks. */
  stop(): void {
    if (this.timer !== null) this.time.cancel(this.timer);
    this.timer = null;
  }

  // One check every CHECK_MS of the board's time (the time source has one-shot timers only).
  private schedule(): void {
    this.timer = this.time.after(CHECK_MS, () => {
      this.check();
      if (this.timer !== null) this.schedule();
    });
  }

  // A pattern is reported once it held for a whole window: while the window fills with a new pattern's
  // changes it reads as something in between for a moment (steady, then two changes: "no-broker").
  private check(): void {
    const p = this.pattern;
    const now = this.time.now();
    if (p !== this.candidate) {
      this.candidate = p;
      this.since = now;
      return;
    }
    if (p === null || p === this.reported || now - this.since < WINDOW_MS) return;
    this.reported = p;
    this.emit({ event: "led", pin: this.config.pin, pattern: p });
  }
}
