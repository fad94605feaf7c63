// The board's build frees the functions only its start-up can run (sim/build/boot-release.ts): each holds
// JsVars on the interpreter for as long as something names it. What is freed must be exactly what nothing
// can call again: a function named anywhere but in a plain call from start-up code stays, and the code
// computes the same after the release as before it.
import { describe, it, expect } from "vitest";
import vm from "node:vm";
import { releaseBootCode } from "../../sim/build/boot-release";
import { bundleBoard } from "../../sim/build/bundle";
import { boardConfig } from "../device/harness";

// An IIFE like the firmware bundle's: a class built at start-up, helpers only start-up calls, and
// functions a callback, a value or a shared method name keep alive.
const CODE = `(function () {
  function releaseBootCode() { global.started = true; }
  var laterCalls = 0;
  function Box(n) { this.n = n; this.later = function () { laterCalls++; return onlyLater(); }; }
  Box.prototype.grow = function () { return this.n + 1; };
  Box.prototype.setup = function () { this.n = prepare(this.n); };
  Box.prototype.tick = function () { return this.n; };
  function Other() {}
  Other.prototype.tick = function () { return -1; };
  function prepare(n) { return twice(n) + 1; }
  function twice(n) { return n * 2; }
  function onlyLater() { return "later"; }
  function passed() { return "passed"; }
  function beforeBoot() { return 5; }
  var first = beforeBoot();
  function boot() {
    var b = new Box(first);
    b.setup();
    b.tick();
    out.box = b;
    out.cb = passed;
    out.ticker = function () { return new Other().tick(); };
    releaseBootCode();
  }
  boot();
})();`;

type Out = { box: { grow(): number; tick(): number; later(): string; n: number }; cb: () => string; ticker: () => number };

function run(code: string): Out {
  const out: Record<string, unknown> = {};
  vm.runInNewContext(code, { out, global: {} });
  return out as never;
}

describe("releaseBootCode", () => {
  it("frees the start-up and what only it calls; what a callback, a value or another class's method names stays", () => {
    const r = releaseBootCode(CODE);
    // Box and its setup, prepare and twice run only in start-up; beforeBoot only at load, before it; the
    // variable first is read by start-up alone, laterCalls by a callback too.
    expect(r.released).toEqual(["Box", "Box.prototype.setup", "beforeBoot", "boot", "first", "prepare", "twice"]);
    // onlyLater is called inside a callback, passed is passed as a value, grow is never called (a dead
    // method is dead-methods.ts's business). Box's tick runs at start-up only, but a callback calls
    // Other's tick, and a call by name may reach either.
    for (const kept of ["function onlyLater", "function passed", "Box.prototype.grow", "Box.prototype.tick", "Other.prototype.tick"]) {
      expect(r.code).toContain(kept);
    }
    expect(r.code).not.toContain("function releaseBootCode");
  });

  it("leaves objects working after the release: their methods, their callbacks, and the values passed out", () => {
    const before = run(CODE);
    const after = run(releaseBootCode(CODE).code);
    expect(after.box.n).toBe(before.box.n);
    const use = (o: Out) => [o.box.grow(), o.box.tick(), o.box.later(), o.cb(), o.ticker()];
    expect(use(after)).toEqual(use(before));
  });

  it("keeps a function top-level code calls after the start-up was called", () => {
    const code = CODE.replace("  boot();\n", "  boot();\n  twice(1);\n");
    expect(releaseBootCode(code).released).not.toContain("twice");
  });

  it("changes nothing in code without the marker", () => {
    const code = CODE.replace("    releaseBootCode();\n", "");
    expect(releaseBootCode(code)).toEqual({ code, released: [] });
  });

  it.each([
    ["not the last statement of the start-up", (c: string) => c.replace("    releaseBootCode();\n", "").replace("    out.cb = passed;\n", "    releaseBootCode();\n    out.cb = passed;\n")],
    ["called in a callback", (c: string) => c.replace("    releaseBootCode();\n", "    setTimeout(function () { releaseBootCode(); });\n")],
  ])("refuses a marker %s: what follows it would call freed code", (_what, edit) => {
    expect(() => releaseBootCode(edit(CODE))).toThrow(/releaseBootCode\(\) must be/);
  });
});

describe("the board's firmware", () => {
  it("frees its start-up code when started, and keeps the runtime's", async () => {
    const src = await bundleBoard(boardConfig());
    expect(src).not.toContain("relaymqStarted");
    const frees = /((?:delete [\w$]+\.prototype\.[\w$]+,)+)[\w$]+(?:=[\w$]+)*=void 0\}/.exec(src);
    expect(frees).not.toBeNull();
    // The constructors at least go; the exact list follows the code.
    expect((frees as RegExpExecArray)[1].match(/\.prototype\.constructor/g)?.length ?? 0).toBeGreaterThan(10);
  });
});
