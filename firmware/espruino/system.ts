// The System seam on Espruino: free memory in JsVars (process.memory() also runs a garbage collection
// first, so cycles that reference counting cannot free are not reported as used), and the station's
// MAC, address and signal from the Wifi module (libs/network/esp32/jswrap_esp32_network.c: getIP gives
// {ip, mac}, getStatus gives rssi while connected). Each call makes a small object the interpreter frees
// at once; they run at start-up and once a telemetry period. A build without Wifi (the Linux one) gives
// the "unknown" answers.
import type { System } from "../platform";

// The Wifi module and the call that asks it are the object's own, not names of the bundle's scope (each
// of those costs the interpreter a step at every lookup that passes it).
interface EspruinoSystem extends System {
  /** require("Wifi"), once asked; null where there is none. */
  wifi: EspruinoWifiModule | null | undefined;
  /** ask(what) -> the answer of Wifi.getIP() or Wifi.getStatus(), or null where there is none. */
  ask(what: "getIP" | "getStatus"): { ip?: string; mac?: string; rssi?: number } | null;
}

export const espruinoSystem: EspruinoSystem = {
  wifi: undefined,
  ask: function (what: "getIP" | "getStatus"): { ip?: string; mac?: string; rssi?: number } | null {
    if (this.wifi === undefined) {
      try {
        this.wifi = require("Wifi");
      } catch (e) {
        this.wifi = null;
      }
    }
    const w = this.wifi;
    if (w === null) return null;
    try {
      if (what === "getIP") return typeof w.getIP === "function" ? w.getIP() : null;
      return typeof w.getStatus === "function" ? w.getStatus() : null;
    } catch (e) {
      return null;
    }
  },
  freeMemory: function (): number {
    return process.memory().free;
  },
  mac: function (): string {
    const i = this.ask("getIP");
    return i !== null && typeof i.mac === "string" ? i.mac.toLowerCase() : "";
  },
  rssi: function (): number {
    const s = this.ask("getStatus");
    return s !== null && typeof s.rssi === "number" ? s.rssi : NaN;
  },
  ip: function (): string {
    const i = this.ask("getIP");
    return i !== null && typeof i.ip === "string" ? i.ip : "";
  },
  // A hard reboot (E.on("kill") handlers first): the firmware starts again from .bootcde.
  reboot: function (): void {
    E.reboot();
  },
};
