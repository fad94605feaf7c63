// The simulator's time: what each board's clock, timers, pin-watch debounce and the Espruino shim's
// timers run on. Real time by default (the live simulator); a VirtualTime (virtual-time.ts) when a
// scenario or a test moves time itself, so a 120 s fail-safe takes milliseconds.
import type { Clock } from "../../firmware/platform";

/** A clock and one-shot timers, in milliseconds. */
export interface TimeSource {
  /** now() -> milliseconds, monotonic. */
  now(): number;
  /** after(ms, fn) -> a handle for cancel(); fn runs once, ms from now. */
  after(ms: number, fn: () => void): unknown;
  /** cancel(handle): the timer does not run; a handle that already ran or was cancelled is ignored. */
  cancel(handle: unknown): void;
}

/** Node fires a longer delay at once (with a warning); longer waits are done in hops. */
const MAX_HOP_MS = 0x7fffffff;

interface RealTimer {
  t: NodeJS.Timeout | null;
}

/** Real time: performance.now() and Node's timers. */
export const realTime: TimeSource = {
  now: () => performance.now(),
  after(ms: number, fn: () => void): RealTimer {
    const due = performance.now() + Math.max(0, ms);
    const h: RealTimer = { t: null };
    const arm = () => {
      const wait = due - performance.now();
      // Node may fire a hair early; a run more than 1 ms early is one hop of a very long wait.
      if (wait > 1) h.t = setTimeout(arm, Math.min(wait, MAX_HOP_MS));
      else {
        h.t = null;
        fn();
      }
    };
    h.t = setTimeout(arm, Math.min(Math.max(0, ms), MAX_HOP_MS));
    return h;
  },
  cancel(handle: unknown): void {
    const h = handle as RealTimer | null;
    if (h && h.t) clearTimeout(h.t);
    if (h) h.t = null;
  },
};

/** clockOf(time) -> the firmware's Clock seam over a time source. */
export function clockOf(time: TimeSource): Clock {
  return { now: () => time.now() };
}

/** sleepOn(time, ms) -> resolves after ms of that time (virtual time: once something moves it). */
export function sleepOn(time: TimeSource, ms: number): Promise<void> {
  return new Promise((resolve) => time.after(ms, resolve));
}
