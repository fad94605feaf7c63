// The build drops the methods nothing in the bundle calls (sim/build/dead-methods.ts): each costs the
// interpreter JsVars from load. Only shortened names are candidates, a name used anywhere else keeps its
// method, and the firmware bundle keeps none that is dead.
import { describe, it, expect } from "vitest";
import vm from "node:vm";
import { removeDeadMethods } from "../../sim/build/dead-methods";
import { bundleBoard } from "../../sim/build/bundle";
import { boardConfig } from "../device/harness";

const CODE = `
function C() { this.n = 1; }
C.prototype.a = function () { return this.b(); };
C.prototype.b = function () { return this.n + 1; };
C.prototype.c = function () { return this.d(); };
C.prototype.d = function () { return 0; };
C.prototype.e = function () { return "e"; };
C.prototype.keep = function () { return 2; };
C.prototype.s = function () { return 3; };
var x = new C();
box.out = [x.a(), x["s"](), "e".length];
`;

function run(code: string): unknown {
  const box: { out?: unknown } = {};
  vm.runInNewContext(code, { box });
  return box.out;
}

const methods = (code: string): string[] => [...code.matchAll(/C\.prototype\.(\w+) =/g)].map((m) => m[1]);

describe("removeDeadMethods", () => {
  it("drops uncalled methods, and then those only they called; the code computes the same", () => {
    const out = removeDeadMethods(CODE, new Set(["a", "b", "c", "d", "e", "s"]));
    // c is never called; d only by c. a and b are called, s by a string key, e's name is a string too.
    expect(methods(out)).toEqual(["a", "b", "e", "keep", "s"]);
    expect(run(out)).toEqual(run(CODE));
  });

  it("keeps a method whose name was not shortened, called or not", () => {
    // c and keep are called by nobody, but only a, b, e and s were shortened.
    expect(methods(removeDeadMethods(CODE, new Set(["a", "b", "e", "s"])))).toEqual(methods(CODE));
  });
});

describe("the firmware bundle", () => {
  it("keeps no dead method: running the pass again on it changes nothing", async () => {
    const src = await bundleBoard(boardConfig());
    const names = new Set([...src.matchAll(/\.prototype\.(\w+)=function/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(50);
    expect(removeDeadMethods(src, names)).toBe(src);
  });
});
