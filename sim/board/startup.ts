// What the firmware needs to start, found at build time rather than on the board: MQTT's string limits,
// a CONNECT the board can afford to hold, and a dry start of the device itself on inert seams. Anything
// that would throw in `new Device` on the board is an error here, with the path named where there is one.
import type { DeviceConfig } from "../../firmware/device/config";
import { Device } from "../../firmware/device/device";
import { topicNames } from "../../firmware/device/topics";
import { STATUS_OFFLINE } from "../../firmware/device/ha-constants";

/** MQTT strings carry a 2-byte length [MQTT-1.5.3]. */
const MQTT_STRING_MAX = 65535;
/**
 * The largest CONNECT the firmware accepts. It stays in RAM for the whole session (the TX buffer is sized
 * to it, and the credentials are kept as bytes), so 4 KB costs about 700 of the ESP32's 16,383 JsVars;
 * a password or token beyond that is more likely a mistake than a credential.
 */
export const MAX_CONNECT_BYTES = 4096;

export interface StartupProblem {
  path: string;
  message: string;
}

const bytes = (s: string | null): number => (s === null ? 0 : Buffer.byteLength(s, "utf8"));

/** startupProblems(c, clientIdPath) -> what keeps the firmware from starting with c; [] when nothing does. */
export function startupProblems(c: DeviceConfig, clientIdPath: string): StartupProblem[] {
  const m = c.mqtt;
  const fields: [string, number][] = [
    [clientIdPath, bytes(m.clientId)], ["mqtt.username", bytes(m.username)], ["mqtt.password", bytes(m.password)],
  ];
  const out: StartupProblem[] = [];
  for (const [path, n] of fields) {
    if (n > MQTT_STRING_MAX) out.push({ path, message: `is ${n} bytes; an MQTT string is at most ${MQTT_STRING_MAX} bytes [MQTT-1.5.3]` });
  }
  if (out.length > 0) return out;
  const status = topicNames(c).status;
  // Fixed header (at most 4 bytes of remaining length), "MQTT", level, flags, keep alive, then each field
  // with its 2-byte length; the will is the status topic with "offline".
  let size = 5 + 10 + 2 + bytes(m.clientId) + 4 + bytes(status) + STATUS_OFFLINE.length;
  if (m.username !== null) size += 2 + bytes(m.username);
  if (m.password !== null) size += 2 + bytes(m.password);
  if (size > MAX_CONNECT_BYTES) {
    const [path, n] = fields.reduce((a, b) => (b[1] > a[1] ? b : a));
    out.push({
      path,
      message: `is ${n} bytes, which makes the CONNECT about ${size} bytes; the firmware holds it in RAM and allows at most ${MAX_CONNECT_BYTES}`,
    });
    return out;
  }
  const why = dryStart(c);
  if (why !== null) out.push({ path: "(board)", message: `the firmware cannot start with this board: ${why}` });
  return out;
}

// Builds the device on seams that do nothing, as the board does at boot; -> the error it throws, or null.
function dryStart(c: DeviceConfig): string | null {
  try {
    new Device(c, {
      transport: { open() {}, write: () => false, writeAck: () => false, close() {} },
      clock: { now: () => 0 },
      pins: { mode() {}, write() {}, read: () => false, analog: () => 0, watch: () => 0, unwatch() {} },
      timers: { every: () => 0, after: () => 0, cancel() {} },
      storage: { read: () => null, write: () => false },
      system: { freeMemory: () => 0, mac: () => "", rssi: () => NaN, ip: () => "" },
      buses: {
        oneWire: () => ({ reset: () => false, select() {}, skip() {}, write() {}, read: () => 0xff, search: () => [] }),
        pulses: () => ({ read() {} }),
      },
    });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
