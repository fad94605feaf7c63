// The simulator's pins: levels as a board's GPIO shows them, and watches that report edges the way
// Espruino's setWatch does (after the level held for the debounce time, only the edges asked for).
import { describe, expect, it } from "vitest";
import { PinBank, type BankTimers } from "../../sim/hardware/pin-bank";

/** Timers that move only when the test says, so debounce is checked to the millisecond. */
class ManualTimers implements BankTimers {
  t = 0;
  private queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): unknown {
    const id = this.next++;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  }
  cancel(h: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const q = this.queue[0];
      if (!q || q.at > end) break;
      this.queue.shift();
      this.t = q.at;
      q.fn();
    }
    this.t = end;
  }
}

describe("pin levels", () => {
  it.each([
    { mode: "input", driven: null, reads: false },
    { mode: "input_pullup", driven: null, reads: true },
    { mode: "input_pulldown", driven: null, reads: false },
    { mode: "input_pullup", driven: false, reads: false },
    { mode: "input_pulldown", driven: true, reads: true },
    { mode: "opendrain", driven: null, reads: false }, // its latch starts at 0: it pulls low
  ])("$mode driven $driven reads $reads", ({ mode, driven, reads }) => {
    const bank = new PinBank(new ManualTimers());
    bank.mode("D4", mode);
    bank.drive("D4", driven);
    expect(bank.read("D4")).toBe(reads);
  });

  it("an output reads what was written; writing makes a pin an output, as digitalWrite does", () => {
    const bank = new PinBank(new ManualTimers());
    bank.write("D26", true);
    expect(bank.modeOf("D26")).toBe("output");
    expect(bank.read("D26")).toBe(true);
    bank.drive("D26", false); // the outside world cannot override a driven output
    expect(bank.read("D26")).toBe(true);
  });

  it("listeners see every write (also unchanged ones) and every input change, with who made it", () => {
    const bank = new PinBank(new ManualTimers());
    const seen: string[] = [];
    bank.listen((pin, level, source) => seen.push(`${pin}=${level ? 1 : 0} ${source}`));
    bank.write("D26", true);
    bank.write("D26", true);
    bank.mode("D4", "input_pullup");
    bank.drive("D4", false);
    expect(seen).toEqual(["D26=1 write", "D26=1 write", "D4=1 input", "D4=0 input"]);
  });

  it("refuses unknown modes and edges, and analog values that are not numbers; clamps the rest to 0..1", () => {
    const bank = new PinBank(new ManualTimers());
    expect(() => bank.mode("D4", "pullup")).toThrow('unknown mode "pullup"');
    expect(() => bank.watch("D4", "up", 0, () => {})).toThrow('unknown edge "up"');
    expect(() => bank.setAnalog("D34", NaN)).toThrow("must be a number");
    bank.setAnalog("D34", 1.7);
    expect(bank.analog("D34")).toBe(1);
    bank.setAnalog("D34", -1);
    expect(bank.analog("D34")).toBe(0);
  });
});

describe("watches", () => {
  it.each([
    { edge: "both", reports: ["0@0", "1@0"] },
    { edge: "rising", reports: ["1@0"] },
    { edge: "falling", reports: ["0@0"] },
  ])("without debounce, $edge reports at once: $reports", ({ edge, reports }) => {
    const timers = new ManualTimers();
    const bank = new PinBank(timers);
    bank.mode("D4", "input_pullup");
    const seen: string[] = [];
    bank.watch("D4", edge, 0, (level, t) => seen.push(`${level ? 1 : 0}@${t}`));
    bank.drive("D4", false);
    bank.drive("D4", true);
    expect(seen).toEqual(reports);
  });

  it("with debounce, an edge is reported once the level held that long, stamped then", () => {
    const timers = new ManualTimers();
    const bank = new PinBank(timers);
    bank.mode("D4", "input_pullup");
    const seen: string[] = [];
    bank.watch("D4", "both", 50, (level, t) => seen.push(`${level ? 1 : 0}@${t}`));
    bank.drive("D4", false);
    timers.advance(49);
    expect(seen).toEqual([]);
    timers.advance(1);
    expect(seen).toEqual(["0@50"]);
  });

  it("with debounce, bounces shorter than the time are not reported, and the last level wins", () => {
    const timers = new ManualTimers();
    const bank = new PinBank(timers);
    bank.mode("D4", "input_pullup");
    const seen: number[] = [];
    bank.watch("D4", "both", 50, (level) => seen.push(level ? 1 : 0));
    for (let i = 0; i < 5; i++) {
      bank.drive("D4", false);
      timers.advance(10);
      bank.drive("D4", true);
      timers.advance(10);
    }
    timers.advance(100);
    expect(seen).toEqual([]); // it bounced and came back: nothing changed
    bank.drive("D4", false);
    timers.advance(20);
    bank.drive("D4", true);
    timers.advance(5);
    bank.drive("D4", false);
    timers.advance(50);
    expect(seen).toEqual([0]);
  });

  it("unwatch stops reports, also one still debouncing; unwatching twice says false", () => {
    const timers = new ManualTimers();
    const bank = new PinBank(timers);
    const seen: number[] = [];
    const id = bank.watch("D5", "both", 30, (level) => seen.push(level ? 1 : 0));
    bank.drive("D5", true);
    expect(bank.unwatch(id)).toBe(true);
    timers.advance(100);
    expect(seen).toEqual([]);
    expect(bank.unwatch(id)).toBe(false);
    expect(bank.watchCount()).toBe(0);
  });
});
