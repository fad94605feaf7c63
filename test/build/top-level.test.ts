// The board's bundle runs as the script itself (sim/build/top-level.ts): its names become globals, each
// with a prefix, and what it computes does not change.
import { describe, expect, it } from "vitest";
import vm from "node:vm";
import * as acorn from "acorn";
import { hoistToTopLevel } from "../../sim/build/top-level";
import { bundleBoard } from "../../sim/build/bundle";
import { boardConfig } from "../device/harness";

// Runs code in a fresh context; returns what it left in `out`.
function run(code: string): unknown {
  const context = vm.createContext({ out: null });
  vm.runInContext(code, context);
  return context.out;
}

const cases: { what: string; code: string; expected: string }[] = [
  {
    what: "a var and a function declared by the wrapper, and every use of them",
    code: "(function(){var a=1;function f(){return a+1}out=f()})();",
    expected: "var $a=1;function $f(){return $a+1}out=$f();\n",
  },
  {
    what: "a parameter, an inner var and a function expression's name that reuse a wrapper's name stay",
    code: "(function(){var a=1,b=2;function f(a){var b=a;return b}var g=function b(){return b};out=[f(5),a,b,typeof g()]})();",
    expected: "var $a=1,$b=2;function $f(a){var b=a;return b}var $g=function b(){return b};out=[$f(5),$a,$b,typeof $g()];\n",
  },
  {
    what: "a catch's variable stays, a var declared in a block at the top is the wrapper's",
    code: "(function(){try{throw 3}catch(a){out=a}if(out){var c=out+1}out=[out,c]})();",
    expected: "try{throw 3}catch(a){out=a}if(out){var $c=out+1}out=[out,$c];\n",
  },
  {
    what: "property names and keys that spell a wrapper's name stay; globals stay",
    code: "(function(){var a={a:1};a.a=Math.max(a.a,2);out=a.a})();",
    expected: "var $a={a:1};$a.a=Math.max($a.a,2);out=$a.a;\n",
  },
  {
    what: "a method added to a prototype keeps its name; the class gets the prefix",
    code: "(function(){function C(){this.v=4}C.prototype.m=function(){return this.v};out=new C().m()})();",
    expected: "function $C(){this.v=4}$C.prototype.m=function(){return this.v};out=new $C().m();\n",
  },
  {
    what: "a name whose prefixed form the bundle already uses takes the next prefix; the others keep `$`",
    code: "(function(){var a=1;function f(){var $a=2;return a+$a}out=f()})();",
    expected: "var $$a=1;function $f(){var $a=2;return $$a+$a}out=$f();\n",
  },
  {
    what: "a name's next prefix is not one another name already took",
    code: "(function(){var a=1,$a=2;function f(){var $$$a=3;return a+$a+$$$a}out=f()})();",
    expected: "var $$a=1,$_$a=2;function $f(){var $$$a=3;return $$a+$_$a+$$$a}out=$f();\n",
  },
];

describe("hoistToTopLevel", () => {
  it.each(cases)("prefixes $what", ({ code, expected }) => {
    const hoisted = hoistToTopLevel(code).code;
    expect(hoisted).toBe(expected);
    // What it computes is what the wrapped code computed.
    expect(JSON.stringify(run(hoisted))).toBe(JSON.stringify(run(code)));
  });

  it("ends with a semicolon, so a script appended after it starting with \"(\" is not a call of its last value", () => {
    const hoisted = hoistToTopLevel("(function(){var a=function(){return 1};out=a()})();").code;
    expect(run(hoisted + "(function(){out=out+1})();")).toBe(2);
  });

  it("names the globals it made", () => {
    expect(hoistToTopLevel(cases[0].code).names).toEqual(["$a", "$f"]);
  });

  it.each([
    ["two statements", "(function(){})();x();"],
    ["a call of something else", "f();"],
    ["an arrow wrapper", "(()=>{var a=1})();"],
  ])("refuses code that is not one wrapped function: %s", (_, code) => {
    expect(() => hoistToTopLevel(code)).toThrow(/not one \(function\(\)\{\.\.\.\}\)\(\); statement/);
  });
});

describe("the board's bundle", () => {
  it("declares only prefixed names at the top level, none of them a pin or one of Espruino's globals", async () => {
    const src = await bundleBoard(boardConfig());
    const ast = acorn.parse(src, { ecmaVersion: 5 }) as unknown as { body: any[] };
    const names: string[] = [];
    for (const s of ast.body) {
      if (s.type === "FunctionDeclaration") names.push(s.id.name);
      if (s.type === "VariableDeclaration") for (const d of s.declarations) names.push(d.id.name);
    }
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((n) => !n.startsWith("$"))).toEqual([]);
  });
});
