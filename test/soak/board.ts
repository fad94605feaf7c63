// The soak's board: three plain relays (no pulse, interlock or fail-safe, so every switch comes from a
// command), a door input, telemetry each second, Home Assistant discovery, and a session the broker
// keeps (cleanSession false): a QoS 1 command the broker accepted while the board was away is the
// broker's to deliver when it is back. Keep alive 2 s, so a stalled link is noticed within seconds.
import type { DeviceConfig } from "../../firmware/device/config";
import { TOPIC_DEFAULTS } from "../../sim/board/load";
import { relay, sensor } from "../device/harness";

export const SOAK_ID = "soak-01";

/** soakBoard() -> the config both modes run (the bundle is built from it). */
export function soakBoard(): DeviceConfig {
  const prefix = "devices/" + SOAK_ID;
  return {
    id: SOAK_ID,
    wifi: { ssid: "soak", password: "" },
    mqtt: { host: "127.0.0.1", port: 1883, tls: false, clientId: SOAK_ID, username: null, password: null, keepAlive: 2, cleanSession: false },
    topics: { ...TOPIC_DEFAULTS, prefix },
    telemetry: { periodSec: 1 },
    relays: [relay("pump", "D26", { activeLow: true }), relay("fan", "D27"), relay("lamp", "D33", { activeLow: true })],
    sensors: [sensor("door", "digital", "D4", { pull: "up", invert: true, debounceMs: 20 })],
    discovery: { enabled: true, prefix: "homeassistant", mode: "device" },
    commands: { acceptRetained: false, maxPayload: 16 },
  };
}
