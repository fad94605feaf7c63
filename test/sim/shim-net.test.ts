// The board's sockets in the shim, against real local servers: data arrives as latin1 strings of at most
// 536 chars, write() sends String(x), every byte is tapped both ways, route() decides where a connect
// goes, and a refused address first fails as error + close, then throws once, then dials again.
import { describe, it, expect, afterEach } from "vitest";
import net from "node:net";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  // The boards first (each is made after the servers it dials), then the servers, newest first.
  haltShimBoards();
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Server {
  port: number;
  received: Buffer[];
  conns: net.Socket[];
  ended: number;
  closed: number;
  bytes(): Buffer;
}

/** server(onConn) -> a server on 127.0.0.1, a free port; records what it receives. */
async function server(onConn: (c: net.Socket) => void = () => {}): Promise<Server> {
  const s: Server = {
    port: 0, received: [], conns: [], ended: 0, closed: 0,
    bytes: () => Buffer.concat(s.received),
  };
  const srv = net.createServer((c) => {
    s.conns.push(c);
    c.on("data", (d) => s.received.push(d));
    c.on("end", () => s.ended++);
    c.on("close", () => s.closed++);
    c.on("error", () => {});
    onConn(c);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  s.port = (srv.address() as net.AddressInfo).port;
  cleanups.push(() => new Promise<void>((r) => {
    for (const c of s.conns) c.destroy();
    srv.close(() => r());
  }));
  return s;
}

/** A port nothing listens on (just closed). */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 2000 }, (_, i) => i & 255));

describe("receiving", () => {
  it("delivers data as strings of at most 536 chars, every byte 0-255 intact", async () => {
    const srv = await server((c) => c.write(ALL_BYTES));
    const { exec, js } = shimBoard();
    exec(`var chunks = []; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} });
      s.on("data", function (d) { chunks.push(d); });`);
    await until(() => js("chunks.join('').length") >= 2000, 3000, "2000 bytes");
    const types = js("chunks.map(function (c) { return typeof c; })");
    const sizes: number[] = js("chunks.map(function (c) { return c.length; })");
    expect(new Set(types)).toEqual(new Set(["string"]));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(536);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    const text: string = js("chunks.join('')");
    expect(Buffer.from(text, "latin1").equals(ALL_BYTES)).toBe(true);
  });

  it("calls every handler added for an event, in order", async () => {
    const srv = await server((c) => c.write("hi"));
    const { exec, js } = shimBoard();
    exec(`var order = []; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { order.push("cb"); });
      s.on("connect", function () { order.push("connect"); });
      s.on("data", function (d) { order.push("a:" + d); }); s.on("data", function (d) { order.push("b:" + d); });`);
    await until(() => js("order.length") === 4, 3000, "the handlers");
    expect(js("order")).toEqual(["cb", "connect", "a:hi", "b:hi"]);
  });

  it("an exception in a data handler is printed and later data still arrives", async () => {
    let conn: net.Socket | null = null;
    const srv = await server((c) => {
      conn = c;
      c.write("one");
    });
    const { exec, js, lines } = shimBoard();
    exec(`var got = []; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} });
      s.on("data", function (d) { got.push(d); if (got.length === 1) throw new Error("handler"); });`);
    await until(() => js("got.length") === 1, 3000, "the first data");
    conn!.write("two");
    await until(() => js("got.length") === 2, 3000, "the second data");
    expect(lines).toEqual(["Uncaught Error: handler"]);
  });
});

describe("sending", () => {
  it.each([
    { what: "a Uint8Array goes out as its text, the bug docs/espruino.md warns about", code: "new Uint8Array([1, 2, 0, 255])", sent: Buffer.from("1,2,0,255") },
    { what: "E.toString(u8) goes out as the bytes", code: "E.toString(new Uint8Array([1, 2, 0, 255]))", sent: Buffer.from([1, 2, 0, 255]) },
    { what: "a number goes out as its text", code: "42", sent: Buffer.from("42") },
    { what: "chars above 255 keep their low byte (8-bit strings)", code: "String.fromCharCode(0x141, 0x41)", sent: Buffer.from([0x41, 0x41]) },
  ])("$what", async ({ code, sent }) => {
    const srv = await server();
    const { exec } = shimBoard();
    exec(`var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { s.write(${code}); });`);
    await until(() => srv.bytes().length >= sent.length, 3000, "the bytes at the server");
    await sleep(10);
    expect(srv.bytes()).toEqual(sent);
  });

  it("tap sees every byte both ways, in order, as fresh arrays", async () => {
    const srv = await server((c) => c.on("data", () => c.write(Buffer.from([9, 0, 255]))));
    const { exec, taps, js } = shimBoard();
    exec(`var got = ""; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { s.write("\\x10\\x00\\xff"); });
      s.on("data", function (d) { got += d; });`);
    await until(() => js("got.length") === 3, 3000, "the reply");
    expect(taps.map((t) => [t.dir, [...t.bytes]])).toEqual([
      ["out", [0x10, 0, 0xff]],
      ["in", [9, 0, 255]],
    ]);
    expect(taps.every((t) => t.bytes instanceof Uint8Array)).toBe(true);
  });
});

describe("routing and socket life", () => {
  it("connects where route() says, and reports the address the board dialled", async () => {
    const srv = await server((c) => c.end("bye"));
    const asked: [string, number, boolean][] = [];
    const { exec, js, life, shim } = shimBoard({
      route: (host, port, tls) => {
        asked.push([host, port, tls]);
        return { host: "127.0.0.1", port: srv.port, tls: null };
      },
    });
    exec(`var ev = []; var s = require("net").connect({ host: "broker.example", port: 1883 }, function () { ev.push("connect"); });
      s.on("data", function (d) { ev.push("data:" + d); }); s.on("end", function () { ev.push("end"); });
      s.on("close", function (hadError) { ev.push("close:" + hadError); });`);
    expect(shim.openSockets).toBe(1);
    await until(() => js("ev.length") === 4, 3000, "the server's goodbye");
    expect(asked).toEqual([["broker.example", 1883, false]]);
    expect(js("ev")).toEqual(["connect", "data:bye", "end", "close:false"]);
    expect(life).toEqual(["connect broker.example:1883", "close broker.example:1883"]);
    expect(shim.openSockets).toBe(0);
  });

  it("require('tls') asks route() for TLS, which may hand back plain TCP (tls: null)", async () => {
    const srv = await server((c) => c.write("plain"));
    const asked: boolean[] = [];
    const { exec, js } = shimBoard({
      route: (_h, _p, tls) => {
        asked.push(tls);
        return { host: "127.0.0.1", port: srv.port, tls: null };
      },
    });
    exec(`var got = ""; var s = require("tls").connect({ host: "broker.example", port: 8883 }); s.on("data", function (d) { got += d; });`);
    await until(() => js("got") === "plain", 3000, "data over the routed socket");
    expect(asked).toEqual([true]);
  });

  it("end() from the board closes the connection cleanly", async () => {
    const srv = await server();
    const { exec, js, shim } = shimBoard();
    exec(`var closed = false; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { s.end(); });
      s.on("close", function () { closed = true; });`);
    await until(() => js("closed") === true, 3000, "the close");
    await until(() => srv.ended === 1, 3000, "the server to see the end");
    expect(shim.openSockets).toBe(0);
  });
});

describe("a refused connect", () => {
  it("fails first as error + close, then throws 'Unable to create socket' once, then dials again", async () => {
    const port = await deadPort();
    const { exec, js, life } = shimBoard();
    const attempt = `(function () {
      try {
        var s = require("net").connect({ host: "127.0.0.1", port: ${port} }, function () { ev.push("connected?!"); });
        s.on("error", function (e) { ev.push("error:" + e.code + ":" + e.message); });
        s.on("close", function (hadError) { ev.push("close:" + hadError); });
        ev.push("returned");
      } catch (e) { ev.push("threw:" + e.message); }
    })()`;
    exec("var ev = [];");
    exec(attempt);
    await until(() => js("ev.length") === 3, 3000, "the first refusal");
    exec(attempt);
    exec(attempt);
    await until(() => js("ev.length") === 7, 3000, "the third attempt's refusal");
    expect(js("ev")).toEqual([
      "returned", "error:-11:no connection", "close:true",
      "threw:Unable to create socket",
      "returned", "error:-11:no connection", "close:true",
    ]);
    const to = `127.0.0.1:${port}`;
    // The simulator hears where the attempt went and why, in words.
    expect(life).toEqual([
      `error ${to} ${to}: refused (ECONNREFUSED)`, `close ${to}`,
      `refused-throw ${to} ${to}: refused (connect() threw "Unable to create socket", as after a refusal)`,
      `error ${to} ${to}: refused (ECONNREFUSED)`, `close ${to}`,
    ]);
  });

  it("while the access point is gone, a connect fails with 'no route'", async () => {
    const srv = await server();
    const { shim, exec, js } = shimBoard();
    shim.wifiDown();
    exec(`var ev = []; var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} });
      s.on("error", function (e) { ev.push(e.message); }); s.on("close", function () { ev.push("close"); });`);
    await until(() => js("ev.length") === 2, 3000, "the failure");
    expect(js("ev")).toEqual(["no route", "close"]);
    expect(srv.conns.length).toBe(0);
  });
});

describe("halt()", () => {
  it("destroys every socket at once; the board hears nothing more", async () => {
    const srv = await server((c) => c.write("hello"));
    const { shim, exec, js, life } = shimBoard();
    exec(`var ev = []; for (var i = 0; i < 2; i++) { var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} });
      s.on("data", function (d) { ev.push(d); }); s.on("close", function () { ev.push("close"); }); }`);
    await until(() => js("ev.length") === 2, 3000, "both connections");
    shim.halt();
    expect(shim.openSockets).toBe(0);
    await until(() => srv.closed === 2, 3000, "the server to see both sockets go");
    for (const c of srv.conns) c.write("too late");
    await sleep(20);
    expect(js("ev")).toEqual(["hello", "hello"]);
    expect(life.filter((l) => l.startsWith("close"))).toHaveLength(2);
  });
});
