// The exact file `npm run build` makes, inside the real Espruino interpreter, against a broker: it boots
// from Storage ".bootcde" as on the board (WiFi stubbed: the Linux build has none; pins kept below D33,
// which is all it has), announces itself, obeys a command and refuses a bad one. The binary is not part
// of this project: point ESPRUINO_BIN at an Espruino Linux build; without it this suite says it skipped.
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../../sim/cli/build";
import { startAedes, type RunningBroker } from "../../sim/broker/embedded";
import { DISCONNECT, PUBACK } from "../../firmware/mqtt/packet-types";
import { FaultProxy } from "../../sim/broker/fault-proxy";
import { WIFI_STUB, uploadScript, watchDevices, startUpload } from "../support/espruino-boot";

const BIN = process.env.ESPRUINO_BIN;

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe("the built firmware in the Espruino interpreter", () => {
  it.skipIf(!BIN)("boots from .bootcde, announces itself, switches a relay, refuses a bad command (needs ESPRUINO_BIN, an Espruino Linux build)", async () => {
    const broker: RunningBroker = await startAedes();
    cleanups.push(() => broker.close());
    const dir = mkdtempSync(join(tmpdir(), "relaymq-fw-"));
    const board = JSON.parse(readFileSync("board.json", "utf8"));
    // Through a proxy whose packet trace shows whether the board said DISCONNECT at reset().
    const proxy = await FaultProxy.start(broker.port);
    cleanups.push(() => proxy.close());
    board.mqtt = { host: "127.0.0.1", port: proxy.port, keepAlive: 30 };
    board.wifi.password = "$TEST_WIFI_PASSWORD";
    board.relays[3].pin = "D23";
    for (const s of board.sensors) if (s.pin === "D34") s.pin = "D32";
    writeFileSync(join(dir, "board.json"), JSON.stringify(board));
    process.env.TEST_WIFI_PASSWORD = "correct-horse";
    cleanups.push(() => delete process.env.TEST_WIFI_PASSWORD);
    const err: string[] = [];
    expect(await build(["--board", join(dir, "board.json"), "--out", join(dir, "firmware.js")], () => {}, (s) => err.push(s))).toBe(0);
    writeFileSync(join(dir, "upload.js"), uploadScript(WIFI_STUB + readFileSync(join(dir, "firmware.js"), "latin1")));

    const { peer, seen } = await watchDevices(broker.port, cleanups);

    const child = startUpload(BIN!, dir, cleanups);
    const until = async (what: string, cond: () => boolean, ms = 20000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error("timed out waiting for " + what + "; seen " + JSON.stringify(seen));
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const got = (topic: string, payload: string) => seen.some((m) => m.topic === topic && m.payload === payload);

    await until("online", () => got("devices/esp32-01/status", "online"));
    await until("relay states", () => got("devices/esp32-01/relay/pump/state", "OFF"));
    peer.publish("devices/esp32-01/relay/pump/set", "on", { qos: 1 });
    await until("pump ON", () => got("devices/esp32-01/relay/pump/state", "ON"));
    peer.publish("devices/esp32-01/relay/pump/set", "FOO", { qos: 1 });
    await until("the refusal", () => seen.some((m) => m.topic === "devices/esp32-01/error"));
    expect(JSON.parse(seen.find((m) => m.topic === "devices/esp32-01/error")!.payload)).toEqual({
      topic: "devices/esp32-01/relay/pump/set", reason: "unknown payload", payload: "FOO",
    });
    // Still ON: a refused command changes nothing.
    expect(seen.filter((m) => m.topic === "devices/esp32-01/relay/pump/state").map((m) => m.payload)).toEqual(["OFF", "ON"]);

    // Commands longer than the board's receive buffer (they arrive in 536-byte socket chunks): refused
    // with their length and acknowledged, so a broker's window of unacknowledged messages never fills.
    const pubacks = proxy.count("c2b", PUBACK);
    for (let i = 0; i < 3; i++) peer.publish("devices/esp32-01/relay/pump/set", "x".repeat(600), { qos: 1 });
    await until("three oversize refusals", () => seen.filter((m) => m.topic === "devices/esp32-01/error" && m.payload.includes("\"length\":600")).length === 3);
    expect(JSON.parse(seen.filter((m) => m.topic === "devices/esp32-01/error").pop()!.payload)).toEqual({
      topic: "devices/esp32-01/relay/pump/set", reason: "payload too long", length: 600,
    });
    await until("their PUBACKs", () => proxy.count("c2b", PUBACK) >= pubacks + 3);

    // Memory in use with everything running, asked at the interpreter's console.
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString("latin1")));
    child.stdin!.write('console.log("MEM", JSON.stringify(process.memory()));\n');
    await until("process.memory()", () => /MEM (\{.*\})/.test(out));
    const mem = JSON.parse(/MEM (\{.*\})/.exec(out)![1]);
    console.log(`[espruino] the running firmware uses ${mem.usage} of ${mem.total} JsVars`);
    expect(mem.usage).toBeLessThan(mem.total / 2);

    // relaymqStop() at the console: the board itself says offline, then DISCONNECT, so no will.
    child.stdin!.write("relaymqStop();\n");
    await until("offline", () => got("devices/esp32-01/status", "offline"));
    await until("DISCONNECT", () => proxy.count("c2b", DISCONNECT) === 1);
    expect(proxy.packets.filter((p) => p.dir === "c2b" && p.payload === "offline").map((p) => p.topic)).toEqual(["devices/esp32-01/status"]);
    // It answered that a session was up (a DISCONNECT on its way), and its log names the end in words.
    expect(out).toMatch(/relaymqStop\(\);\r?\n=true/);
    await until("the stop in the log", () => out.includes("relaymq warn disconnected STOPPED (-56)"));
  }, 60000);
});
