// require("Wifi") as the ESP32 build has it (libs/network/esp32/jswrap_esp32_network.c), over a
// simulated access point the simulator can take away (wifiDown) and bring back (wifiUp):
// - connect(ssid, options, cb): after a delay, with the AP there: cb(null), then "connected" with
//   {ip, netmask, gw}; without it: "disconnected" with {ssid, mac, reason, msg}, then cb(msg).
// - losing the AP while connected: "disconnected" only (the firmware's WifiManager relies on this).
// - the driver does not rejoin by itself; the firmware retries.
// - getIP() gives {ip, netmask, gw, mac}; getStatus() gives the AP's rssi while joined (as jswrap_wifi_getStatus).
// Every callback and event runs later, as a queued event of the board, never inside the call.
import type { EventLoop } from "./loop";
import type { Realm } from "./realm";
import { SIM_RSSI } from "../platform/node-system";

const MAC = "24:0a:c4:00:00:01";
const IP = { ip: "127.0.0.1", netmask: "255.0.0.0", gw: "127.0.0.1" };

/** ESP32 disconnect reasons (wifi_err_reason_t) for the two ways the simulated AP is lost. */
const BEACON_TIMEOUT = { reason: "200", msg: "BEACON_TIMEOUT" };
const NO_AP_FOUND = { reason: "201", msg: "NO_AP_FOUND" };
const ASSOC_LEAVE = { reason: "8", msg: "ASSOC_LEAVE" };

export class WifiRadio {
  private apPresent = true;
  private station = false;
  private ssid = "";
  private readonly handlers = new Map<string, unknown[]>();
  private face: object | null = null;

  /** new WifiRadio(realm, loop, delayMs, joined): delayMs is how long joining the AP takes; joined: already in. */
  constructor(private readonly realm: Realm, private readonly loop: EventLoop, private readonly delayMs: number, joined: boolean) {
    this.station = joined;
  }

  /** connected -> whether the station holds an address. */
  get connected(): boolean {
    return this.station;
  }

  /** module() -> the require("Wifi") object; the same one every time. */
  module(): object {
    if (this.face) return this.face;
    const self = this;
    this.face = this.realm.obj({
      connect(ssid: unknown, options: unknown, cb?: unknown): void {
        // connect(ssid, cb) is accepted too.
        self.connect(String(ssid), typeof options === "function" ? options : cb);
      },
      disconnect(cb?: unknown): void {
        self.disconnect(cb);
      },
      getIP(cb?: unknown): object {
        const info = self.realm.obj({ ...(self.station ? IP : { ip: "0.0.0.0", netmask: "0.0.0.0", gw: "0.0.0.0" }), mac: MAC });
        if (typeof cb === "function") self.loop.later(0, () => self.loop.call(cb, undefined, [null, info]));
        return info;
      },
      // The station's state, and the access point's signal while joined.
      getStatus(cb?: unknown): object {
        const joined = self.station
          ? { station: "connected", ssid: self.ssid, rssi: SIM_RSSI }
          : { station: self.apPresent ? "off" : NO_AP_FOUND.msg };
        const info = self.realm.obj({ ...joined, mode: "sta" });
        if (typeof cb === "function") self.loop.later(0, () => self.loop.call(cb, undefined, [info]));
        return info;
      },
      on(event: unknown, fn: unknown): void {
        const name = String(event);
        if (typeof fn !== "function") return;
        const list = self.handlers.get(name) ?? [];
        list.push(fn);
        self.handlers.set(name, list);
      },
    });
    return this.face;
  }

  /** down(): the AP disappears; a connected station reports "disconnected". */
  down(): void {
    this.apPresent = false;
    if (!this.station) return;
    this.station = false;
    this.loop.later(0, () => this.emit("disconnected", this.details(BEACON_TIMEOUT)));
  }

  /** up(): the AP is back; the station joins only when the firmware asks. */
  up(): void {
    this.apPresent = true;
  }

  private connect(ssid: string, cb: unknown): void {
    this.ssid = ssid;
    this.loop.later(this.delayMs, () => {
      if (this.apPresent) {
        this.station = true;
        this.loop.call(cb, undefined, [null]);
        this.emit("connected", this.realm.obj({ ...IP }));
      } else {
        this.station = false;
        this.emit("disconnected", this.details(NO_AP_FOUND));
        this.loop.call(cb, undefined, [NO_AP_FOUND.msg]);
      }
    });
  }

  private disconnect(cb: unknown): void {
    const was = this.station;
    this.station = false;
    this.loop.later(0, () => {
      if (was) this.emit("disconnected", this.details(ASSOC_LEAVE));
      this.loop.call(cb, undefined, []);
    });
  }

  private details(why: { reason: string; msg: string }): object {
    return this.realm.obj({ ssid: this.ssid, mac: MAC, ...why });
  }

  private emit(event: string, details: object): void {
    for (const fn of (this.handlers.get(event) ?? []).slice()) this.loop.call(fn, this.face, [details]);
  }
}
