// The Timers seam in the simulator, with numeric ids as on Espruino, over the simulator's time source
// (real or virtual), and a way to drop every timer at once (a board that is switched off keeps nothing
// running).
import type { Timers } from "../../firmware/platform";
import { realTime, type TimeSource } from "../time/time-source";

export class NodeTimers implements Timers {
  private nextId = 1;
  /** Our id -> the time source's handle of its next run. */
  private readonly live = new Map<number, unknown>();

  /** new NodeTimers(time): timers run on `time` (real time by default). */
  constructor(private readonly time: TimeSource = realTime) {}

  every(ms: number, fn: () => void): number {
    const id = this.nextId++;
    const period = ms > 0 ? ms : 1;
    let due = this.time.now() + period;
    // Each run is set on the period's grid, so runs do not drift by the time a callback takes.
    const run = () => {
      due += period;
      const now = this.time.now();
      if (due <= now) due = now + period;
      this.live.set(id, this.time.after(due - now, run));
      fn();
    };
    this.live.set(id, this.time.after(period, run));
    return id;
  }

  after(ms: number, fn: (arg: number) => void, arg?: number): number {
    const id = this.nextId++;
    this.live.set(id, this.time.after(ms, () => {
      this.live.delete(id);
      fn(arg as number);
    }));
    return id;
  }

  cancel(id: number): void {
    const t = this.live.get(id);
    if (t === undefined) return;
    this.live.delete(id);
    this.time.cancel(t);
  }

  /** cancelAll(): every pending timer is dropped. */
  cancelAll(): void {
    for (const t of this.live.values()) this.time.cancel(t);
    this.live.clear();
  }
}
