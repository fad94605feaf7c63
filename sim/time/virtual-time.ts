// Virtual time: a clock that stands still until it is moved. Moving it runs every timer that falls due
// on the way, in order, each at its own instant, and between two timers lets the real world catch up:
// what a board sent still goes over real sockets to a real broker, so before the clock moves on, the
// answers it waits for (CONNACK, PINGRESP, PUBACK...) and sockets that are opening or closing are given
// real time to arrive ("settling"). A 120 s fail-safe thus takes milliseconds, and a keep-alive PINGREQ
// sent at 30 s still gets its PINGRESP from the broker before the clock reaches the ping timeout.
import type { TimeSource } from "./time-source";

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/**
 * Something real the clock must wait for: returns the performance.now() until which it is busy (a
 * request sent at t waits until t + settleMs at most), or 0 when idle.
 */
export type Probe = () => number;

export interface VirtualTimeOptions {
  /** The clock's first reading, ms. Default 0. */
  start?: number;
  /** How long (real ms) an unanswered request or a socket still opening holds the clock. Default 2000. */
  settleMs?: number;
  /** Real ms the clock waits after the last byte moved, for answers nobody asked for. Default 3. */
  quietMs?: number;
}

const immediate = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class VirtualTime implements TimeSource {
  readonly settleMs: number;
  readonly quietMs: number;
  private t: number;
  private seq = 0;
  /** A binary min-heap on (due, seq): timers due at one instant run in the order they were set. */
  private readonly heap: Entry[] = [];
  private readonly probes = new Set<Probe>();
  private moving = false;
  private halted = false;

  constructor(options: VirtualTimeOptions = {}) {
    this.t = options.start ?? 0;
    this.settleMs = options.settleMs ?? 2000;
    this.quietMs = options.quietMs ?? 3;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): Entry {
    const e: Entry = { due: this.t + (ms > 0 ? ms : 0), seq: this.seq++, fn, live: true };
    this.push(e);
    return e;
  }

  cancel(handle: unknown): void {
    if (handle) (handle as Entry).live = false;
  }

  /** pending() -> timers set and not yet run or cancelled. */
  pending(): number {
    let n = 0;
    for (const e of this.heap) if (e.live) n++;
    return n;
  }

  /** probe(fn) -> a function that removes it: fn tells what real work the clock must wait for. */
  probe(fn: Probe): () => void {
    this.probes.add(fn);
    return () => this.probes.delete(fn);
  }

  /** halt(): the clock stops for good: a move under way ends at its next step, timers never run again. */
  halt(): void {
    this.halted = true;
    this.heap.length = 0;
  }

  /**
   * settle() -> resolves once the timers due now have run and no probe is busy, or after settleMs of real
   * time at most (a board that never stops sending cannot hold the clock for ever).
   */
  async settle(): Promise<void> {
    const giveUp = performance.now() + this.settleMs;
    for (let spins = 0; ; spins++) {
      // Socket events, queued host work and the broker's answers get their turn of the event loop.
      await immediate();
      if (this.halted) return;
      if (this.runDue()) {
        spins = 0;
        continue;
      }
      const now = performance.now();
      if (this.busyUntil() <= now || now > giveUp) return;
      // Waiting on the broker or the kernel: give them real time rather than spinning.
      if (spins > 16) await sleep(1);
    }
  }

  /**
   * runTo(target, until?) -> whether until() held: moves the clock to `target`, running each timer due
   * on the way at its instant and settling after each; with `until`, stops at the first instant where it
   * holds (checked after every settle). Throws when the clock is already being moved.
   */
  async runTo(target: number, until?: () => boolean): Promise<boolean> {
    if (this.moving) throw new Error("virtual time is already being moved (an advance or a wait is under way)");
    this.moving = true;
    try {
      for (;;) {
        await this.settle();
        if (this.halted) return false;
        if (until && until()) return true;
        const next = this.peek();
        if (next === null || next.due > target) break;
        this.t = Math.max(this.t, next.due);
      }
      if (target > this.t) this.t = target;
      return until ? until() : false;
    } finally {
      this.moving = false;
    }
  }

  /** advance(ms) -> resolves once the clock moved ms on (see runTo). */
  async advance(ms: number): Promise<void> {
    await this.runTo(this.t + Math.max(0, ms));
  }

  /**
   * flow(ms, until?) -> whether until() held: ms of real time pass and the clock follows them, at the
   * pace of real time (what a board would live through while the world waits).
   */
  async flow(ms: number, until?: () => boolean): Promise<boolean> {
    const realStart = performance.now();
    const start = this.t;
    for (;;) {
      const elapsed = Math.min(ms, performance.now() - realStart);
      if (await this.runTo(start + elapsed, until)) return true;
      if (elapsed >= ms || this.halted) return false;
      const next = this.peek();
      const wait = next === null ? ms - elapsed : Math.min(ms - elapsed, next.due - this.t);
      await sleep(Math.max(1, Math.min(wait, 10)));
    }
  }

  // Runs every live timer due at or before now; -> whether one ran.
  private runDue(): boolean {
    let ran = false;
    for (let next = this.peek(); next !== null && next.due <= this.t; next = this.peek()) {
      this.pop();
      next.live = false;
      ran = true;
      next.fn();
    }
    return ran;
  }

  private busyUntil(): number {
    let until = 0;
    for (const p of this.probes) until = Math.max(until, p());
    return until;
  }

  // The earliest live timer, dropping cancelled ones from the top.
  private peek(): Entry | null {
    const h = this.heap;
    while (h.length > 0 && !h[0].live) this.pop();
    return h.length > 0 ? h[0] : null;
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
