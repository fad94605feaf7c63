// Home Assistant discovery from the exact file `npm run build` makes, inside the real Espruino interpreter
// (8-bit strings, its own JSON.stringify and regex engine): units such as "m³", "ft³" and "μs" reach the
// broker as their exact UTF-8 bytes, the device config holds against HA's rules, the MAC and firmware
// version are in it, Home Assistant's birth message brings every state back, and an empty payload on a
// set topic is answered with the state. Needs ESPRUINO_BIN (an Espruino Linux build); else it skips.
import { describe, it, expect, afterEach } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { build } from "../../sim/cli/build";
import { startAedes, type RunningBroker } from "../../sim/broker/embedded";
import { firmwareInfo } from "../../sim/build/firmware-info";
import { WIFI_STUB, uploadScript } from "../support/espruino-boot";
import { checkDiscovery } from "../support/ha-validate";

const BIN = process.env.ESPRUINO_BIN;

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

// The Linux build has pins D0-D32 and no ADC: relays and counters only, each with a device class.
const BOARD = {
  id: "esp32-ha",
  wifi: { ssid: "lab", password: "$TEST_WIFI_PASSWORD" },
  mqtt: { host: "127.0.0.1", port: 0, keepAlive: 30 },
  telemetry: { periodSec: 30 },
  relays: [
    { name: "heater", pin: "D26", deviceClass: "outlet" },
    { name: "gate", pin: "D27", pulseMs: 300, deviceClass: "identify" },
  ],
  sensors: [
    { name: "door", type: "digital", pin: "D4", deviceClass: "door" },
    { name: "water", type: "counter", pin: "D13", scale: 0.001, unit: "m³", deviceClass: "water" },
    { name: "gas", type: "counter", pin: "D14", scale: 0.01, unit: "ft³", deviceClass: "gas" },
    { name: "lag", type: "counter", pin: "D15", unit: "μs" },
  ],
};

describe("Home Assistant discovery from the built firmware in the Espruino interpreter", () => {
  it.skipIf(!BIN)("exact UTF-8 units, a config HA accepts, the birth message, an empty-payload query (ESPRUINO_BIN)", async () => {
    const broker: RunningBroker = await startAedes();
    cleanups.push(() => broker.close());
    const dir = mkdtempSync(join(tmpdir(), "relaymq-ha-fw-"));
    writeFileSync(join(dir, "board.json"), JSON.stringify({ ...BOARD, mqtt: { ...BOARD.mqtt, port: broker.port } }));
    process.env.TEST_WIFI_PASSWORD = "correct-horse";
    cleanups.push(() => delete process.env.TEST_WIFI_PASSWORD);
    const err: string[] = [];
    expect(await build(["--board", join(dir, "board.json"), "--out", join(dir, "firmware.js")], () => {}, (s) => err.push(s)), err.join("\n")).toBe(0);
    writeFileSync(join(dir, "upload.js"), uploadScript(WIFI_STUB + readFileSync(join(dir, "firmware.js"), "latin1")));

    const ha = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, clientId: "home-assistant" });
    cleanups.push(() => ha.end(true));
    const seen: { topic: string; bytes: Buffer; retain: boolean; at: number }[] = [];
    ha.on("message", (topic, payload, packet) => seen.push({ topic, bytes: Buffer.from(payload), retain: packet.retain, at: Date.now() }));
    await new Promise<void>((r) => ha.on("connect", () => ha.subscribe(["homeassistant/#", "devices/#"], { qos: 0 }, () => r())));

    const child: ChildProcess = spawn(BIN!, [join(dir, "upload.js")], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString("latin1")));
    const until = async (what: string, cond: () => boolean, ms = 20000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; seen ${seen.map((m) => m.topic).join(", ")}\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const deviceTopic = "homeassistant/device/esp32-ha/config";
    await until("the device config", () => seen.some((m) => m.topic === deviceTopic));
    const config = seen.find((m) => m.topic === deviceTopic)!;
    // The units' UTF-8 bytes as they are, not JSON escapes and not Latin-1.
    for (const unit of ["m³", "ft³", "μs"]) expect(config.bytes.includes(Buffer.from(`"unit_of_meas":"${unit}"`, "utf8")), unit).toBe(true);
    expect(config.bytes.toString("latin1")).not.toMatch(/\\u00/);
    const checked = checkDiscovery("homeassistant", deviceTopic, config.bytes);
    expect(checked.problems).toEqual([]);
    const byKey = new Map(checked.entities.map((e) => [e.discoveryId.split(" ")[1], e]));
    expect(byKey.get("water")!.config).toMatchObject({ device_class: "water", unit_of_measurement: "m³", state_class: "total_increasing", suggested_display_precision: 3 });
    expect(byKey.get("gate")!.platform).toBe("button");
    expect(byKey.get("heater")!.config.device).toMatchObject({
      identifiers: ["relaymq:esp32-ha"], connections: [["mac", "24:0a:c4:aa:bb:cc"]], sw_version: firmwareInfo().version,
    });

    // Home Assistant restarts: every sensor state and the diagnostics come again.
    await until("the first burst done", () => seen.some((m) => m.topic === "devices/esp32-ha/sensor/lag/state"));
    const birthAt = Date.now();
    ha.publish("homeassistant/status", "online", { qos: 0 });
    const fresh = () => seen.filter((m) => m.at >= birthAt);
    await until("states after the birth", () => ["door", "water", "gas", "lag"].every((n) => fresh().some((m) => m.topic === `devices/esp32-ha/sensor/${n}/state`)) &&
      fresh().some((m) => m.topic === deviceTopic) && fresh().some((m) => m.topic === "devices/esp32-ha/telemetry"));
    // The config came again from Storage (ha_configs), where it waits between announces: the same bytes.
    expect(fresh().find((m) => m.topic === deviceTopic)!.bytes.equals(config.bytes)).toBe(true);
    const telemetry = JSON.parse(fresh().find((m) => m.topic === "devices/esp32-ha/telemetry")!.bytes.toString("utf8"));
    expect(telemetry).toMatchObject({ rssi: -67, ip: "192.168.1.50" });

    // An empty payload asks for the state: answered, no error.
    const before = seen.length;
    ha.publish("devices/esp32-ha/relay/heater/set", "", { qos: 1 });
    await until("the heater's state", () => seen.slice(before).some((m) => m.topic === "devices/esp32-ha/relay/heater/state"));
    expect(seen.slice(before).filter((m) => m.topic === "devices/esp32-ha/error")).toEqual([]);
    expect(out).not.toMatch(/Uncaught|ERROR/);
  }, 60000);

  if (!BIN) {
    it("reports that the interpreter run was skipped", () => {
      console.warn("SKIPPED: Home Assistant discovery in Espruino; set ESPRUINO_BIN to an Espruino Linux build to run it");
      expect(BIN).toBeUndefined();
    });
  }
});
