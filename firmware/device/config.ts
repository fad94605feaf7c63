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
  type: "digital" | "analog" | "counter";
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
  /** Decimal places in reports (analog, counter). */
  decimals: number;
  /** Home Assistant's device class: binary_sensor classes for digital, sensor classes otherwise; null: none. */
  deviceClass: string | null;
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
  };
}
