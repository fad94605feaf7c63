// The board's own features in the real Espruino interpreter: the file `npm run build` makes for a board
// with buttons, a status LED, console commands, two DS18B20 on one OneWire pin, one DS18B20 that is not
// there and a DHT22, booted from .bootcde against a broker. The Linux build has OneWire in its API but no
// bus and no pins to read: test/espruino/board-hardware.js models the sensors, the button, the LED, the
// Wifi module and the telnet library inside the interpreter, behind the API the firmware calls (so the
// firmware's drivers, CRC and decoding, its Espruino bindings and the device logic all run there; the
// electrical timing of a real OneWire bus or DHT22 does not). Needs ESPRUINO_BIN; skipped without it.
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../../sim/cli/build";
import { firmwareInfo } from "../../sim/build/firmware-info";
import { startAedes, type RunningBroker } from "../../sim/broker/embedded";
import { uploadScript, watchDevices, startUpload } from "../support/espruino-boot";
import { FaultProxy } from "../../sim/broker/fault-proxy";
import { DISCONNECT } from "../../firmware/mqtt/packet-types";

const BIN = process.env.ESPRUINO_BIN;
const HARDWARE = join(__dirname, "board-hardware.js");

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const BOARD = {
  id: "feat-esp",
  wifi: { ssid: "lab", password: "" },
  mqtt: { host: "127.0.0.1", port: 1883, keepAlive: 30 },
  relays: [{ name: "pump", pin: "D26", activeLow: true }, { name: "fan", pin: "D27" }],
  sensors: [
    { name: "tank", type: "ds18b20", pin: "D14", rom: "28ff4c1a0b160445", periodSec: 2 },
    { name: "pipe", type: "ds18b20", pin: "D14", rom: "28aa01b2c3d4e5d4", periodSec: 2 },
    { name: "cellar", type: "ds18b20", pin: "D13", periodSec: 2 },
    { name: "room_t", type: "dht22", pin: "D16", periodSec: 2 },
    { name: "room_rh", type: "dht22", pin: "D16", measure: "humidity", periodSec: 2 },
  ],
  buttons: [{ name: "b1", pin: "D0", relay: "pump", action: "toggle" }],
  statusLed: { pin: "D2" },
  discovery: { enabled: false },
};

describe("the board's features in the Espruino interpreter", () => {
  it.skipIf(!BIN)("sensors, button, LED, console status and restart in the built firmware (ESPRUINO_BIN)", async () => {
    const broker: RunningBroker = await startAedes();
    cleanups.push(() => broker.close());
    const proxy = await FaultProxy.start(broker.port);
    cleanups.push(() => proxy.close());
    const dir = mkdtempSync(join(tmpdir(), "relaymq-feat-"));
    writeFileSync(join(dir, "board.json"), JSON.stringify({ ...BOARD, mqtt: { ...BOARD.mqtt, port: proxy.port } }));
    const err: string[] = [];
    expect(await build(["--board", join(dir, "board.json"), "--out", join(dir, "firmware.js")], () => {}, (s) => err.push(s)), err.join("\n")).toBe(0);
    writeFileSync(join(dir, "upload.js"), uploadScript(readFileSync(HARDWARE, "latin1") + readFileSync(join(dir, "firmware.js"), "latin1")));

    const { peer, seen } = await watchDevices(broker.port, cleanups);

    const child = startUpload(BIN!, dir, cleanups);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString("latin1")));
    let exited = false;
    child.on("exit", () => (exited = true));
    const until = async (what: string, cond: () => boolean, ms = 20000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error("timed out waiting for " + what + "; seen " + JSON.stringify(seen.slice(-12)) + "\n" + out.slice(-1500));
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const state = (name: string) => seen.filter((m) => m.topic === `devices/feat-esp/sensor/${name}/state`).map((m) => m.payload);
    /** Evaluates JS at the interpreter's console; resolves with what it printed after the marker. */
    let asked = 0;
    const ask = async (expr: string): Promise<string> => {
      const tag = `ASK${++asked}`;
      child.stdin!.write(`console.log("${tag}", JSON.stringify(${expr}));\n`);
      const re = new RegExp(`${tag} (.*)\\r?\\n`);
      await until(expr, () => re.test(out), 5000);
      return re.exec(out)![1];
    };

    await until("online", () => seen.some((m) => m.topic === "devices/feat-esp/status" && m.payload === "online"));
    // The drivers' readings: CRC-checked scratchpads by ROM, a DHT22's pulse train decoded.
    await until("the sensors", () => state("tank").length > 0 && state("pipe").length > 0 && state("room_t").length > 0
      && state("room_rh").length > 0 && state("cellar").length > 0);
    expect([state("tank")[0], state("pipe")[0], state("room_t")[0], state("room_rh")[0]]).toEqual(["61.3", "-4.5", "22.3", "48.9"]);
    // Nothing on D13: unavailable and the reason, never a value.
    // (As its read fails, and again with every state when the connect's announcements end after that.)
    expect(new Set(state("cellar"))).toEqual(new Set(["unavailable"]));
    await until("the cellar's error", () => seen.some((m) => m.topic === "devices/feat-esp/error"));
    expect(JSON.parse(seen.find((m) => m.topic === "devices/feat-esp/error")!.payload)).toEqual({ sensor: "cellar", reason: "no answer" });
    expect(out).toContain("relaymq info ds18b20 D14: found 28ff4c1a0b160445 28aa01b2c3d4e5d4");
    expect(out).toContain("relaymq info ds18b20 D13: no device found");

    // The LED: steady on while connected; two short blinks a second while the broker does not answer.
    await new Promise((r) => setTimeout(r, 1200));
    expect(JSON.parse(await ask("HW.ledChanges(1)"))).toBe(0);
    expect(JSON.parse(await ask("HW.led[HW.led.length-1][1]"))).toBe(1);
    proxy.stall();
    proxy.closeAll();
    await new Promise((r) => setTimeout(r, 2500));
    const blinks = JSON.parse(await ask("HW.ledChanges(1)"));
    expect(blinks).toBeGreaterThanOrEqual(3);
    expect(blinks).toBeLessThanOrEqual(5);
    const onlines = seen.filter((m) => m.topic === "devices/feat-esp/status" && m.payload === "online").length;
    proxy.resume();
    await until("online again", () => seen.filter((m) => m.topic === "devices/feat-esp/status" && m.payload === "online").length > onlines);
    // Telnet: set off at boot, as board.json leaves it.
    expect(JSON.parse(await ask("HW.telnet"))).toBe("off");

    // A press of the button: the pump switches and its state is published.
    child.stdin!.write("HW.press();HW.release();\n");
    await until("pump ON", () => seen.some((m) => m.topic === "devices/feat-esp/relay/pump/state" && m.payload === "ON"));

    // cmd/status: one JSON document with every field.
    peer.publish("devices/feat-esp/cmd/status", "", { qos: 1 });
    await until("the status", () => seen.some((m) => m.topic === "devices/feat-esp/info"));
    const status = JSON.parse(seen.find((m) => m.topic === "devices/feat-esp/info")!.payload);
    expect(Object.keys(status)).toEqual([
      "uptime", "free", "rssi", "ip", "relays", "sensors", "mqtt", "version", "linkError", "telemetrySec", "lastError",
    ]);
    expect(status, JSON.stringify(status)).toMatchObject({
      rssi: -58, ip: "10.0.0.7", relays: { pump: "ON", fan: "OFF" },
      sensors: { tank: 61.3, pipe: -4.5, cellar: null, room_t: 22.3, room_rh: 48.9 }, version: firmwareInfo().version,
      lastError: { sensor: "cellar", reason: "no answer" },
    });
    expect(status.free).toBeGreaterThan(1000);
    const mem = JSON.parse(await ask("process.memory()"));
    console.log(`[espruino] board features running: ${mem.usage} of ${mem.total} JsVars in use`);

    // cmd/restart: offline (retained), DISCONNECT, then E.reboot() (the Linux build prints
    // "Not implemented" and exits there).
    peer.publish("devices/feat-esp/cmd/restart", "", { qos: 1 });
    await until("offline", () => seen.some((m) => m.topic === "devices/feat-esp/status" && m.payload === "offline"));
    await until("DISCONNECT", () => proxy.count("c2b", DISCONNECT) === 1);
    await until("E.reboot()", () => out.includes("Not implemented") && exited);
  }, 60000);
});
