// The Timers seam on Node, with numeric ids as on Espruino, and a way to drop every timer at once
// (a board that is switched off keeps nothing running).
import type { Timers } from "../../firmware/platform";

export class NodeTimers implements Timers {
  private nextId = 1;
  private readonly live = new Map<number, NodeJS.Timeout>();

  every(ms: number, fn: () => void): number {
    const id = this.nextId++;
    this.live.set(id, setInterval(fn, ms));
    return id;
  }

  after(ms: number, fn: () => void): number {
    const id = this.nextId++;
    this.live.set(id, setTimeout(() => {
      this.live.delete(id);
      fn();
    }, ms));
    return id;
  }

  cancel(id: number): void {
    const t = this.live.get(id);
    if (t === undefined) return;
    this.live.delete(id);
    clearTimeout(t);
  }

  /** cancelAll(): every pending timer is dropped. */
  cancelAll(): void {
    for (const t of this.live.values()) clearTimeout(t);
    this.live.clear();
  }
}
