// The board's configuration as the firmware sees it: board.json after build-time validation, with every
// default filled in and every secret resolved, embedded in the bundle. Nothing here is optional, so the
// firmware never guesses.

export interface WifiConfig {
  ssid: string;
  password: string;
}

export interface MqttConfig {
  host: string;
  port: number;
  tls: boolean;
  clientId: string;
  username: string | null;
  password: string | null;
  keepAlive: number;
  cleanSession: boolean;
}

/** Topic templates: "{prefix}" and "{name}" are replaced at start-up. */
export interface TopicsConfig {
  prefix: string;
  status: string;
  relaySet: string;
  relayState: string;
  sensorState: string;
  telemetry: string;
  error: string;
  /** Console commands ({name}: status, restart, telemetry); absent: "{prefix}/cmd/{name}". */
  command?: string;
  /** The console's replies (the status document); absent: "{prefix}/info". */
  info?: string;
}

export interface FailsafeConfig {
  state: "on" | "off";
  afterSec: number;
}

export interface RelayConfig {
  name: string;
  /** "D0".."D39". */
  pin: string;
  activeLow: boolean;
  powerOn: "on" | "off" | "restore";
  /** null: no fail-safe. */
  failsafe: FailsafeConfig | null;
  /** 0: no pulse; else ON turns itself OFF after this many ms. */
  pulseMs: number;
  /** Relays with the same group are never on together; null: none. */
  interlock: string | null;
  /** Home Assistant's device class: switch (outlet, switch) or, with pulseMs, button; null: none. */
  deviceClass: string | null;
}

export interface SensorConfig {
  name: string;
  /** ds18b20: a OneWire thermometer (several may share a pin); dht22: temperature or humidity of a DHT22. */
  type: "digital" | "analog" | "counter" | "ds18b20" | "dht22";
  pin: string;
  pull: "up" | "down" | "none";
  /** digital: report the inverse of the pin level. */
  invert: boolean;
  /** digital, counter: the level must hold this long to count. */
  debounceMs: number;
  /** analog: value = reading (0..1) * scale; counter: value = pulses * scale. */
  scale: number;
  /**
   * The unit's UTF-8 bytes, one char a byte ("\xC2\xB0C" for "°C"): an Espruino string is 8-bit, so this
   * is the one form both runtimes carry alike; the loader encodes it. "" for none.
   */
  unit: string;
  /** analog: report when the value moved by more than this since the last report. */
  delta: number;
  /** analog: sampling period. */
  periodMs: number;
  /** counter: which edge counts. */
  edge: "rising" | "falling" | "both";
  /** Decimal places in reports (analog, counter, ds18b20, dht22). */
  decimals: number;
  /** Home Assistant's device class: binary_sensor classes for digital, sensor classes otherwise; null: none. */
  deviceClass: string | null;
  /** ds18b20: the sensor's 64-bit ROM as 16 hex digits, family code first ("28..."); null: the only one on its pin. */
  rom?: string | null;
  /** dht22: which of its two values this sensor reports. */
  measure?: "temperature" | "humidity";
}

/**
 * Home Assistant discovery. "device": one retained config for the whole board (HA 2024.11 and later);
 * "entity": one per entity, for older Home Assistant.
 */
export interface DiscoveryConfig {
  enabled: boolean;
  prefix: string;
  mode: "device" | "entity";
}

/** What the build knows of the firmware itself (package.json), for Home Assistant's device page. */
export interface FirmwareInfo {
  version: string;
  /** "" when package.json names none. */
  supportUrl: string;
}

export interface DeviceConfig {
  id: string;
  wifi: WifiConfig;
  mqtt: MqttConfig;
  topics: TopicsConfig;
  telemetry: { periodSec: number };
  relays: RelayConfig[];
  sensors: SensorConfig[];
  discovery: DiscoveryConfig;
  commands: {
    /** Retained commands are stale by nature (relays switching after a reconnect): refused unless true. */
    acceptRetained: boolean;
    /** Longer payloads are refused unread. */
    maxPayload: number;
    /** The console commands on topics.command (status, restart, telemetry); absent or false: none. */
    console?: boolean;
  };
  // Features a board may leave out. The build writes a key only for a feature the board uses: the
  // embedded config is an object in the interpreter's RAM, where every key costs JsVars.
  /** Local buttons; absent: none. */
  buttons?: ButtonConfig[];
  /** The status LED; absent: none. */
  statusLed?: StatusLedConfig;
  /** The interpreter's own console; absent: telnet off (the ESP32 release would serve it to the network). */
  console?: { telnet: boolean };
}

/** What a button press does to its relay; "none": only the hold action (if any). */
export type ButtonAction = "toggle" | "on" | "off" | "momentary" | "none";

/** A push button on an input pin, acting locally through the relays' own rules (interlock, pulse). */
export interface ButtonConfig {
  name: string;
  pin: string;
  /** The relay's name; null with action "none". */
  relay: string | null;
  action: ButtonAction;
  /** Pressed reads LOW (a button to GND with the pull-up): the usual wiring. */
  activeLow: boolean;
  pull: "up" | "down" | "none";
  debounceMs: number;
  /** How long a press must last to be a long press. */
  holdMs: number;
  /** What a long press does; with one, a short press acts on release (so a long press does not also toggle). */
  holdAction: "none" | "restart";
}

/** The status LED: blink patterns for no WiFi and no broker, steady on or off when connected. */
export interface StatusLedConfig {
  pin: string;
  activeLow: boolean;
  connected: "on" | "off";
}
