// Espruino's timers: setTimeout/setInterval return numbers, and the number is the timer's index in one
// list shared by timeouts and intervals: the newest live id + 1, or 1 when none is live (so ids are
// reused; the Linux build gives 4, then after clearing it 4 again). A one-shot keeps its id until its
// callback has returned. clearTimeout/clearInterval of an unknown id do nothing, without an argument
// they clear every timer; changeInterval of an unknown id throws "Unknown Interval" (all measured).
import vm from "node:vm";
import type { EventLoop } from "./loop";
import type { Realm } from "./realm";
import { realTime, type TimeSource } from "../time/time-source";

/** Espruino's shortest interval, in ms. */
const MIN_MS = 0.1;

interface Timer {
  id: number;
  fn: unknown;
  args: unknown[];
  /** ms between runs; null for a one-shot. */
  interval: number | null;
  /** The board's time (TimeSource.now()) when it is due. */
  due: number;
  /** The time source's handle, or null while none is set. */
  handle: unknown;
}

export class TimerTable {
  private readonly timers = new Map<number, Timer>();

  /** new TimerTable(realm, loop, time): timers run on `time` through loop, with the context's global as `this`. */
  constructor(private readonly realm: Realm, private readonly loop: EventLoop, private readonly time: TimeSource = realTime) {}

  /** install(): defines setTimeout, setInterval, clearTimeout, clearInterval, changeInterval in the context. */
  install(): void {
    const self = this;
    this.realm.setGlobal("setTimeout", function setTimeout(fn: unknown, ms?: unknown, ...args: unknown[]) {
      return self.add(fn, ms, args, false);
    });
    this.realm.setGlobal("setInterval", function setInterval(fn: unknown, ms?: unknown, ...args: unknown[]) {
      return self.add(fn, ms, args, true);
    });
    const clear = function (this: unknown, ...id: unknown[]): void {
      if (id.length === 0 || id[0] === undefined) self.clearAll();
      else self.clear(id[0]);
    };
    this.realm.setGlobal("clearTimeout", clear);
    this.realm.setGlobal("clearInterval", clear);
    this.realm.setGlobal("changeInterval", function changeInterval(id: unknown, ms: unknown) {
      self.change(id, ms);
    });
  }

  /** clearAll(): every timer gone (clearTimeout() with no argument, or a power cut). */
  clearAll(): void {
    for (const t of this.timers.values()) if (t.handle) this.time.cancel(t.handle);
    this.timers.clear();
  }

  private add(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function" && typeof fn !== "string") throw this.realm.error("Function or String not supplied!");
    const delay = clampMs(ms);
    let id = 1;
    for (const k of this.timers.keys()) if (k >= id) id = k + 1;
    const t: Timer = { id, fn, args, interval: repeat ? delay : null, due: this.time.now() + delay, handle: null };
    this.timers.set(id, t);
    this.schedule(t);
    return id;
  }

  private clear(id: unknown): void {
    const t = this.timers.get(Number(id));
    if (!t) return;
    if (t.handle) this.time.cancel(t.handle);
    this.timers.delete(t.id);
  }

  private change(id: unknown, ms: unknown): void {
    const t = this.timers.get(Number(id));
    if (!t) throw this.realm.error("Unknown Interval");
    // As Espruino does, this makes even a timeout repeat: it only sets the period and the next run.
    const delay = clampMs(ms);
    t.interval = delay;
    t.due = this.time.now() + delay;
    this.schedule(t);
  }

  private schedule(t: Timer): void {
    if (t.handle) this.time.cancel(t.handle);
    t.handle = this.time.after(Math.max(0, t.due - this.time.now()), () => this.fire(t));
  }

  private fire(t: Timer): void {
    t.handle = null;
    if (this.timers.get(t.id) !== t || this.loop.halted) return;
    const now = this.time.now();
    if (typeof t.fn === "string") {
      const code = t.fn;
      this.loop.call(() => vm.runInContext(code, this.realm.context), undefined, []);
    } else {
      this.loop.call(t.fn, this.realm.context, t.args);
    }
    if (this.timers.get(t.id) !== t) return; // cleared (or replaced) by its own callback
    if (t.interval === null) {
      this.timers.delete(t.id);
      return;
    }
    // The next run keeps to the period's grid; a run that fell behind does not make up missed ones.
    t.due += t.interval;
    if (t.due <= now) t.due = now + t.interval;
    this.schedule(t);
  }
}

function clampMs(ms: unknown): number {
  const n = Number(ms);
  return Number.isNaN(n) || n < MIN_MS ? MIN_MS : n;
}
