// The System seam on Espruino: free memory in JsVars (process.memory() also runs a garbage collection
// first, so cycles that reference counting cannot free are not reported as used), and the station's
// MAC, address and signal from the Wifi module (libs/network/esp32/jswrap_esp32_network.c: getIP gives
// {ip, mac}, getStatus gives rssi while connected). Each call makes a small object the interpreter frees
// at once; they run at start-up and once a telemetry period. A build without Wifi (the Linux one) gives
// the "unknown" answers.
import type { System } from "../platform";

let wifi: EspruinoWifiModule | null | undefined;

function station(): EspruinoWifiModule | null {
  if (wifi === undefined) {
    try {
      wifi = require("Wifi");
    } catch (e) {
      wifi = null;
    }
  }
  return wifi;
}

function ipInfo(): { ip?: string; mac?: string } | null {
  const w = station();
  if (w === null || typeof w.getIP !== "function") return null;
  try {
    return w.getIP();
  } catch (e) {
    return null;
  }
}

export const espruinoSystem: System = {
  freeMemory: function (): number {
    return process.memory().free;
  },
  mac: function (): string {
    const i = ipInfo();
    return i !== null && typeof i.mac === "string" ? i.mac.toLowerCase() : "";
  },
  rssi: function (): number {
    const w = station();
    if (w === null || typeof w.getStatus !== "function") return NaN;
    try {
      const s = w.getStatus();
      return typeof s.rssi === "number" ? s.rssi : NaN;
    } catch (e) {
      return NaN;
    }
  },
  ip: function (): string {
    const i = ipInfo();
    return i !== null && typeof i.ip === "string" ? i.ip : "";
  },
};
