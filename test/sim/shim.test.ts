// The Espruino API shim's board-wide surface: what the context has and lacks, console, E, process,
// require, and the life of a program (run, onInit, kill, halt). Pins, timers, sockets and modules have
// their own shim-*.test.ts files; shim-firmware.test.ts runs the real bundle.
import { describe, it, expect, afterEach } from "vitest";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

afterEach(haltShimBoards);

describe("built-ins the interpreter lacks are missing in the board", () => {
  it.each([
    "Map", "Set", "WeakMap", "Symbol", "TextEncoder", "Object.freeze", "Array.from", "Uint8Array.from",
    "Uint8Array.of", "ArrayBuffer.isView", "new Uint8Array(2).copyWithin", "[].copyWithin", "Math.imul",
    "Math.trunc", "''.padStart", "Number.isInteger", "Promise.race", "Promise.allSettled",
    "Promise.resolve().finally",
  ])("%s is undefined", (expr) => {
    expect(shimBoard().js(`typeof ${expr}`)).toBe("undefined");
  });

  it.each(["Buffer", "setImmediate", "module", "exports", "process.env", "TextDecoder", "queueMicrotask"])(
    "Node's %s is not there either",
    (expr) => {
      expect(shimBoard().js(`typeof ${expr}`)).toBe("undefined");
    },
  );

  it("global is the board's own root scope, as on Espruino, not Node's", () => {
    const { js } = shimBoard();
    expect(js("global === this && typeof global.process.memory")).toBe("function");
    expect(js("typeof global.process.env")).toBe("undefined");
  });

  it.each([
    ["Object.assign", "function"], ["Object.defineProperty", "function"], ["Promise.all", "function"],
    ["Promise.resolve", "function"], ["JSON.stringify", "function"], ["DataView", "function"],
    ["new Uint8Array(4).subarray", "function"], ["String.fromCharCode", "function"], ["Float32Array", "function"],
  ])("%s, which Espruino has, stays", (expr, type) => {
    expect(shimBoard().js(`typeof ${expr}`)).toBe(type);
  });
});

describe("u8.set(string) copies 8-bit chars as bytes, as Espruino does", () => {
  it.each([
    { what: "at offset 0", code: `var u = new Uint8Array(4); u.set("\\xff\\x00ab", 0); u`, bytes: [255, 0, 97, 98] },
    { what: "at an offset", code: `var u = new Uint8Array(5); u.set("\\x80\\x01", 2); u`, bytes: [0, 0, 128, 1, 0] },
    { what: "cut at the array's end", code: `var u = new Uint8Array(3); u.set("abcdef", 1); u`, bytes: [0, 97, 98] },
    { what: "with no offset", code: `var u = new Uint8Array(2); u.set("\\xfe"); u`, bytes: [254, 0] },
    { what: "while arrays still copy as numbers", code: `var u = new Uint8Array(3); u.set([7, 8], 1); u`, bytes: [0, 7, 8] },
    { what: "and typed arrays too", code: `var u = new Uint8Array(3); u.set(new Uint8Array([9]), 2); u`, bytes: [0, 0, 9] },
  ])("$what", ({ code, bytes }) => {
    const { js } = shimBoard();
    expect(Object.values(js(`(function () { ${code}; return u; })()`))).toEqual(bytes);
  });

  it("copies all 256 byte values of a received chunk", () => {
    const { js } = shimBoard();
    const out = js(`(function () {
      var s = ""; for (var i = 0; i < 256; i++) s += String.fromCharCode(i);
      var u = new Uint8Array(256); u.set(s, 0); var ok = true;
      for (var j = 0; j < 256; j++) if (u[j] !== j) ok = false;
      return ok;
    })()`);
    expect(out).toBe(true);
  });
});

describe("console", () => {
  it("prints each console.log call as one line, arguments joined by spaces as Espruino prints them", () => {
    const { exec, lines } = shimBoard();
    exec(`console.log("relaymq", 2, 0, "connected"); console.log("v", true, null, undefined, [1, 2], { a: 1, b: "x" }, D26, new Uint8Array([1, 2]));`);
    expect(lines).toEqual([
      "relaymq 2 0 connected",
      `v true null undefined [ 1, 2 ] { "a": 1, "b": "x" } D26 new Uint8Array([1, 2])`,
    ]);
  });
});

describe("E", () => {
  it("E.toString(u8) is a latin1 string of the bytes, E.toUint8Array the way back (all 256 values)", () => {
    const { js } = shimBoard();
    const out = js(`(function () {
      var u = new Uint8Array(256); for (var i = 0; i < 256; i++) u[i] = i;
      var s = E.toString(u); var back = E.toUint8Array(s); var ok = back.length === 256;
      for (var j = 0; j < 256; j++) if (s.charCodeAt(j) !== j || back[j] !== j) ok = false;
      return [typeof s, s.length, ok, back instanceof Uint8Array, E.toString(u.subarray(65, 67))];
    })()`);
    expect(out).toEqual(["string", 256, true, true, "AB"]);
  });

  it.each([
    ["new Uint8Array(1024)", 77],
    ["(function () { var s = ''; for (var i = 0; i < 64; i++) s += 'a'; return s; })()", 7],
    ["[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", 11],
    ["{ a: 1, b: 2, c: 3 }", 4],
  ])("E.getSizeOf(%s) is %i JsVars (docs/espruino.md, Memory)", (expr, vars) => {
    expect(shimBoard().js(`E.getSizeOf(${expr})`)).toBe(vars);
  });

  it("has only what docs/espruino.md names, and E.reboot() (src/jswrap_espruino.c) for the restart command", () => {
    expect(shimBoard().js("Object.keys(E).sort()")).toEqual(["getSizeOf", "on", "reboot", "toArrayBuffer", "toString", "toUint8Array"]);
  });
});

describe("process.memory()", () => {
  it("has Espruino's fields, the configured total and 14-byte blocks", () => {
    const m = shimBoard({ jsVars: 9000 }).js("process.memory()");
    expect(Object.keys(m).sort()).toEqual(["blocksize", "free", "total", "usage"]);
    expect(m.total).toBe(9000);
    expect(m.blocksize).toBe(14);
    expect(m.free + m.usage).toBe(9000);
    expect(m.usage).toBeGreaterThan(0);
  });

  it("defaults to the ESP32's 16383 JsVars", () => {
    expect(shimBoard().js("process.memory().total")).toBe(16383);
  });

  it("counts a typed array the firmware allocates and holds (77 vars for 1024 bytes)", () => {
    const { js, exec } = shimBoard();
    const before = js("process.memory().usage");
    exec("var keep = new Uint8Array(1024);");
    expect(js("process.memory().usage") - before).toBe(77);
    // A view owns nothing: subarray costs no buffer.
    exec("var view = keep.subarray(0, 512);");
    expect(js("process.memory().usage") - before).toBe(77);
  });
});

describe("require", () => {
  it.each(["net", "tls", "Wifi", "Storage", "ESP32"])("gives the built-in module %s, the same object each time", (name) => {
    expect(shimBoard().js(`typeof require("${name}") === "object" && require("${name}") === require("${name}")`)).toBe(true);
  });

  it.each(["fs", "http", "mqtt", "events"])('throws Module "%s" not found for any other name, as Espruino does', (name) => {
    expect(shimBoard().js(`(function () { try { require("${name}"); return "no throw"; } catch (e) { return e.message; } })()`))
      .toBe(`Module "${name}" not found`);
  });
});

describe("a program's life", () => {
  it("run() runs the script, then E.on('init') handlers, then onInit(), as a boot does", () => {
    const { shim, js } = shimBoard();
    shim.run(`var order = ["script"]; E.on("init", function () { order.push("init"); }); function onInit() { order.push("onInit"); }`, "boot.js");
    expect(js("order")).toEqual(["script", "init", "onInit"]);
  });

  it("run() throws the script's error when its top level throws", () => {
    const { shim } = shimBoard();
    expect(() => shim.run(`var x = 1;\nthrow new Error("broken bundle");`, "bad.js")).toThrow("broken bundle");
  });

  it("an exception in onInit is printed as Uncaught, and run() returns", () => {
    const { shim, lines } = shimBoard();
    expect(() => shim.run(`function onInit() { throw new Error("init failed"); }`, "boot.js")).not.toThrow();
    expect(lines).toEqual(["Uncaught Error: init failed"]);
  });

  it("kill() runs the E.on('kill') handlers (and only then), then the program is gone", async () => {
    const { shim, js } = shimBoard();
    shim.run(`var killed = 0, ticks = 0; E.on("kill", function () { killed++; }); E.on("kill", function () { killed += 10; });
      setInterval(function () { ticks++; }, 5);`, "boot.js");
    expect(js("killed")).toBe(0);
    shim.kill();
    expect(js("killed")).toBe(11);
    const at = js("ticks");
    await sleep(40);
    expect(js("ticks")).toBe(at);
  });

  it("call(name) runs a global function of the program as typed at the console; false when there is none", () => {
    const { shim, js, lines } = shimBoard();
    shim.run(`var stopped = 0; function relaymqStop() { stopped++; } function broken() { throw new Error("no"); }`, "boot.js");
    expect(shim.call("relaymqStop")).toBe(true);
    expect(js("stopped")).toBe(1);
    expect(shim.call("missing")).toBe(false);
    expect(shim.call("broken")).toBe(true);
    expect(lines).toEqual(["Uncaught Error: no"]);
  });

  it("halt() stops everything at once and can be called twice", async () => {
    const { shim, js } = shimBoard();
    shim.run(`var ticks = 0; setInterval(function () { ticks++; }, 5); setTimeout(function () { ticks += 100; }, 30);`, "boot.js");
    await until(() => js("ticks") >= 2, 2000, "the interval to tick");
    shim.halt();
    shim.halt();
    const at = js("ticks");
    await sleep(60);
    expect(js("ticks")).toBe(at);
  });

  it("getTime() is seconds since boot, as a float", async () => {
    const { js } = shimBoard();
    const t0 = js("getTime()");
    await sleep(50);
    const t1 = js("getTime()");
    expect(t0).toBeGreaterThanOrEqual(0);
    expect(t0).toBeLessThan(5);
    expect(t1 - t0).toBeGreaterThanOrEqual(0.04);
    expect(t1 - t0).toBeLessThan(1);
  });

  it("boards in one process share nothing: globals, timer ids, Storage", () => {
    const a = shimBoard();
    const b = shimBoard();
    a.exec("var mine = 1; require('Storage').write('f', 'a');");
    expect(b.js("typeof mine")).toBe("undefined");
    expect(b.js("require('Storage').read('f')")).toBeUndefined();
    expect([a.js("setTimeout(function () {}, 1000)"), b.js("setTimeout(function () {}, 1000)")]).toEqual([1, 1]);
  });
});
