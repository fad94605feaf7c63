// Espruino's idle loop, as far as the firmware can tell: every callback (timer, watch, socket event,
// Wifi callback) runs on its own, never inside another one, and an exception ends only that callback
// (printed as "Uncaught ...") while the board keeps running. After a power cut nothing runs at all.
import { describeError } from "./format";
import { realTime, type TimeSource } from "../time/time-source";

type Handle = { kind: "timeout"; h: unknown } | { kind: "immediate"; h: NodeJS.Immediate };

export class EventLoop {
  private dead = false;
  private readonly pending = new Set<Handle>();
  /** Queued events waiting to run, and performance.now() when the queue last became non-empty. */
  private queued = 0;
  private queuedAt = 0;

  /** new EventLoop(print, time): print gets each "Uncaught ..." line; delayed host work runs on `time`. */
  constructor(private readonly print: (line: string) => void, private readonly time: TimeSource = realTime) {}

  /** halted -> whether halt() ran. */
  get halted(): boolean {
    return this.dead;
  }

  /** call(fn, self, args): runs one firmware callback; a throw is printed, not raised; nothing after halt. */
  call(fn: unknown, self: unknown, args: readonly unknown[]): void {
    if (this.dead || typeof fn !== "function") return;
    try {
      Reflect.apply(fn as (...a: unknown[]) => unknown, self, args);
    } catch (e) {
      this.uncaught(e);
    }
  }

  private uncaught(e: unknown): void {
    this.print("Uncaught " + describeError(e));
  }

  /** later(ms, fn): host-side work after ms of the board's time (0: after the current callback); dropped by halt(). */
  later(ms: number, fn: () => void): void {
    if (this.dead) return;
    const queued = ms <= 0;
    const run = () => {
      this.pending.delete(handle);
      if (queued) this.queued--;
      if (!this.dead) fn();
    };
    if (queued && this.queued++ === 0) this.queuedAt = performance.now();
    // An immediate runs before any timer that is due, as a queued event does before the next idle pass.
    const handle: Handle = ms <= 0 ? { kind: "immediate", h: setImmediate(run) } : { kind: "timeout", h: this.time.after(ms, run) };
    this.pending.add(handle);
  }

  /** queuedSince() -> performance.now() since when queued events wait to run, or null when none do. */
  queuedSince(): number | null {
    return this.queued > 0 ? this.queuedAt : null;
  }

  /** halt(): from now on nothing runs; pending host work is dropped. Idempotent. */
  halt(): void {
    this.dead = true;
    for (const p of this.pending) {
      if (p.kind === "timeout") this.time.cancel(p.h);
      else clearImmediate(p.h);
    }
    this.pending.clear();
    this.queued = 0;
  }
}
