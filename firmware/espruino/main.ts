// The firmware's entry on the board: binds the seams to Espruino, applies the relays' power-on states at
// once, then keeps WiFi and the broker connection up forever. __BOARD__ is the validated board.json,
// embedded by `npm run build`.
import type { DeviceConfig } from "../device/config";
import { Device } from "../device/device";
import { setNatives } from "../mqtt/bytes";
import { espruinoNatives } from "./natives";
import { EspruinoNetTransport } from "./net-transport";
import { espruinoClock } from "./clock";
import { EspruinoPins } from "./pins";
import { EspruinoTimers } from "./timers";
import { EspruinoStorage } from "./storage";
import { espruinoSystem } from "./system";
import { WifiManager } from "./wifi";
import { consoleLog } from "./log";

declare const __BOARD__: DeviceConfig;

/** How often the device's timers (keep alive, fail-safe, sampling, telemetry) are driven. */
const TICK_MS = 100;

// Native copies and bytes-to-string: a JS byte loop costs ~47,000 instructions a byte on the board.
setNatives(espruinoNatives);

const config = __BOARD__;
const timers = new EspruinoTimers();
const transport = new EspruinoNetTransport(config.mqtt.host, config.mqtt.port, config.mqtt.tls);
const device = new Device(config, {
  transport: transport,
  clock: espruinoClock,
  pins: new EspruinoPins(),
  timers: timers,
  storage: new EspruinoStorage(),
  system: espruinoSystem,
  // "relaymq warn mqtt CONNECT_FAILED (-52) 192.168.1.10:1883: Unable to locate host"
  log: consoleLog(function (): string {
    return transport.describe();
  }),
});
const wifi = new WifiManager(require("Wifi"), timers, config.wifi.ssid, config.wifi.password, {
  onUp: function (): void {
    device.networkUp();
  },
  // The MQTT client notices the dead link by itself (keep alive) and keeps retrying.
  onDown: function (): void {},
}, { minMs: 1000, maxMs: 60000, attemptMs: 30000 });

// Relays go to their power-on state and the fail-safe clock starts now, before any network exists.
device.start();
timers.every(TICK_MS, function (): void {
  device.tick();
});
wifi.start();
// A clean stop, callable at the console (and by the simulator's Ctrl-C): "offline" retained, then
// DISCONNECT, so the broker publishes no will. reset() and load() cannot do it themselves: they drop the
// sockets right after E.on("kill") handlers run, and what a handler writes never leaves (measured on the
// interpreter), so call relaymqStop() first when a restart should not look like a failure. It returns
// whether a session was up, so a caller (npm run flash --stop-first) knows a DISCONNECT is on its way.
global.relaymqStop = function (): boolean {
  const was = device.isConnected();
  device.stop();
  return was;
};
