// The shim's Storage and Wifi modules: Storage files live in the caller's Map (so they survive a reboot)
// with Espruino's name limit; Wifi joins after a delay and follows the simulated access point.
import net from "node:net";
import { describe, it, expect, afterEach } from "vitest";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

afterEach(haltShimBoards);

describe("Storage", () => {
  it("files written by one boot are read by the next (two shims, one Map)", () => {
    const files = new Map<string, string>();
    const first = shimBoard({ storage: files });
    expect(first.js(`require("Storage").write("relays", "\\x01\\x00\\xff")`)).toBe(true);
    first.shim.halt();
    const second = shimBoard({ storage: files });
    expect(second.js(`require("Storage").read("relays") === "\\x01\\x00\\xff"`)).toBe(true);
    expect(files.get("relays")).toBe("\x01\x00\xff");
  });

  it.each([
    { what: "a missing file reads as undefined", code: `require("Storage").read("nope")`, value: undefined },
    { what: "list() names every file", code: `(function () { var S = require("Storage"); S.write("a", "1"); S.write("b", "2"); return S.list().sort(); })()`, value: ["a", "b"] },
    { what: "erase() removes a file", code: `(function () { var S = require("Storage"); S.write("a", "1"); S.erase("a"); return [S.read("a"), S.list()]; })()`, value: [null, []] },
    {
      what: "a name longer than 28 chars is cut to 28, as Espruino does",
      code: `(function () { var S = require("Storage"); S.write("abcdefghijklmnopqrstuvwxyz0123456789", "v"); return [S.list(), S.read("abcdefghijklmnopqrstuvwxyz01")]; })()`,
      value: [["abcdefghijklmnopqrstuvwxyz01"], "v"],
    },
    { what: "an empty file cannot be made", code: `(function () { try { require("Storage").write("e", ""); return "no throw"; } catch (e) { return e.message; } })()`, value: "Can't create zero length file" },
    { what: "a Uint8Array is stored as its bytes", code: `(function () { var S = require("Storage"); S.write("u", new Uint8Array([65, 0, 255])); return S.read("u") === "A\\x00\\xff"; })()`, value: true },
  ])("$what", ({ code, value }) => {
    expect(shimBoard().js(code)).toEqual(value);
  });
});

describe("Wifi", () => {
  it("connect() calls back with null after the delay, then emits 'connected' with an address", async () => {
    const { exec, js } = shimBoard({ wifiDelayMs: 30 });
    exec(`var ev = []; var W = require("Wifi"); W.on("connected", function (d) { ev.push("connected " + d.ip); });
      W.connect("my-network", { password: "x" }, function (err) { ev.push("cb " + err); });`);
    await sleep(5);
    expect(js("ev")).toEqual([]);
    await until(() => js("ev.length") === 2, 2000, "the join");
    expect(js("ev")).toEqual(["cb null", "connected 127.0.0.1"]);
    expect(js(`require("Wifi").getIP().ip`)).toBe("127.0.0.1");
  });

  it("losing the access point emits 'disconnected'; joining fails while it is gone and works once it is back", async () => {
    const { shim, exec, js } = shimBoard({ wifiDelayMs: 5 });
    exec(`var ev = []; var W = require("Wifi");
      W.on("connected", function () { ev.push("connected"); }); W.on("disconnected", function (d) { ev.push("disconnected " + d.msg); });
      var join = function () { W.connect("my-network", {}, function (err) { ev.push("cb " + err); }); };
      join();`);
    await until(() => js("ev.length") === 2, 2000, "the first join");
    shim.wifiDown();
    await until(() => js("ev.length") === 3, 2000, "the loss");
    exec("join();");
    await until(() => js("ev.length") === 5, 2000, "the failed join");
    shim.wifiUp();
    exec("join();");
    await until(() => js("ev.length") === 7, 2000, "the second join");
    expect(js("ev")).toEqual([
      "cb null", "connected",
      "disconnected BEACON_TIMEOUT",
      "disconnected NO_AP_FOUND", "cb NO_AP_FOUND",
      "cb null", "connected",
    ]);
  });

  it("a board that has not joined the access point reaches nothing: a connect fails with 'no route' until the join", async () => {
    const srv = net.createServer((c) => c.end());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const { exec, js } = shimBoard({ wifiJoined: false, wifiDelayMs: 30 });
      exec(`var ev = []; var dial = function (tag) { var s = require("net").connect({ host: "127.0.0.1", port: ${port} },
          function () { ev.push(tag + " connected"); });
        s.on("error", function (e) { ev.push(tag + " " + e.message); }); };
        dial("before"); require("Wifi").connect("n", {}, function () { dial("after"); });`);
      await until(() => js("ev.length") === 2, 2000, "both dials");
      expect(js("ev")).toEqual(["before no route", "after connected"]);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it("disconnect() emits 'disconnected' and calls back; getIP(cb) answers (null, info)", async () => {
    const { exec, js } = shimBoard({ wifiDelayMs: 1 });
    exec(`var ev = []; var W = require("Wifi"); W.on("disconnected", function () { ev.push("disconnected"); });
      W.connect("n", {}, function () { W.getIP(function (err, info) { ev.push("ip " + err + " " + info.ip);
        W.disconnect(function () { ev.push("done"); }); }); });`);
    await until(() => js("ev.length") === 3, 2000, "the disconnect");
    expect(js("ev")).toEqual(["ip null 127.0.0.1", "disconnected", "done"]);
  });

  it("an exception in a Wifi callback is printed and the board keeps going", async () => {
    const { exec, js, lines } = shimBoard({ wifiDelayMs: 1 });
    exec(`var later = false; require("Wifi").connect("n", {}, function () { throw new Error("wifi cb"); });
      setTimeout(function () { later = true; }, 20);`);
    await until(() => js("later") === true, 2000, "the later timer");
    expect(lines).toEqual(["Uncaught Error: wifi cb"]);
  });
});
