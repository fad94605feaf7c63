// The firmware's entry on the board: binds the seams to Espruino, applies the relays' power-on states at
// once, then keeps WiFi and the broker connection up forever. __BOARD__ is the validated board.json,
// embedded by `npm run build`, as are the firmware's version and support URL (from package.json).
import type { DeviceConfig } from "../device/config";
import { Device, DeviceIO } from "../device/device";
import { Relays } from "../device/relays";
import { setNatives } from "../mqtt/bytes";
import { espruinoNatives } from "./natives";
import { EspruinoNetTransport } from "./net-transport";
import { espruinoClock } from "./clock";
import { EspruinoPins } from "./pins";
import { EspruinoTimers } from "./timers";
import { EspruinoStorage } from "./storage";
import { espruinoSystem } from "./system";
import { WifiManager } from "./wifi";
import { EspruinoBuses } from "./buses";
import { consoleLog } from "./log";
import { releaseBootCode } from "./boot-code";

declare const __BOARD__: DeviceConfig;
declare const __RELAYMQ_VERSION__: string;
declare const __RELAYMQ_SUPPORT_URL__: string;

/** How often the device's timers (keep alive, fail-safe, sampling, telemetry) are driven. */
const TICK_MS = 100;
/** After a failed start, how long until the next try (memory may have been short). */
const RETRY_MS = 30000;

// Native copies and bytes-to-string: a JS byte loop costs ~47,000 instructions a byte on the board.
setNatives(espruinoNatives);

const config = __BOARD__;
const timers = new EspruinoTimers();
const pins = new EspruinoPins();
// The OneWire and DHT22 buses only for a board that has such sensors.
let buses: EspruinoBuses | null = null;
if (typeof __HAS_BUS_SENSORS__ === "undefined" || __HAS_BUS_SENSORS__) {
  for (let i = 0; i < config.sensors.length; i++) {
    const t = config.sensors[i].type;
    if (t === "ds18b20" || t === "dht22") buses = new EspruinoBuses(pins);
  }
}
const transport = new EspruinoNetTransport(config.mqtt.host, config.mqtt.port, config.mqtt.tls);
// "relaymq warn mqtt CONNECT_FAILED (-52) 192.168.1.10:1883: Unable to locate host"
const log = consoleLog(function (): string {
  return transport.describe();
});
const io: DeviceIO = {
  transport: transport,
  clock: espruinoClock,
  pins: pins,
  timers: timers,
  storage: new EspruinoStorage(),
  system: espruinoSystem,
  log: log,
  firmware: { version: __RELAYMQ_VERSION__, supportUrl: __RELAYMQ_SUPPORT_URL__ },
  buses: buses,
};
/** The relays alone, driven while the device cannot start: power-on state, then fail-safe. */
let bare: Relays | null = null;
let bareTimer = -1;

// Nothing may keep the relays from their power-on state: `npm run build` refuses a board the device
// cannot start with, but a board with less memory than the build assumed can still fail here. Then the
// relays are driven on their own (power-on state, fail-safe as in any outage) and the start is retried.
function boot(): void {
  let device: Device;
  try {
    device = new Device(config, io);
  } catch (e) {
    log.log(0, 0, "start failed: " + (e as Error).message + "; relays at power-on state, retrying in " + RETRY_MS / 1000 + " s");
    if (bare === null) {
      const relays = new Relays(config.relays, io.pins, timers, io.storage, io.clock, { relayChanged: function (): void {} });
      bare = relays;
      relays.outageBegan();
      relays.start();
      bareTimer = timers.every(1000, function (): void {
        relays.failsafe();
      });
    }
    timers.after(RETRY_MS, boot);
    return;
  }
  if (bare !== null) {
    // Its pulses must not switch relays the device now owns.
    bare.stop();
    timers.cancel(bareTimer);
    bare = null;
  }
  run(device);
  // Started: boot() is never called again, nor anything only it could reach.
  releaseBootCode();
}

// The ESP32 release serves the interpreter's console on telnet port 23 whenever WiFi is up, without a
// password: anyone on the network could read the firmware (and its passwords) or replace it. Off unless
// board.json asks for it (console.telnet: network re-flashing).
function telnet(): void {
  const on = config.console !== undefined && config.console.telnet;
  try {
    require("TelnetServer").setOptions({ mode: on ? "on" : "off" });
  } catch (e) {
    if (on) log.log(1, 0, "this Espruino build has no telnet console");
  }
}

function run(device: Device): void {
  const wifi = new WifiManager(require("Wifi"), timers, config.wifi.ssid, config.wifi.password, {
    onUp: function (): void {
      device.networkUp();
    },
    // The MQTT client notices the dead link by itself (keep alive) and keeps retrying; only the status
    // LED shows the network itself.
    onDown: function (): void {
      if (typeof __HAS_STATUS_LED__ === "undefined" || __HAS_STATUS_LED__) device.networkDown();
    },
  }, { minMs: 1000, maxMs: 60000, attemptMs: 30000 });

  // Relays go to their power-on state and the fail-safe clock starts now, before any network exists;
  // the broker is first tried once WiFi has joined.
  device.start(true);
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
}

telnet();
boot();
