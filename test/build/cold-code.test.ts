// The board's build keeps seldom-run code out of the heap until it runs (sim/build/cold-code.ts): it moves
// the functions and methods sim/build/cold.ts names into a bank made at their first call and let go after
// a second without one. The code must compute the same, the bank must come and go as said, and what
// cannot be reached by plain calls alone must stay where it was.
import { describe, it, expect } from "vitest";
import vm from "node:vm";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { moveColdCode } from "../../sim/build/cold-code";
import { COLD_CODE, isColdKey } from "../../sim/build/cold";

const CODE = `(function () {
  function Link(n) { this.n = n; this.log = []; }
  Link.prototype.send = function (x) { return this.n + x; };
  Link.prototype.open = function (a, b) { this.log.push(greet(a) + b); return this.close(); };
  Link.prototype.close = function () { return this.n--; };
  Link.prototype.stop = function () { return "halted"; };
  function Other() {}
  Other.prototype.stop = function () { return "other"; };
  function greet(a) { return "hi " + a; }
  function passed() { return 1; }
  var link = new Link(3);
  box.link = link;
  box.run = function () { var other = new Other(); return [link.send(1), link.open("x", "!"), link.stop(), other.stop(), passed(), [passed][0]()]; };
})();`;

type Box = { link: { log: string[] }; run: () => unknown[] };

// Runs code with timers the test fires by hand.
function start(code: string): { box: Box; timers: (() => void)[] } {
  const timers: (() => void)[] = [];
  const box = {} as Box;
  const sandbox: Record<string, unknown> = { box, setTimeout: (f: () => void) => timers.push(f) };
  vm.runInNewContext(code, sandbox);
  return { box, timers };
}

const COLD = new Set(["Link.prototype.open", "Link.prototype.close", "Link.prototype.stop", "greet", "passed", "Link"]);

describe("moveColdCode", () => {
  it("moves what only plain calls reach, and says why the rest stays", () => {
    const r = moveColdCode(CODE, (k) => COLD.has(k));
    expect(r.moved).toEqual(["Link.prototype.open", "Link.prototype.close", "greet"]);
    expect(r.kept).toEqual([
      { key: "Link", why: "a constructor" },
      { key: "Link.prototype.stop", why: "another class's method of that name is not cold" },
      { key: "passed", why: "named other than in a call" },
    ]);
    expect(r.code).not.toMatch(/Link\.prototype\.open =/);
    expect(r.code).toMatch(/__cold\(\d\)\.call\(link, "x", "!"\)/);
  });

  it("computes the same through the bank", () => {
    const before = start(CODE);
    const after = start(moveColdCode(CODE, (k) => COLD.has(k)).code);
    expect(after.box.run()).toEqual(before.box.run());
    expect(after.box.link.log).toEqual(before.box.link.log);
  });

  it("makes the bank at the first cold call and lets it go after a quiet second, not before", () => {
    // The bank is local to the bundle's function: it shows through the timer that watches it.
    const { box, timers } = start(moveColdCode(CODE, (k) => COLD.has(k)).code);
    expect(timers).toHaveLength(0);
    box.run();
    expect(timers).toHaveLength(1);
    box.run(); // used again within the second: kept one more
    timers.shift()!();
    expect(timers).toHaveLength(1);
    timers.shift()!(); // a quiet second: let go, no timer left
    expect(timers).toHaveLength(0);
    box.run();
    expect(timers).toHaveLength(1); // made again
  });

  it("moves a method name two classes share when both are cold, each call reaching its own class's", () => {
    const both = (k: string) => COLD.has(k) || k === "Other.prototype.stop";
    const r = moveColdCode(CODE, both);
    expect(r.moved).toEqual(expect.arrayContaining(["Link.prototype.stop", "Other.prototype.stop"]));
    // Each class is told apart by a tag on its prototype.
    expect(r.code).toMatch(/Link\.prototype\.__k = \d;/);
    expect(r.code).toMatch(/Other\.prototype\.__k = \d;/);
    expect(start(r.code).box.run()).toEqual(start(CODE).box.run());
  });

  it("keeps a method called on a receiver that makes a call", () => {
    const code = CODE.replace("link.open(\"x\", \"!\")", "box.get().open(\"x\", \"!\")").replace("box.link = link;", "box.link = link; box.get = function () { return link; };");
    expect(moveColdCode(code, (k) => COLD.has(k)).kept).toContainEqual({ key: "Link.prototype.open", why: "called on a receiver that makes a call" });
  });

  it("changes nothing when nothing is cold", () => {
    expect(moveColdCode(CODE, () => false)).toEqual({ code: CODE, moved: [], kept: [] });
  });
});

// Every method and function the sources define, as "Class.method" or "function".
function sourceNames(dir: string, into = new Set<string>()): Set<string> {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sourceNames(p, into);
    else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) {
      const src = ts.createSourceFile(p, readFileSync(p, "utf8"), ts.ScriptTarget.ES2020, true);
      for (const s of src.statements) {
        if (ts.isFunctionDeclaration(s) && s.name) into.add(s.name.text);
        if (ts.isClassDeclaration(s) && s.name) {
          for (const m of s.members) if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name)) into.add(s.name.text + "." + m.name.text);
        }
      }
    }
  }
  return into;
}

describe("the cold list (sim/build/cold.ts)", () => {
  it("names only methods and functions the firmware has", () => {
    const names = sourceNames(join(__dirname, "../../firmware"));
    expect(COLD_CODE.filter((n) => !names.has(n))).toEqual([]);
  });

  it("matches the bundle's shortened method names", () => {
    const cold = isColdKey({ onConnack: "Ab" });
    expect([cold("MqttClient.prototype.Ab"), cold("MqttClient.prototype.onConnack"), cold("encodeConnect"), cold("MqttClient.prototype.tick")])
      .toEqual([true, false, true, false]);
  });
});
