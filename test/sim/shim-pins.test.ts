// The shim's GPIO API reaches the simulator's PinBank and back: pin globals and Pin(), pinMode,
// digitalWrite/Read, analogRead, and setWatch/clearWatch with the bank's edges and debouncing, reported
// with times in seconds as getTime().
import { describe, it, expect, afterEach } from "vitest";
import { PinBank, type BankTimers } from "../../sim/hardware/pin-bank";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

afterEach(haltShimBoards);

/** Bank timers the test moves by hand, so debouncing is exact. */
class HandTimers implements BankTimers {
  t = 0;
  private due: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): unknown {
    const d = { at: this.t + ms, fn, live: true };
    this.due.push(d);
    return d;
  }
  cancel(h: unknown): void {
    (h as { live: boolean }).live = false;
  }
  advance(ms: number): void {
    this.t += ms;
    for (const d of this.due.filter((x) => x.live && x.at <= this.t)) {
      d.live = false;
      d.fn();
    }
    this.due = this.due.filter((x) => x.live);
  }
}

describe("pin globals", () => {
  it.each([
    ["String(D26)", "D26"], ["D26.toString()", "D26"], ["'' + D0", "D0"], ["String(D39)", "D39"],
    ["Pin('D5') === D5", true], ["Pin(5) === D5", true], ["new Pin(5) === D5", true], ["Pin(D7) === D7", true],
    ["D26 instanceof Pin", true], ["typeof D40", "undefined"],
  ])("%s gives %j", (expr, value) => {
    expect(shimBoard().js(expr)).toEqual(value);
  });

  it("Pin() of a pin the ESP32 does not have throws", () => {
    expect(shimBoard().js(`(function () { try { Pin(40); return "no throw"; } catch (e) { return e instanceof Error; } })()`)).toBe(true);
  });
});

describe("writes reach the bank", () => {
  it.each([
    ["digitalWrite(D26, true)", true], ["digitalWrite(D26, false)", false], ["digitalWrite(D26, 1)", true],
    ["digitalWrite(D26, 0)", false], ["digitalWrite(D26, 2)", true], ["D26.write(true)", true],
    ["D26.write(0)", false], ["D26.set()", true], ["D26.reset()", false], ["digitalWrite(Pin('D26'), 1)", true],
  ])("%s leaves D26 at %s", (code, level) => {
    const { exec, bank } = shimBoard();
    exec(`digitalWrite(D26, ${level ? 0 : 1}); ${code};`);
    expect(bank.read("D26")).toBe(level);
    expect(bank.modeOf("D26")).toBe("output");
  });

  it("pinMode sets the bank's mode, getMode reads it back, and an unknown mode throws in the board", () => {
    const { exec, js, bank } = shimBoard();
    exec(`pinMode(D4, "input_pullup"); D5.mode("opendrain");`);
    expect(bank.modeOf("D4")).toBe("input_pullup");
    expect(bank.modeOf("D5")).toBe("opendrain");
    expect(js("D4.getMode()")).toBe("input_pullup");
    expect(js(`(function () { try { pinMode(D4, "bogus"); return "no throw"; } catch (e) { return e instanceof Error; } })()`)).toBe(true);
  });
});

describe("reads come from the bank", () => {
  it.each([
    { mode: "input_pullup", drive: null, read: 1 },
    { mode: "input_pulldown", drive: null, read: 0 },
    { mode: "input_pullup", drive: false, read: 0 },
    { mode: "input", drive: true, read: 1 },
  ])("digitalRead of a $mode pin driven $drive is $read", ({ mode, drive, read }) => {
    const { exec, js, bank } = shimBoard();
    exec(`pinMode(D4, "${mode}");`);
    bank.drive("D4", drive);
    expect(js("digitalRead(D4)")).toBe(read);
    expect(js("D4.read()")).toBe(read === 1);
  });

  it("analogRead gives the bank's analog value, 0..1", () => {
    const { js, bank } = shimBoard();
    bank.setAnalog("D34", 0.25);
    expect(js("analogRead(D34)")).toBe(0.25);
  });
});

describe("setWatch", () => {
  it.each([
    { edge: "rising", states: [true, true] },
    { edge: "falling", states: [false, false] },
    { edge: "both", states: [true, false, true, false] },
    { edge: "1", states: [true, true] },
    { edge: "-1", states: [false, false] },
  ])("edge $edge reports $states for two pulses", async ({ edge, states }) => {
    const { exec, js, bank } = shimBoard();
    const e = /^-?\d$/.test(edge) ? edge : JSON.stringify(edge);
    exec(`pinMode(D4, "input"); var got = []; setWatch(function (e) { got.push(e.state); }, D4, { repeat: true, edge: ${e} });`);
    for (const level of [true, false, true, false]) bank.drive("D4", level);
    await until(() => js("got.length") >= states.length, 2000, "the reports");
    await sleep(10);
    expect(js("got")).toEqual(states);
  });

  it("reports with the bank's debouncing: a glitch shorter than debounce is not seen, a held level is", async () => {
    const timers = new HandTimers();
    const { exec, js, bank } = shimBoard({}, new PinBank(timers));
    exec(`pinMode(D4, "input_pullup"); var got = []; setWatch(function (e) { got.push(e.state); }, D4, { repeat: true, edge: "both", debounce: 50 });`);
    bank.drive("D4", false);
    timers.advance(20);
    bank.drive("D4", true); // back before 50 ms: a bounce
    timers.advance(100);
    await sleep(10);
    expect(js("got")).toEqual([]);
    bank.drive("D4", false);
    timers.advance(49);
    await sleep(10);
    expect(js("got")).toEqual([]);
    timers.advance(1);
    // The hand-driven clock decides, not real time: the report comes one turn of the board's loop later.
    await sleep(5);
    expect(js("got")).toEqual([false]);
  });

  it("gives time and lastTime in seconds, as getTime()", async () => {
    const { exec, js, bank } = shimBoard();
    exec(`pinMode(D4, "input"); var ev = []; setWatch(function (e) { ev.push({ s: e.state, t: e.time, l: e.lastTime, now: getTime(), pin: String(e.pin) }); }, D4, { repeat: true });`);
    bank.drive("D4", true);
    await until(() => js("ev.length") === 1, 2000, "the first edge");
    await sleep(30);
    bank.drive("D4", false);
    await until(() => js("ev.length") === 2, 2000, "the second edge");
    const [a, b] = js("ev");
    expect(a.s).toBe(true);
    expect(a.pin).toBe("D4");
    expect(a.l).toBeUndefined();
    expect(a.now - a.t).toBeGreaterThanOrEqual(0);
    expect(a.now - a.t).toBeLessThan(0.5);
    expect(b.l).toBe(a.t);
    expect(b.t - a.t).toBeGreaterThanOrEqual(0.02);
    expect(b.t - a.t).toBeLessThan(2);
  });

  it("returns numeric ids; a watch without repeat removes itself after one report", async () => {
    const { exec, js, bank } = shimBoard();
    exec(`pinMode(D4, "input"); var n = 0; var id = setWatch(function () { n++; }, D4, { edge: "rising" });`);
    expect(js("typeof id")).toBe("number");
    expect(bank.watchCount("D4")).toBe(1);
    bank.drive("D4", true);
    bank.drive("D4", false);
    bank.drive("D4", true);
    await until(() => js("n") === 1, 2000, "the one report");
    await sleep(10);
    expect(js("n")).toBe(1);
    expect(bank.watchCount("D4")).toBe(0);
    expect(js(`(function () { try { clearWatch(id); return "no throw"; } catch (e) { return e.message; } })()`)).toMatch(/^Unknown Watch/);
  });

  it("clearWatch of an unknown id throws 'Unknown Watch', as Espruino does", () => {
    expect(shimBoard().js(`(function () { try { clearWatch(55); return "no throw"; } catch (e) { return e.message; } })()`))
      .toBe("Unknown Watch 55");
  });

  it("clearWatch(id) stops the reports; clearWatch() with no argument removes every watch", async () => {
    const { exec, js, bank } = shimBoard();
    exec(`pinMode(D4, "input"); pinMode(D5, "input"); var n = 0;
      var a = setWatch(function () { n++; }, D4, { repeat: true });
      setWatch(function () { n++; }, D5, { repeat: true }); setWatch(function () { n++; }, D5, { repeat: true });
      clearWatch(a);`);
    expect(bank.watchCount()).toBe(2);
    bank.drive("D4", true);
    await sleep(10);
    expect(js("n")).toBe(0);
    exec("clearWatch();");
    expect(bank.watchCount()).toBe(0);
  });

  it("an exception in a watch callback is printed, and the next edge is still reported", async () => {
    const { exec, js, bank, lines } = shimBoard();
    exec(`pinMode(D4, "input"); var n = 0; setWatch(function () { n++; if (n === 1) throw new Error("watch"); }, D4, { repeat: true });`);
    bank.drive("D4", true);
    bank.drive("D4", false);
    await until(() => js("n") === 2, 2000, "both edges");
    expect(lines).toEqual(["Uncaught Error: watch"]);
  });

  it("a bad edge throws, as Espruino does", () => {
    expect(shimBoard().js(`(function () { try { setWatch(function () {}, D4, { edge: "up" }); return "no throw"; } catch (e) { return e.message; } })()`))
      .toMatch(/'edge' in setWatch/);
  });

  it("halt() removes the board's watches from the bank", () => {
    const { shim, exec, bank } = shimBoard();
    exec(`setWatch(function () {}, D4, { repeat: true }); setWatch(function () {}, D13, { repeat: true, edge: "falling" });`);
    expect(bank.watchCount()).toBe(2);
    shim.halt();
    expect(bank.watchCount()).toBe(0);
  });
});
