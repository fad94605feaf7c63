// The build drops the methods nothing in the bundle calls (sim/build/dead-methods.ts): each costs the
// interpreter JsVars from load. Only candidate names go (shortened ones; in the sealed board bundle, all
// but those the interpreter calls itself), a name used anywhere else keeps its method, and the firmware
// bundle keeps none that is dead.
import { describe, it, expect } from "vitest";
import vm from "node:vm";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    const out = removeDeadMethods(CODE, (n) => ["a", "b", "c", "d", "e", "s"].includes(n));
    // c is never called; d only by c. a and b are called, s by a string key, e's name is a string too.
    expect(methods(out)).toEqual(["a", "b", "e", "keep", "s"]);
    expect(run(out)).toEqual(run(CODE));
  });

  it("keeps a method whose name was not shortened, called or not", () => {
    // c and keep are called by nobody, but only a, b, e and s were shortened.
    expect(methods(removeDeadMethods(CODE, (n) => ["a", "b", "e", "s"].includes(n)))).toEqual(methods(CODE));
  });
});

describe("the firmware bundle", () => {
  it("is sealed: a method only the interpreter calls by name (toJSON) stays, an uncalled one goes", async () => {
    const { bundleFirmware } = await import("../../sim/build/bundle");
    const dir = mkdtempSync(join(tmpdir(), "relaymq-sealed-"));
    try {
      const entry = join(dir, "entry.ts");
      writeFileSync(entry, "class P { constructor(public n: number) {} toJSON() { return this.n; } unused() { return 1; } }\n" +
        "declare const sink: string[];\nsink.push(JSON.stringify(new P(3)));\n");
      const src = await bundleFirmware({ entry, minify: true, mangle: true, sealed: true });
      expect(src).toMatch(/prototype\.toJSON=/);
      expect(src).not.toMatch(/unused/);
      const sink: string[] = [];
      vm.runInNewContext(src, { sink });
      expect(sink).toEqual(["3"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps no dead method: running the pass again on it changes nothing", async () => {
    const src = await bundleBoard(boardConfig());
    const names = new Set([...src.matchAll(/\.prototype\.(\w+)=function/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(50);
    expect(removeDeadMethods(src, () => true)).toBe(src);
  });
});
