// The Espruino compatibility check: what it rejects (each rule of docs/espruino.md it can see in a
// bundle), and that every firmware entry point bundles to ES5 that passes it.
import { describe, it, expect } from "vitest";
import { bundleFirmware } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";

const BREAKING: [string, string, RegExp][] = [
  ["ES2015 syntax (let)", "let x = 1;", /not ES5/],
  ["arrow function", "var f = () => 1;", /not ES5/],
  ["class syntax", "class A {}", /not ES5/],
  ["class inheritance helper", "var __extends = 1; __extends(A, B);", /class inheritance/],
  ["async helper", "var __awaiter = 1;", /async\/await/],
  ["generator helper", "var __generator = 1;", /generator/],
  ["spread helper", "var __spreadArray = 1;", /spread/],
  ["labelled statement", "outer: for (;;) { break outer; }", /labelled/],
  ["call before declaration at load time", "f(); function f() {}", /before its declaration/],
  ["Array.prototype access", "var s = Array.prototype.slice;", /Array\.prototype\.slice/],
  ["String.prototype access", "var s = String.prototype.trim;", /String\.prototype\.trim/],
  ["Function.prototype access", "var s = Function.prototype.call;", /Function\.prototype\.call/],
  ["Map", "var m = new Map();", /Map does not exist/],
  ["Set", "var m = new Set();", /Set does not exist/],
  ["Symbol", "var s = Symbol('x');", /Symbol does not exist/],
  ["WeakMap", "var m = new WeakMap();", /WeakMap does not exist/],
  ["TextEncoder", "var t = new TextEncoder();", /TextEncoder does not exist/],
  ["Object.freeze", "Object.freeze({});", /Object\.freeze/],
  ["Array.from", "Array.from([1]);", /Array\.from/],
  ["Uint8Array.from", "Uint8Array.from([1]);", /Uint8Array\.from/],
  ["Uint8Array.of", "Uint8Array.of(1);", /Uint8Array\.of/],
  ["ArrayBuffer.isView", "ArrayBuffer.isView(x);", /ArrayBuffer\.isView/],
  ["copyWithin", "u.copyWithin(0, 1);", /copyWithin/],
  ["Math.imul", "Math.imul(1, 2);", /Math\.imul/],
  ["Math.trunc", "Math.trunc(1.5);", /Math\.trunc/],
  ["padStart", "'a'.padStart(2);", /padStart/],
  ["Number.isInteger", "Number.isInteger(1);", /Number\.isInteger/],
  ["Promise.race", "Promise.race([]);", /Promise\.race/],
  ["Promise.allSettled", "Promise.allSettled([]);", /Promise\.allSettled/],
  ["Promise finally", "p.finally(function () {});", /finally/],
];

const ALLOWED = [
  ["a call after the declaration", "function f() {} f();"],
  ["a call inside a function declared earlier", "function g() { return f(); } function f() { return 1; }"],
  ["[].slice", "var s = [].slice;"],
  ["Object.prototype.hasOwnProperty", "Object.prototype.hasOwnProperty.call({}, 'a');"],
  ["a local named like a missing built-in", "var Map = {}; var m = Map;"],
  ["typed arrays and subarray", "var u = new Uint8Array(4); u.set(u.subarray(1, 2), 0);"],
];

describe("Espruino compatibility check", () => {
  it.each(BREAKING)("rejects %s", (_name, source, rule) => {
    const findings = checkEspruino(source);
    expect(findings.map((f) => f.rule).join("; ")).toMatch(rule);
  });

  it.each(ALLOWED)("accepts %s", (_name, source) => {
    expect(checkEspruino(source)).toEqual([]);
  });

  it("names the line and column of a finding", () => {
    const [f] = checkEspruino("var a = 1;\nvar m = new Map();");
    expect(f).toMatchObject({ line: 2, column: 12, text: "Map" });
  });

  it.each(["firmware/mqtt/index.ts", "firmware/mqtt/client.ts", "firmware/device/device.ts", "firmware/espruino/net-transport.ts", "firmware/espruino/clock.ts"])(
    "%s bundles to ES5 that passes",
    async (entry) => {
      const source = await bundleFirmware({ entry });
      expect(checkEspruino(source)).toEqual([]);
      // Only built-in modules may stay as require().
      for (const m of source.match(/require\("([^"]+)"\)/g) ?? []) expect(m).toMatch(/require\("(net|tls|Wifi|Storage|ESP32)"\)/);
    },
  );
});
