// The Espruino globals the firmware may use (docs/espruino.md), declared by hand because no
// maintained typings exist. Only tsconfig.firmware.json sees this file: several names (process,
// require, timers, console) clash with @types/node. Keep it to what the firmware really calls, so
// anything else fails the type check instead of on the board.

/** A GPIO pin object; the globals D0..D39 are the ESP32's pins. */
interface Pin {
  readonly __espruinoPin: never;
}
declare var Pin: {
  new (value: number | string): Pin;
  (value: number | string): Pin;
};
declare const D0: Pin, D1: Pin, D2: Pin, D3: Pin, D4: Pin, D5: Pin, D6: Pin, D7: Pin, D8: Pin,
  D9: Pin, D10: Pin, D11: Pin, D12: Pin, D13: Pin, D14: Pin, D15: Pin, D16: Pin, D17: Pin,
  D18: Pin, D19: Pin, D20: Pin, D21: Pin, D22: Pin, D23: Pin, D24: Pin, D25: Pin, D26: Pin,
  D27: Pin, D28: Pin, D29: Pin, D30: Pin, D31: Pin, D32: Pin, D33: Pin, D34: Pin, D35: Pin,
  D36: Pin, D37: Pin, D38: Pin, D39: Pin;

type PinMode = "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain";
declare function pinMode(pin: Pin, mode: PinMode): void;
declare function digitalWrite(pin: Pin, value: boolean | number): void;
/** 0 or 1. */
declare function digitalRead(pin: Pin): number;
/** 0..1. On ESP32 only ADC1 pins (32-39) can be read while WiFi is on. */
declare function analogRead(pin: Pin): number;

interface WatchOptions {
  repeat?: boolean;
  edge?: "rising" | "falling" | "both";
  debounce?: number;
}
interface WatchEvent {
  state: boolean;
  /** Seconds, as getTime(). */
  time: number;
  lastTime: number;
}
declare function setWatch(fn: (e: WatchEvent) => void, pin: Pin, options?: WatchOptions): number;
declare function clearWatch(id: number): void;

/** The interpreter's software OneWire master on one pin (src/jswrap_onewire.c). */
interface EspruinoOneWireObject {
  /** A reset cycle -> whether a device answered (held the bus low). */
  reset(): boolean;
  /** A reset, then Match ROM; throws a TypeError for a ROM that is not 16 characters. */
  select(rom: string): void;
  skip(): void;
  /** power: keep the line driven high afterwards (parasite power). */
  write(data: number, power: boolean): void;
  /** One byte (no argument). */
  read(): number;
  /** The ROMs found, as 16-character hex strings. */
  search(): string[];
}
declare var OneWire: { new (pin: Pin): EspruinoOneWireObject };

/** Seconds since boot, fractional. */
declare function getTime(): number;
// Timer ids are numbers on Espruino (Node returns objects: do not store them across the seam).
declare function setInterval(fn: () => void, ms: number): number;
declare function setTimeout(fn: () => void, ms: number): number;
/** Extra arguments are passed to fn when it runs. */
declare function setTimeout<A>(fn: (a: A) => void, ms: number, a: A): number;
declare function clearInterval(id: number): void;
declare function clearTimeout(id: number): void;
declare function changeInterval(id: number, ms: number): void;

declare var console: { log(...args: unknown[]): void };

/** The interpreter's root scope: a property set here is a global name at the console. */
declare var global: { [name: string]: unknown };

interface EspruinoMemory {
  free: number;
  usage: number;
  total: number;
  blocksize: number;
}
declare var process: { memory(): EspruinoMemory };

declare var E: {
  /** Bytes 0-255 to an 8-bit string; undefined when no flat block is free. */
  toString(data: Uint8Array): string | undefined;
  toUint8Array(data: string): Uint8Array;
  /** An ArrayBuffer over the string's own bytes: a reference, nothing copied. Read it only. */
  toArrayBuffer(data: string): ArrayBuffer;
  /** Size in JsVars. */
  getSizeOf(value: unknown): number;
  on(event: "init", fn: () => void): void;
  /** A hard reboot of the chip, as the reset pin would; never returns on the board. */
  reboot(): void;
};

interface EspruinoSocket {
  on(event: "connect" | "close" | "end", fn: () => void): void;
  /** Data arrives as a binary-safe string, in chunks of at most 536 bytes. */
  on(event: "data", fn: (data: string) => void): void;
  on(event: "error", fn: (err: unknown) => void): void;
  /** Sends String(data): binary must be passed as E.toString(bytes). Throws once the socket is closed or ending. */
  write(data: string): void;
  /** Closes for good once queued data is out (close(2), not a half-close); "end" and "close" follow. */
  end(): void;
}
interface EspruinoConnectOptions {
  host: string;
  port: number;
}
interface EspruinoNet {
  /** Can throw synchronously when the address is refused or unreachable. */
  connect(options: EspruinoConnectOptions, onConnect?: () => void): EspruinoSocket;
}
interface EspruinoWifiModule {
  /**
   * fn(err) once: null when an address was obtained, else the reason. On ESP32 a failed attempt also
   * emits "disconnected". Can throw when the radio cannot start.
   */
  connect(ssid: string, options: { password?: string }, fn: (err: string | null) => void): void;
  disconnect(fn?: () => void): void;
  /** The station: {station: "connected", ssid, rssi, ...} on ESP32 (a new object each call). */
  getStatus(): { station?: string; rssi?: number };
  /** The station's address: {ip, netmask, gw, mac} (a new object each call). */
  getIP(): { ip?: string };
  /** "connected": got an IP address; "disconnected": the station lost (or never got) its AP. */
  on(event: "connected" | "disconnected", fn: () => void): void;
  /** The station's address and MAC (libs/network/esp32/jswrap_esp32_network.c jswrap_wifi_getIP). */
  getIP?(): { ip?: string; mac?: string };
  /** rssi only while the station is connected (jswrap_wifi_getStatus). */
  getStatus?(): { rssi?: number };
}
interface EspruinoStorageModule {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
}
declare function require(name: "net" | "tls"): EspruinoNet;
declare function require(name: "Wifi"): EspruinoWifiModule;
declare function require(name: "Storage"): EspruinoStorageModule;
/** The telnet console of the ESP32 release (port 23), on whenever WiFi is up unless set off. */
declare function require(name: "TelnetServer"): { setOptions(options: { mode: "on" | "off" }): void };
