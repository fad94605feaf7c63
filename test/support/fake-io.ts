// Fakes of the device's seams (Pins, Timers, Storage, System, Log) for unit tests, driven by the
// FakeClock of fake-transport.ts: time moves only when a test advances it, and timers fire in time order
// with the clock reading their due time. FakePins debounces watches the way Espruino's setWatch does
// (the callback comes once the new level held for debounceMs), using the fake timers.
import type { Pins, Timers, Storage, System, Log } from "../../firmware/platform";
import { FakeClock } from "./fake-transport";

// ---------------------------------------------------------------------------------------------------
// Timers

interface Timer {
  id: number;
  at: number;
  every: number; // 0: one-shot
  fn: (arg: number) => void;
  arg: number | undefined;
  seq: number;
}

export class FakeTimers implements Timers {
  readonly clock: FakeClock;
  private readonly timers: Timer[] = [];
  private nextId = 1;
  private seq = 0;
  /** Every after()/every() call, as [ms, kind]. */
  readonly calls: Array<{ ms: number; kind: "after" | "every" }> = [];

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  every(ms: number, fn: () => void): number {
    this.calls.push({ ms, kind: "every" });
    return this.add(ms, ms, fn);
  }

  after(ms: number, fn: (arg: number) => void, arg?: number): number {
    this.calls.push({ ms, kind: "after" });
    return this.add(ms, 0, fn, arg);
  }

  cancel(id: number): void {
    const i = this.timers.findIndex((t) => t.id === id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** nextDue() -> the earliest due time, or Infinity. */
  nextDue(): number {
    let at = Infinity;
    for (const t of this.timers) if (t.at < at) at = t.at;
    return at;
  }

  /** advanceTo(t): fires every timer due by t in order (the clock reads its due time), then the clock is t. */
  advanceTo(t: number): void {
    for (;;) {
      let next: Timer | null = null;
      for (const x of this.timers) if (x.at <= t && (next === null || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (next === null) break;
      if (next.at > this.clock.t) this.clock.t = next.at;
      if (next.every > 0) {
        next.at += next.every;
        next.seq = this.seq++;
      } else this.cancel(next.id);
      next.fn(next.arg as number);
    }
    if (t > this.clock.t) this.clock.t = t;
  }

  advance(ms: number): void {
    this.advanceTo(this.clock.t + ms);
  }

  private add(ms: number, every: number, fn: (arg: number) => void, arg?: number): number {
    const id = this.nextId++;
    this.timers.push({ id, at: this.clock.t + Math.max(0, ms), every, fn, arg, seq: this.seq++ });
    return id;
  }
}

// ---------------------------------------------------------------------------------------------------
// Pins

export interface FakeWatch {
  id: number;
  pin: string;
  edge: string;
  debounceMs: number;
  fn: (level: boolean, timeMs: number) => void;
  /** The level last reported (or seen when the watch began). */
  reported: boolean;
  timer: number;
}

export class FakePins implements Pins {
  /** Digital levels by pin (inputs set by the test, outputs written by the device). */
  readonly levels: Record<string, boolean> = {};
  readonly analogs: Record<string, number> = {};
  readonly modes: Record<string, string> = {};
  /** Every mode()/write() in order: "D26 mode output", "D26=1". */
  readonly ops: string[] = [];
  readonly watches = new Map<number, FakeWatch>();
  analogReads = 0;
  private nextId = 1;
  private readonly timers: FakeTimers | null;

  /** With timers, watches debounce as Espruino's do; without, every edge reports at once. */
  constructor(timers: FakeTimers | null = null) {
    this.timers = timers;
  }

  mode(pin: string, m: string): void {
    if (["input", "input_pullup", "input_pulldown", "output"].indexOf(m) < 0) throw new Error("bad mode " + m);
    this.modes[pin] = m;
    this.ops.push(pin + " mode " + m);
    // A pulled input floats to its pull until something drives it.
    if (!(pin in this.levels) && m === "input_pullup") this.levels[pin] = true;
  }

  write(pin: string, level: boolean): void {
    this.levels[pin] = level;
    this.ops.push(pin + "=" + (level ? 1 : 0));
  }

  read(pin: string): boolean {
    return this.levels[pin] === true;
  }

  analog(pin: string): number {
    this.analogReads++;
    return this.analogs[pin] ?? 0;
  }

  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, timeMs: number) => void): number {
    if (["rising", "falling", "both"].indexOf(edge) < 0) throw new Error("bad edge " + edge);
    const id = this.nextId++;
    this.watches.set(id, { id, pin, edge, debounceMs, fn, reported: this.read(pin), timer: 0 });
    return id;
  }

  unwatch(id: number): void {
    const w = this.watches.get(id);
    if (!w) throw new Error("unwatch of unknown id " + id);
    if (w.timer !== 0 && this.timers) this.timers.cancel(w.timer);
    this.watches.delete(id);
  }

  /** watchesOn(pin) -> the watches on a pin. */
  watchesOn(pin: string): FakeWatch[] {
    return [...this.watches.values()].filter((w) => w.pin === pin);
  }

  /** writesTo(pin) -> the levels written to an output pin, in order (0/1). */
  writesTo(pin: string): number[] {
    return this.ops.filter((o) => o.startsWith(pin + "=")).map((o) => Number(o.slice(pin.length + 1)));
  }

  /**
   * set(pin, level): the outside world drives an input. Each watch reports the new level when it
   * matches its edge: at once without debounce, else once the level has held for debounceMs.
   */
  set(pin: string, level: boolean): void {
    if (this.levels[pin] === level) return;
    this.levels[pin] = level;
    for (const w of this.watchesOn(pin)) {
      if (w.debounceMs <= 0 || !this.timers) {
        this.report(w, level);
        continue;
      }
      const timers = this.timers;
      if (w.timer !== 0) timers.cancel(w.timer);
      w.timer = timers.after(w.debounceMs, () => {
        w.timer = 0;
        const now = this.read(pin);
        if (now !== w.reported) this.report(w, now);
      });
    }
  }

  /** pulse(pin, times, highMs, lowMs?): square pulses on an input, time moving with the fake timers. */
  pulse(pin: string, times: number, highMs: number, lowMs = highMs): void {
    if (!this.timers) throw new Error("pulse() needs timers");
    for (let i = 0; i < times; i++) {
      this.set(pin, true);
      this.timers.advance(highMs);
      this.set(pin, false);
      this.timers.advance(lowMs);
    }
  }

  setAnalog(pin: string, v: number): void {
    this.analogs[pin] = v;
  }

  private report(w: FakeWatch, level: boolean): void {
    w.reported = level;
    if (w.edge === "both" || (w.edge === "rising") === level) {
      w.fn(level, this.timers ? this.timers.clock.t : 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Storage, System, Log

export class MemoryStorage implements Storage {
  readonly data: Record<string, string> = {};
  /** Every write, in order: "key=value". */
  readonly writes: string[] = [];
  /** When true, writes fail (a full or broken flash). */
  failing = false;

  read(key: string): string | null {
    return Object.prototype.hasOwnProperty.call(this.data, key) ? this.data[key] : null;
  }

  write(key: string, value: string): boolean {
    if (this.failing) return false;
    this.data[key] = value;
    this.writes.push(key + "=" + value);
    return true;
  }
}

export class FakeSystem implements System {
  free = 12345;
  macAddress = "24:0a:c4:12:34:56";
  signal = -61;
  address = "192.168.1.23";
  /** reboot() calls. */
  reboots = 0;
  freeMemory(): number {
    return this.free;
  }
  mac(): string {
    return this.macAddress;
  }
  rssi(): number {
    return this.signal;
  }
  ip(): string {
    return this.address;
  }
  reboot(): void {
    this.reboots++;
  }
}

export class MemoryLog implements Log {
  readonly lines: Array<{ level: number; code: number; message: string }> = [];
  log(level: number, code: number, message: string): void {
    this.lines.push({ level, code, message });
  }
}
