// The board's own features (buttons, status LED, console commands, temperature sensors) end to end in
// the simulator: one board.json with all of them, run from the sources or as the built bundle in the
// Espruino shim against the embedded aedes, with an MQTT.js peer and every event the board reported.
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames, type TopicNames } from "../../firmware/device/topics";
import { afterEach } from "vitest";
import { parseBoard } from "../../sim/board/load";
import { bundleBoard } from "../../sim/build/bundle";
import { BROKERS } from "../support/brokers";
import { startSimUnderTest, type SimUnderTest } from "./sim-harness";

/** Every board feature of issue 14 on one board. */
export const FEATURES_BOARD = {
  id: "feat-01",
  wifi: { ssid: "lab", password: "$WIFI_PASSWORD" },
  mqtt: { host: "192.168.1.10", port: 1883, keepAlive: 10 },
  telemetry: { periodSec: 60 },
  relays: [
    { name: "pump", pin: "D26", activeLow: true, failsafe: { state: "off", afterSec: 120 } },
    { name: "valve1", pin: "D27", interlock: "valves" },
    { name: "valve2", pin: "D25", interlock: "valves" },
  ],
  sensors: [
    { name: "tank", type: "ds18b20", pin: "D14", rom: "28ff4c1a0b160445", periodSec: 1 },
    { name: "pipe", type: "ds18b20", pin: "D14", rom: "28aa01b2c3d4e5d4", periodSec: 1 },
    { name: "room_t", type: "dht22", pin: "D16", periodSec: 2 },
    { name: "room_rh", type: "dht22", pin: "D16", measure: "humidity", periodSec: 2 },
  ] as unknown[],
  buttons: [
    { name: "b1", pin: "D0", relay: "pump", action: "toggle" },
    { name: "b2", pin: "D4", relay: "valve2", action: "momentary" },
    { name: "reset", pin: "D15", action: "none", holdAction: "restart", holdMs: 1000 },
  ],
  statusLed: { pin: "D2" },
  discovery: { enabled: false },
};

export function featuresConfig(over: Record<string, unknown> = {}): DeviceConfig {
  return parseBoard(JSON.stringify({ ...FEATURES_BOARD, ...over }), { WIFI_PASSWORD: "w" }, "features-board.json").config;
}

const bundles = new Map<string, Promise<string>>();
/** The board built as `npm run build` builds it (once per config in a file). */
export function featuresBundle(config: DeviceConfig): Promise<string> {
  const key = JSON.stringify(config);
  let b = bundles.get(key);
  if (!b) {
    b = bundleBoard(config);
    bundles.set(key, b);
  }
  return b;
}

export type FeatureSim = SimUnderTest & { topics: TopicNames };

/** startFeatures(mode, config) -> a connected board (SUBACK seen) on the embedded aedes, a peer, and the events so far. */
export async function startFeatures(mode: "source" | "bundle", config: DeviceConfig = featuresConfig()): Promise<FeatureSim> {
  const t = await startSimUnderTest(BROKERS[0], mode, { config, bundle: () => featuresBundle(config) });
  return Object.assign(t, { topics: topicNames(config) });
}

/** startedEach() -> start(mode, config?): startFeatures, with the simulator closed after each test. Call in a describe. */
export function startedEach(): (mode: "source" | "bundle", config?: DeviceConfig) => Promise<FeatureSim> {
  let t: FeatureSim | null = null;
  afterEach(async () => {
    if (t) await t.close();
    t = null;
  });
  return async (mode, config) => (t = await startFeatures(mode, config));
}
