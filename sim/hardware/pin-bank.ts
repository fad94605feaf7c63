// The simulator's electrical pins: what a board's GPIO would show. Outputs hold the level the firmware
// wrote; inputs read what the outside world drives (keys, tests), or their pull when nothing does;
// analog pins read a value in 0..1. Watches behave as Espruino's setWatch does: an edge is reported
// once the new level has held for the debounce time (at once without one), only for the edges asked for.
// Both the source-mode Pins binding and the Espruino API shim sit on one bank, so the two modes agree.
import { realTime, type TimeSource } from "../time/time-source";

/** Pin modes as Espruino names them. */
export const PIN_MODES = ["input", "input_pullup", "input_pulldown", "output", "opendrain"];
export const EDGES = ["rising", "falling", "both"];

/** Timers the bank debounces with: real time by default, the simulator's virtual time, fake ones in tests. */
export type BankTimers = TimeSource;

/** Who changed a pin's level: the firmware writing an output, or the world driving an input. */
export type PinSource = "write" | "input";

/** Called for every change of a pin's readable level, and for every output write (even unchanged). */
export type PinListener = (pin: string, level: boolean, source: PinSource) => void;

interface Watch {
  id: number;
  pin: string;
  edge: string;
  debounceMs: number;
  fn: (level: boolean, timeMs: number) => void;
  /** The level last reported, or seen when the watch began. */
  reported: boolean;
  timer: unknown;
}

interface PinState {
  mode: string;
  /** Output latch (what digitalWrite set). */
  latch: boolean;
  /** Level driven from outside; null: nothing drives the pin. */
  driven: boolean | null;
  analog: number;
}

export class PinBank {
  private readonly pins = new Map<string, PinState>();
  private readonly watches = new Map<number, Watch>();
  private readonly listeners: PinListener[] = [];
  private nextWatch = 1;

  /** new PinBank(timers): timers drive debouncing and stamp watch reports. */
  constructor(private readonly timers: BankTimers = realTime) {}

  /** listen(fn): fn sees every level change and every output write, after watches were told. */
  listen(fn: PinListener): void {
    this.listeners.push(fn);
  }

  /** mode(pin, m): sets the pin's mode; throws on an unknown mode (a firmware bug, as on the board). */
  mode(pin: string, m: string): void {
    if (PIN_MODES.indexOf(m) < 0) throw new Error(`pinMode: unknown mode "${m}" for ${pin}`);
    const s = this.state(pin);
    const before = this.level(s);
    s.mode = m;
    this.changed(pin, before, "input");
  }

  /** modeOf(pin) -> the pin's mode ("input" until set). */
  modeOf(pin: string): string {
    return this.state(pin).mode;
  }

  /** write(pin, level): the firmware drives the pin; a pin not in output mode becomes one, as Espruino does. */
  write(pin: string, level: boolean): void {
    const s = this.state(pin);
    const before = this.level(s);
    if (s.mode !== "output" && s.mode !== "opendrain") s.mode = "output";
    s.latch = level;
    if (!this.changed(pin, before, "write")) this.tell(pin, this.level(s), "write");
  }

  /** read(pin) -> the level the firmware reads. */
  read(pin: string): boolean {
    return this.level(this.state(pin));
  }

  /** analog(pin) -> the analog value, 0..1. */
  analog(pin: string): number {
    return this.state(pin).analog;
  }

  /** drive(pin, level): the outside world drives an input (null: releases it to its pull). */
  drive(pin: string, level: boolean | null): void {
    const s = this.state(pin);
    const before = this.level(s);
    s.driven = level;
    this.changed(pin, before, "input");
  }

  /** driven(pin) -> the level driven from outside, or null. */
  driven(pin: string): boolean | null {
    return this.state(pin).driven;
  }

  /** setAnalog(pin, v): the voltage on an analog input, as a fraction 0..1 (clamped). */
  setAnalog(pin: string, v: number): void {
    if (!Number.isFinite(v)) throw new Error(`analog value for ${pin} must be a number, got ${v}`);
    this.state(pin).analog = Math.min(1, Math.max(0, v));
  }

  /**
   * watch(pin, edge, debounceMs, fn) -> id: fn(level, timeMs) for each reported edge; throws on an
   * unknown edge.
   */
  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, timeMs: number) => void): number {
    if (EDGES.indexOf(edge) < 0) throw new Error(`setWatch: unknown edge "${edge}" for ${pin}`);
    const id = this.nextWatch++;
    this.watches.set(id, { id, pin, edge, debounceMs: debounceMs > 0 ? debounceMs : 0, fn, reported: this.read(pin), timer: null });
    return id;
  }

  /** unwatch(id) -> false when no such watch exists. */
  unwatch(id: number): boolean {
    const w = this.watches.get(id);
    if (!w) return false;
    if (w.timer !== null) this.timers.cancel(w.timer);
    this.watches.delete(id);
    return true;
  }

  /** unwatchAll(): removes every watch (a board that stops or reboots). */
  unwatchAll(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }

  /** watchCount(pin?) -> live watches, on one pin or all. */
  watchCount(pin?: string): number {
    let n = 0;
    for (const w of this.watches.values()) if (pin === undefined || w.pin === pin) n++;
    return n;
  }

  private state(pin: string): PinState {
    let s = this.pins.get(pin);
    if (!s) {
      s = { mode: "input", latch: false, driven: null, analog: 0 };
      this.pins.set(pin, s);
    }
    return s;
  }

  private level(s: PinState): boolean {
    if (s.mode === "output") return s.latch;
    // An open-drain output only pulls low; released (latch 1), the outside world or nothing decides.
    if (s.mode === "opendrain" && !s.latch) return false;
    if (s.driven !== null) return s.driven;
    return s.mode === "input_pullup" || s.mode === "opendrain";
  }

  // Reports a level change to watches and listeners; -> whether the level changed.
  private changed(pin: string, before: boolean, source: PinSource): boolean {
    const now = this.read(pin);
    if (now === before) return false;
    for (const w of [...this.watches.values()]) {
      if (w.pin !== pin) continue;
      if (w.debounceMs === 0) {
        this.report(w, now);
        continue;
      }
      if (w.timer !== null) this.timers.cancel(w.timer);
      w.timer = this.timers.after(w.debounceMs, () => {
        w.timer = null;
        const level = this.read(pin);
        if (level !== w.reported && this.watches.has(w.id)) this.report(w, level);
      });
    }
    this.tell(pin, now, source);
    return true;
  }

  private report(w: Watch, level: boolean): void {
    w.reported = level;
    if (w.edge === "both" || (w.edge === "rising") === level) w.fn(level, this.timers.now());
  }

  private tell(pin: string, level: boolean, source: PinSource): void {
    for (const l of this.listeners) l(pin, level, source);
  }
}
