// What a virtual board reports, in one shape for the live view, `--headless` (one JSON object a line)
// and tests. Source and bundle mode produce the same events: they are read off the wire (a decoder on
// each direction of the socket) and off the pins, never from inside the firmware.
import type { Description } from "../analyzer/describe";

interface Base {
  /** Milliseconds since the simulator started, to 0.1 ms. */
  t: number;
  /** The board's id. */
  device: string;
}

export type SimEvent = Base & (
  /** The board booted: its pins and topics, and how it runs. */
  | { event: "boot"; mode: "source" | "bundle"; clientId: string; broker: string; relays: string[]; sensors: string[] }
  /**
   * The socket to the broker opened: `to` is where the board dialled (board.json's host), `broker` where
   * the simulator's network took it (its broker, or --broker).
   */
  | { event: "socket"; to: string; broker?: string }
  /** CONNACK accepted. */
  | { event: "connected"; sessionPresent: boolean }
  /** The session ended (socket closed after a CONNACK). */
  | { event: "disconnected"; reason: string }
  /** A relay's output changed; `on` is what the relay does, `level` the pin's electrical level. */
  | { event: "relay"; relay: string; index: number; on: boolean; pin: string; level: 0 | 1 }
  /** The board reported a sensor value (its state topic). */
  | { event: "sensor"; sensor: string; index: number; value: string }
  /** The simulator changed an input: a key, a test, a script. */
  | {
    event: "input"; sensor: string; pin: string; level?: 0 | 1; analog?: number; pulses?: number;
    /** A ds18b20 or dht22: the value it measures now, or its condition (ok, missing, corrupt). */
    measured?: number; condition?: "ok" | "missing" | "corrupt";
  }
  /** A PUBLISH the board sent. */
  | { event: "published"; topic: string; payload: string; qos: number; retain: boolean; dup: boolean }
  /** A PUBLISH the board received. */
  | { event: "received"; topic: string; payload: string; qos: number; retain: boolean; dup: boolean }
  /** Every packet both ways, decoded field by field (the live trace; in headless output with --trace). */
  | { event: "packet"; dir: "out" | "in"; packet: Description }
  /** Something went wrong: a refused command, a refused or lost connection, a firmware error. */
  | { event: "error"; what: string; message: string; detail?: unknown }
  /** A line the firmware logged. */
  | { event: "log"; message: string }
  /** A fleet's figures, every second (`--devices N`); `device` is the fleet's base id. */
  | { event: "fleet"; devices: number; connected: number; published: number; msgsPerSec: number; rssMB: number }
  /**
   * The board stopped: cleanly (offline sent, DISCONNECT), killed (the broker sends the will), or rebooted
   * by its firmware (a restart command, a button's long press: it boots again at once).
   */
  | { event: "stopped"; how: "clean" | "killed" | "reboot" }
  /**
   * The status LED shows a new pattern, read off its pin over the last second: "no-wifi" (fast blink),
   * "no-broker" (two short blinks a second), "on" or "off" (steady).
   */
  | { event: "led"; pin: string; pattern: "no-wifi" | "no-broker" | "on" | "off" }
  /** The simulator took the board's WiFi access point away, or brought it back. */
  | { event: "wifi"; up: boolean }
  /** The simulator pressed or released a button (a key, a test, a script). */
  | { event: "button"; button: string; pin: string; pressed: boolean }
);

export type SimEventName = SimEvent["event"];

export type EventSink = (e: SimEvent) => void;

/** Omit distributed over the union, so callers pass an event without t and device. */
export type EventBody = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, "t" | "device"> : never) : never;
