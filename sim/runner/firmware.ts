// How a virtual board runs its firmware: from the TypeScript sources (source mode) or as the built
// bundle inside the Espruino API shim (bundle mode). The board around it (pins, storage, observers)
// is the same for both.
import type { ConnectionOptions } from "node:tls";
import type { DeviceConfig } from "../../firmware/device/config";
import { errorName } from "../../firmware/mqtt/errors";
import { logText } from "../../firmware/espruino/log";
import type { PinBank } from "../hardware/pin-bank";
import type { BusSensors } from "../hardware/bus-sensors";
import type { TimeSource } from "../time/time-source";

/** Where a board's connection really goes; tls options make it TLS (an mqtts:// broker). */
export interface BrokerRoute {
  host: string;
  port: number;
  tls?: ConnectionOptions | null;
}

/** What the board gives its firmware; every callback is optional. */
export interface FirmwareHost {
  config: DeviceConfig;
  bank: PinBank;
  /** The temperature sensors on the board's buses. */
  busSensors: BusSensors;
  /** The board's time: its clock and timers (real, or virtual under a scenario). */
  time: TimeSource;
  /** [0, 1) numbers for the reconnect jitter (Math.random when absent; seeded under a scenario). */
  random?: () => number;
  /** Storage files, kept across boots. */
  files: Map<string, string>;
  /** Where the board's connections really go. */
  broker: BrokerRoute;
  /** The socket opened (`to`: where the board dialled) / closed (reason in words; neverOpened: refused). */
  opened(to: string): void;
  closed(reason: string, neverOpened: boolean): void;
  /** Bytes over the socket, valid only during the call; absent: nobody listens. */
  bytes?(dir: "out" | "in", buf: Uint8Array, off: number, len: number): void;
  /** A line the firmware logged; error: an uncaught exception or a firmware error. */
  log(message: string, error: boolean): void;
  /** The firmware rebooted the board (a restart command, a button's long press): boot it again. */
  reboot(): void;
  /** Source mode only (bundle mode reads these off the wire): the session came up or went down. */
  connection?(connected: boolean): void;
  /** Source mode only: the client accepted a PUBLISH from the device. */
  published?(): void;
}

export interface Firmware {
  /** boot(): runs the firmware from power-on. Throws when it cannot start (a broken bundle). */
  boot(): void;
  /** shutdown(): the firmware's clean stop: "offline" retained, then DISCONNECT. */
  shutdown(): void;
  /** halt(): power gone: nothing runs, sockets dropped without DISCONNECT. */
  halt(): void;
  /** wifi(up): the access point comes and goes; the firmware has to join it again (bundle mode: the shim's station). */
  wifi(up: boolean): void;
  /** socketOpen() -> whether a socket to the broker is open. */
  socketOpen(): boolean;
  /**
   * settlingSince() -> performance.now() since when real work is under way that the board's time should
   * wait for (a socket opening or closing, queued socket or watch events), or null.
   */
  settlingSince(): number | null;
  /**
   * memoryVars() -> the firmware's memory in Espruino JsVars, as this mode can estimate it (source: what
   * the Device holds, sim/shim/memory.ts's sizeOf; bundle: the shim's process.memory().usage), or null
   * when it is not running.
   */
  memoryVars(): number | null;
}

/**
 * logLine(level, code, message, where) -> "warn mqtt CONNECT_FAILED (-52) 127.0.0.1:1883: refused
 * (ECONNREFUSED)": a source-mode log line, made as the board makes its own (firmware/espruino/log.ts).
 */
export function logLine(level: number, code: number, message: string, where: string): string {
  return logText(level, code, message, errorName(code), where);
}
