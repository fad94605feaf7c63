// The shim's timers behave as Espruino's (measured on the Linux build): numeric ids from one list,
// reused once the newest is gone; extra arguments passed; unknown clears harmless; changeInterval;
// an exception in one callback printed while the others keep running; halt() ends them all.
import { describe, it, expect, afterEach } from "vitest";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

afterEach(haltShimBoards);

describe("timer ids", () => {
  it("are numbers: the newest live id + 1, shared by timeouts and intervals, reused as on Espruino", () => {
    const { js } = shimBoard();
    const ids = js(`(function () {
      var f = function () {};
      var a = setTimeout(f, 1000), b = setInterval(f, 1000), c = setTimeout(f, 1000);
      clearTimeout(b);
      var d = setTimeout(f, 1000);       // 4: c (3) is still the newest
      clearTimeout(d); clearTimeout(c);
      var e = setTimeout(f, 1000);       // 2: only a (1) is left
      clearTimeout();
      var g = setInterval(f, 1000);      // 1: nothing left
      return [a, b, c, d, e, g];
    })()`);
    expect(ids).toEqual([1, 2, 3, 4, 2, 1]);
  });

  it("a one-shot keeps its id until its callback returned", async () => {
    const { exec, js } = shimBoard();
    exec(`var inner = -1; setTimeout(function () { inner = setTimeout(function () {}, 1000); }, 1);`);
    await until(() => js("inner") !== -1, 2000, "the timeout");
    expect(js("inner")).toBe(2);
  });
});

describe("timers run", () => {
  it("setTimeout passes its extra arguments to the callback", async () => {
    const { exec, js } = shimBoard();
    exec(`var got = null; setTimeout(function (a, b, c) { got = [a, b, c]; }, 1, "x", 2, true);`);
    await until(() => js("got") !== null, 2000, "the timeout");
    expect(js("got")).toEqual(["x", 2, true]);
  });

  it("setInterval repeats until cleared, and passes its arguments each time", async () => {
    const { exec, js } = shimBoard();
    exec(`var seen = []; var t = setInterval(function (v) { seen.push(v); if (seen.length === 3) clearInterval(t); }, 2, 7);`);
    await until(() => js("seen.length") === 3, 2000, "three runs");
    await sleep(30);
    expect(js("seen")).toEqual([7, 7, 7]);
  });

  it.each([
    ["clearTimeout(999)"], ["clearInterval(998)"], ["clearTimeout(-1)"], ["clearTimeout('nope')"],
  ])("%s of an unknown id is silently fine (measured)", (code) => {
    const { exec } = shimBoard();
    expect(() => exec(code)).not.toThrow();
  });

  it.each(["clearTimeout()", "clearInterval()"])("%s with no argument clears every timer", async (code) => {
    const { exec, js } = shimBoard();
    exec(`var n = 0; setTimeout(function () { n++; }, 5); setInterval(function () { n++; }, 5); ${code};`);
    await sleep(40);
    expect(js("n")).toBe(0);
  });

  it("changeInterval(id, ms) changes the period; an unknown id throws 'Unknown Interval'", async () => {
    const { exec, js } = shimBoard();
    exec(`var n = 0; var t = setInterval(function () { n++; }, 100000); changeInterval(t, 5);`);
    await until(() => js("n") >= 3, 2000, "the faster interval");
    expect(js(`(function () { try { changeInterval(77, 10); return "no throw"; } catch (e) { return e.message; } })()`))
      .toBe("Unknown Interval");
  });

  it("clearTimeout cancels a pending timeout", async () => {
    const { exec, js } = shimBoard();
    exec(`var fired = false; var t = setTimeout(function () { fired = true; }, 10); clearTimeout(t);`);
    await sleep(40);
    expect(js("fired")).toBe(false);
  });

  it("a non-function callback throws as on Espruino", () => {
    const { js } = shimBoard();
    expect(js(`(function () { try { setTimeout(5, 10); return "no throw"; } catch (e) { return e.message; } })()`))
      .toBe("Function or String not supplied!");
  });
});

describe("exceptions in callbacks", () => {
  it("are printed as 'Uncaught ...' and later timers still run", async () => {
    const { exec, js, lines } = shimBoard();
    exec(`var after = false; var ticks = 0;
      setTimeout(function () { throw new Error("boom"); }, 1);
      setTimeout(function () { throw "just a string"; }, 2);
      var t = setInterval(function () { ticks++; if (ticks === 1) throw new Error("tick"); if (ticks === 3) clearInterval(t); }, 3);
      setTimeout(function () { after = true; }, 20);`);
    await until(() => js("after") === true && js("ticks") === 3, 2000, "the later timers");
    expect(lines).toContain("Uncaught Error: boom");
    expect(lines).toContain("Uncaught just a string");
    expect(lines).toContain("Uncaught Error: tick");
  });
});

describe("halt()", () => {
  it("clears every timer: nothing fires afterwards", async () => {
    const { shim, exec, js } = shimBoard();
    exec(`var n = 0; for (var i = 0; i < 10; i++) setTimeout(function () { n++; }, 5 + i); setInterval(function () { n++; }, 3);`);
    shim.halt();
    await sleep(40);
    expect(js("n")).toBe(0);
  });
});
