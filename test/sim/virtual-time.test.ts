// Virtual time: the clock stands still until it is moved; moving it runs every timer due on the way in
// order, each at its own instant, and waits for real work a probe reports before moving on. The board's
// seams on it: the Timers binding (source mode), the pin bank's debounce, and the Espruino shim's
// timers, getTime() and setWatch debounce (bundle mode).
import { afterEach, describe, expect, it } from "vitest";
import { VirtualTime } from "../../sim/time/virtual-time";
import { NodeTimers } from "../../sim/platform/node-timers";
import { PinBank } from "../../sim/hardware/pin-bank";
import { seededRandom } from "../../sim/platform/seeded-random";
import { haltShimBoards, shimBoard } from "./shim-harness";

describe("VirtualTime", () => {
  it("runs timers in the order they fall due, those of one instant in the order they were set, each at its instant", async () => {
    const t = new VirtualTime();
    const ran: string[] = [];
    const at = (name: string) => () => ran.push(`${name}@${t.now()}`);
    t.after(300, at("c"));
    t.after(100, at("a"));
    t.after(200, at("b1"));
    t.after(200, at("b2"));
    t.after(0, at("now"));
    await t.advance(250);
    expect(ran).toEqual(["now@0", "a@100", "b1@200", "b2@200"]);
    expect(t.now()).toBe(250);
    await t.advance(50);
    expect(ran.at(-1)).toBe("c@300");
  });

  it("does not run a cancelled timer, and a timer set by a timer runs when its own time comes", async () => {
    const t = new VirtualTime();
    const ran: number[] = [];
    const h = t.after(100, () => ran.push(-1));
    t.cancel(h);
    t.after(50, () => t.after(50, () => ran.push(t.now())));
    await t.advance(1000);
    expect(ran).toEqual([100]);
    t.cancel(h); // again, after the fact: nothing happens
    expect(t.pending()).toBe(0);
  });

  it("stops at the first instant a condition holds, else lands exactly on the target", async () => {
    const t = new VirtualTime();
    let n = 0;
    for (let i = 1; i <= 10; i++) t.after(i * 100, () => n++);
    expect(await t.runTo(10_000, () => n === 3)).toBe(true);
    expect(t.now()).toBe(300);
    expect(await t.runTo(10_000, () => n === 99)).toBe(false);
    expect(t.now()).toBe(10_000);
  });

  it("waits for what a probe reports busy before the clock moves on, and no longer than the probe says", async () => {
    const t = new VirtualTime();
    const realStart = performance.now();
    let busyUntil = realStart + 60;
    t.probe(() => busyUntil);
    let firedAt = 0;
    t.after(10, () => (firedAt = performance.now()));
    await t.advance(20);
    // The timer at 10 ms of board time had to wait until the real work was done.
    expect(firedAt - realStart).toBeGreaterThanOrEqual(55);
    busyUntil = 0;
    const quick = performance.now();
    await t.advance(60_000);
    expect(performance.now() - quick).toBeLessThan(1000);
  });

  it("refuses to be moved twice at once", async () => {
    const t = new VirtualTime();
    const first = t.advance(1000);
    await expect(t.advance(10)).rejects.toThrow(/already being moved/);
    await first;
  });

  it("flow(ms) lets real time pass and the clock follows it", async () => {
    const t = new VirtualTime();
    const seen: number[] = [];
    t.after(20, () => seen.push(t.now()));
    const real = performance.now();
    await t.flow(80);
    expect(performance.now() - real).toBeGreaterThanOrEqual(75);
    expect(t.now()).toBe(80);
    expect(seen).toEqual([20]);
  });
});

describe("the board's seams on virtual time", () => {
  afterEach(() => haltShimBoards());

  it("Timers (source mode): every() keeps to its grid, after() runs once, cancel() stops both", async () => {
    const t = new VirtualTime();
    const timers = new NodeTimers(t);
    const ticks: number[] = [];
    const id = timers.every(100, () => ticks.push(t.now()));
    let once = -1;
    timers.after(250, () => (once = t.now()));
    await t.advance(500);
    expect(ticks).toEqual([100, 200, 300, 400, 500]);
    expect(once).toBe(250);
    timers.cancel(id);
    await t.advance(500);
    expect(ticks.length).toBe(5);
  });

  it("Timers (source mode): after() passes its argument, so one callback serves several timers", async () => {
    const t = new VirtualTime();
    const timers = new NodeTimers(t);
    const got: string[] = [];
    const shared = (i: number) => got.push(`${i}@${t.now()}`);
    timers.after(20, shared, 2);
    timers.cancel(timers.after(15, shared, 9));
    timers.after(10, shared, 1);
    await t.advance(50);
    expect(got).toEqual(["1@10", "2@20"]);
  });

  it("the pin bank debounces on the board's time: an edge is reported once the level held 50 ms", async () => {
    const t = new VirtualTime();
    const bank = new PinBank(t);
    const seen: [boolean, number][] = [];
    bank.mode("D4", "input_pullup");
    bank.watch("D4", "both", 50, (level, ms) => seen.push([level, ms]));
    bank.drive("D4", false);
    await t.advance(30);
    bank.drive("D4", true); // a bounce
    await t.advance(100);
    expect(seen).toEqual([]);
    bank.drive("D4", false);
    await t.advance(49);
    expect(seen).toEqual([]);
    await t.advance(1);
    expect(seen).toEqual([[false, 180]]);
  });

  it("the shim (bundle mode): setTimeout, setInterval, getTime() and setWatch debounce run on the board's time", async () => {
    const t = new VirtualTime();
    const { exec, js, bank } = shimBoard({ time: t }, new PinBank(t));
    exec(`
      var log = [];
      setTimeout(function () { log.push("timeout " + getTime()); }, 120000);
      var n = 0; var iv = setInterval(function () { n++; }, 100);
      pinMode(D4, "input_pullup");
      setWatch(function (e) { log.push("watch " + e.state + " " + e.time); }, D4, { repeat: true, edge: "both", debounce: 50 });
    `);
    await t.advance(119_999);
    expect(js("log")).toEqual([]);
    expect(js("n")).toBe(1199);
    await t.advance(1);
    expect(js("log")).toEqual(["timeout 120"]);
    bank.drive("D4", false);
    await t.advance(60);
    expect(js("log")).toEqual(["timeout 120", "watch false 120.05"]);
    expect(js("getTime()")).toBeCloseTo(120.06, 6);
  });

  it("a seeded source gives the same numbers for the same seed, in [0, 1)", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(seededRandom(8)()).not.toBe(xs[0]);
  });
});
