// The Timers seam on Espruino. Espruino reuses timer ids: once the newest timer has fired or been
// cleared, the next setTimeout gets the same number (seen in the Linux build: 4, cleared, then 4 again).
// A cancel() of a one-shot that already fired would then stop an unrelated newer timer. So the ids
// handed out here are our own, never reused (2^53 of them), and cancel() of a fired or cancelled id
// does nothing.
import type { Timers } from "../platform";

export class EspruinoTimers implements Timers {
  private nextId = 1;
  /** Our id -> Espruino's timer id, for every timer not yet fired or cancelled. */
  private readonly live: { [id: number]: number } = {};
  /** Our id -> the callback of a pending one-shot. */
  private readonly pending: { [id: number]: (arg: number) => void } = {};
  /** Our id -> the argument of a pending one-shot given one. */
  private readonly args: { [id: number]: number } = {};
  /** Bound once: runs a one-shot by our id (Espruino passes setTimeout's extra argument). */
  private readonly fire: (id: number) => void;

  constructor() {
    const live = this.live;
    const pending = this.pending;
    const args = this.args;
    this.fire = function (id: number): void {
      const fn = pending[id];
      if (fn === undefined) return;
      const arg = args[id];
      delete pending[id];
      delete live[id];
      if (arg !== undefined) delete args[id];
      fn(arg);
    };
  }

  every(ms: number, fn: () => void): number {
    const id = this.nextId++;
    this.live[id] = setInterval(fn, ms);
    return id;
  }

  after(ms: number, fn: (arg: number) => void, arg?: number): number {
    const id = this.nextId++;
    this.pending[id] = fn;
    if (arg !== undefined) this.args[id] = arg;
    this.live[id] = setTimeout(this.fire, ms, id);
    return id;
  }

  cancel(id: number): void {
    const t = this.live[id];
    if (t === undefined) return;
    delete this.live[id];
    delete this.pending[id];
    delete this.args[id];
    // Espruino's clearTimeout and clearInterval are one function over one timer list.
    clearTimeout(t);
  }
}
