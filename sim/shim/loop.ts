// Espruino's idle loop, as far as the firmware can tell: every callback (timer, watch, socket event,
// Wifi callback) runs on its own, never inside another one, and an exception ends only that callback
// (printed as "Uncaught ...") while the board keeps running. After a power cut nothing runs at all.
import { describeError } from "./format";

type Handle = { kind: "timeout"; h: NodeJS.Timeout } | { kind: "immediate"; h: NodeJS.Immediate };

export class EventLoop {
  private dead = false;
  private readonly pending = new Set<Handle>();

  /** new EventLoop(print): print gets each "Uncaught ..." line. */
  constructor(private readonly print: (line: string) => void) {}

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

  /** later(ms, fn): host-side work after ms (0: after the current callback); dropped by halt(). */
  later(ms: number, fn: () => void): void {
    if (this.dead) return;
    const run = () => {
      this.pending.delete(handle);
      if (!this.dead) fn();
    };
    // An immediate runs before any timer that is due, as a queued event does before the next idle pass.
    const handle: Handle = ms <= 0 ? { kind: "immediate", h: setImmediate(run) } : { kind: "timeout", h: setTimeout(run, ms) };
    this.pending.add(handle);
  }

  /** halt(): from now on nothing runs; pending host work is dropped. Idempotent. */
  halt(): void {
    this.dead = true;
    for (const p of this.pending) {
      if (p.kind === "timeout") clearTimeout(p.h);
      else clearImmediate(p.h);
    }
    this.pending.clear();
  }
}
