// The build takes away the wrapper TypeScript puts around each class (a method made two scopes deep
// costs the interpreter ~3 JsVars more): the code must behave the same, run in the same order, and the
// firmware bundle must have no method left two scopes deep.
import { describe, it, expect } from "vitest";
import vm from "node:vm";
import ts from "typescript";
import * as acorn from "acorn";
import { flattenClasses } from "../../sim/build/flatten";
import { bundleBoard } from "../../sim/build/bundle";
import { boardConfig } from "../device/harness";

function es5(source: string): string {
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, removeComments: true } }).outputText;
}

function run(code: string): unknown {
  const box: { out?: unknown } = {};
  vm.runInNewContext(code, { box });
  return box.out;
}

const CLASSES = `
var log = [];
var a = (log.push("a"), 1), Counter = class {
  constructor(start) { this.n = start; log.push("new"); }
  add(k) { this.n += k; return this; }
  static make() { return new Counter(10); }
}, b = (log.push("b"), 2);
Counter.zero = 0;
class Pair { constructor(x) { this.x = x; } both() { return [this.x, Counter.make().add(this.x).n]; } }
var c = new Counter(a).add(b);
box.out = { n: c.n, pair: new Pair(5).both(), zero: Counter.zero, inst: c instanceof Counter, log: log };
`;

describe("flattenClasses", () => {
  it("unwraps every class wrapper, and the code computes the same in the same order", () => {
    const lowered = es5(CLASSES);
    expect(lowered).toMatch(/\(function \(\) \{/);
    const flat = flattenClasses(lowered);
    expect(flat).not.toMatch(/\(function \(\) \{/);
    expect(run(flat)).toEqual(run(lowered));
    expect(run(flat)).toEqual({ n: 3, pair: [5, 15], zero: 0, inst: true, log: ["a", "b", "new", "new"] });
  });

  const untouched: [string, string][] = [
    ["a wrapper that declares a variable besides the class", "var C = (function () { function C() {} var k = 1; C.prototype.f = function () { return k; }; return C; }());"],
    ["a wrapper with arguments", "var C = (function (k) { function C() {} C.prototype.f = function () { return k; }; return C; }(1));"],
    ["a wrapper returning something else", "var C = (function () { function C() {} return 1; }());"],
    ["a for-loop head", "for (var C = (function () { function C() {} return C; }()); false;) {}"],
  ];
  it.each(untouched)("leaves %s as it is", (_, code) => {
    expect(flattenClasses(code)).toBe(code);
  });
});

describe("the firmware bundle", () => {
  it("has every method at the top level (the board's bundle runs unwrapped, top-level.ts)", async () => {
    const src = await bundleBoard(boardConfig());
    const ast = acorn.parse(src, { ecmaVersion: 5 }) as acorn.Node;
    const depths: number[] = [];
    const walk = (n: any, depth: number): void => {
      if (!n || typeof n.type !== "string") return;
      if (n.type === "AssignmentExpression" && n.left.type === "MemberExpression" && n.left.object.type === "MemberExpression" &&
        n.left.object.property.name === "prototype" && n.right.type === "FunctionExpression") depths.push(depth + 1);
      const inner = n.type === "FunctionExpression" || n.type === "FunctionDeclaration" ? depth + 1 : depth;
      for (const k of Object.keys(n)) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((x) => walk(x, inner));
        else if (v && typeof v.type === "string") walk(v, inner);
      }
    };
    walk(ast, 0);
    // The methods the board seldom runs wait in the cold bank (cold-code.ts), not on their prototypes.
    expect(depths.length).toBeGreaterThan(60);
    expect(new Set(depths)).toEqual(new Set([1]));
  });
});
