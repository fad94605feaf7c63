// One board as the live view sees it, folded from SimEvents alone (the view never reaches into the
// firmware, so source and bundle mode look the same). Host side: plain objects, but every history kept
// here is a bounded ring, because a simulator left running for days must not grow.
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames, type TopicNames } from "../../firmware/device/topics";
import type { Description } from "../analyzer/describe";
import type { SimEvent } from "../runner/events";
import { unitText } from "../board/load";

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface ConnectionModel {
  state: ConnectionState;
  /** Event time (ms) the state was entered; null before the board booted. */
  since: number | null;
  /** Where the board's last socket really went ("host:port": the simulator's broker, or --broker). */
  socket: string | null;
  /** Where the board dialled, when the simulator took it elsewhere (board.json's host); else null. */
  dialled: string | null;
  /** Connections tried: sockets opened and connects that failed before a socket opened. */
  attempts: number;
  /** Why the last connect failed ("CONNECT_FAILED: 127.0.0.1:1883: refused ..."); null after a CONNACK. */
  lastFailure: string | null;
  /** Sockets opened, CONNACKs accepted, sessions ended. */
  sockets: number;
  connects: number;
  disconnects: number;
  sessionPresent: boolean | null;
  /** Why the last session ended (disconnected event), or null. */
  lastReason: string | null;
  /** Set when the board stopped; cleared by the next boot. */
  stopped: "clean" | "killed" | "reboot" | null;
}

export interface RelayModel {
  name: string;
  pin: string;
  activeLow: boolean;
  /** null until the board reports the relay. */
  on: boolean | null;
  /** false from a power cut (key k) to the next boot: the relay has no drive and is off. */
  powered: boolean;
  level: 0 | 1 | null;
  changedAt: number | null;
}

/** The raw input the simulator last drove on a sensor's pin. */
export interface InputModel {
  level?: 0 | 1;
  analog?: number;
  pulses?: number;
  measured?: number;
  condition?: "ok" | "missing" | "corrupt";
  at: number;
}

export interface SensorModel {
  name: string;
  type: "digital" | "analog" | "counter" | "ds18b20" | "dht22";
  pin: string;
  unit: string;
  /** The last reported value as published (text), null before the first report. */
  value: string | null;
  at: number | null;
  input: InputModel | null;
}

export interface ButtonModel {
  name: string;
  pin: string;
  /** What a press does, e.g. "toggle pump", "restart". */
  does: string;
  /** Whether the simulator holds it down. */
  pressed: boolean;
  at: number | null;
}

export interface TelemetryModel {
  text: string;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  at: number;
}

export interface ErrorEntry {
  t: number;
  what: string;
  message: string;
}

export interface TraceLine {
  t: number;
  dir: "in" | "out";
  /** One line without the time, e.g. `out PUBLISH devices/b/status qos1 retain id=1 "online"`. */
  text: string;
}

export interface BoardStateOptions {
  /** Trace lines kept (default 500). */
  traceLines?: number;
  /** Errors kept (default 10). */
  errors?: number;
}

/** A fixed-capacity ring: push drops the oldest once full. */
class Ring<T> {
  private readonly items: T[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.capacity <= 0) return;
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.slice(this.head).concat(this.items.slice(0, this.head));
  }
}

// Stored payload text is capped: the screen shows one line of it, and a flood of large payloads must not
// turn the trace ring into megabytes.
const MAX_PAYLOAD_CHARS = 300;
const MAX_TELEMETRY_CHARS = 4000;

/** The view's model of one board; feed it every SimEvent with apply(). */
export class BoardState {
  readonly config: DeviceConfig;
  readonly topics: TopicNames;
  readonly connection: ConnectionModel = {
    state: "disconnected", since: null, socket: null, dialled: null, attempts: 0, lastFailure: null, sockets: 0,
    connects: 0, disconnects: 0, sessionPresent: null, lastReason: null, stopped: null,
  };
  readonly relays: RelayModel[];
  readonly sensors: SensorModel[];
  readonly buttons: ButtonModel[];
  /** The status LED's pattern as last read off its pin; null without a LED or before it showed one. */
  led: { pattern: "no-wifi" | "no-broker" | "on" | "off"; at: number } | null = null;
  /** Whether the simulator keeps the board's WiFi access point up. */
  wifiUp = true;
  telemetry: TelemetryModel | null = null;
  /** From the last boot event, or null before it. */
  boot: { mode: "source" | "bundle"; clientId: string; broker: string; at: number } | null = null;
  /** PUBLISH packets the board sent / received. */
  published = 0;
  received = 0;
  /** Time of the last applied event (ms), 0 before any. */
  lastT = 0;
  /** Bumped by every applied event: a cheap "did anything change" for callers. */
  version = 0;
  private readonly errorRing: Ring<ErrorEntry>;
  private readonly traceRing: Ring<TraceLine>;

  /** new BoardState(config, options?): an empty model with the board's relays and sensors, nothing reported. */
  constructor(config: DeviceConfig, options: BoardStateOptions = {}) {
    this.config = config;
    this.topics = topicNames(config);
    this.relays = config.relays.map((r) => ({
      name: r.name, pin: r.pin, activeLow: r.activeLow, on: null, powered: true, level: null, changedAt: null,
    }));
    this.sensors = config.sensors.map((s) => ({
      // The config carries the unit as its UTF-8 bytes; the view shows its text.
      name: s.name, type: s.type, pin: s.pin, unit: unitText(s.unit), value: null, at: null, input: null,
    }));
    this.buttons = (config.buttons ?? []).map((b) => ({
      name: b.name,
      pin: b.pin,
      does: [b.relay === null ? "" : `${b.action} ${b.relay}`, b.holdAction === "restart" ? `held ${b.holdMs / 1000}s: restart` : ""]
        .filter((x) => x !== "").join(", ") || "nothing",
      pressed: false,
      at: null,
    }));
    this.errorRing = new Ring(options.errors ?? 10);
    this.traceRing = new Ring(options.traceLines ?? 500);
  }

  /** The last errors kept, oldest first. */
  get errors(): ErrorEntry[] {
    return this.errorRing.toArray();
  }

  /** The last trace lines kept, oldest first. */
  get trace(): TraceLine[] {
    return this.traceRing.toArray();
  }

  /** apply(e): folds one event in; events of other boards (another device id) are ignored. */
  apply(e: SimEvent): void {
    if (e.device !== this.config.id) return;
    this.lastT = e.t;
    this.version++;
    const c = this.connection;
    switch (e.event) {
      case "boot":
        this.boot = { mode: e.mode, clientId: e.clientId, broker: e.broker, at: e.t };
        c.stopped = null;
        // Powered again: each relay is unknown until the firmware drives its pin.
        for (const r of this.relays) {
          if (!r.powered) r.on = r.level = null;
          r.powered = true;
        }
        this.enter("connecting", e.t);
        break;
      case "socket":
        c.socket = e.broker ?? e.to;
        c.dialled = e.broker !== undefined && e.broker !== e.to ? e.to : null;
        c.sockets++;
        c.attempts++;
        this.enter("connecting", e.t);
        break;
      case "connected":
        c.connects++;
        c.sessionPresent = e.sessionPresent;
        c.lastFailure = null;
        this.enter("connected", e.t);
        break;
      case "disconnected":
        c.disconnects++;
        c.lastReason = e.reason;
        this.enter("disconnected", e.t);
        break;
      case "stopped":
        c.stopped = e.how;
        // A power cut leaves no drive on the relay pins: the relays drop out.
        if (e.how === "killed") {
          for (const r of this.relays) {
            r.powered = false;
            r.on = false;
            r.level = null;
            r.changedAt = e.t;
          }
        }
        this.enter("disconnected", e.t);
        break;
      case "relay": {
        const r = this.find(this.relays, e.index, e.relay);
        if (r) {
          r.on = e.on;
          r.level = e.level;
          r.changedAt = e.t;
        }
        break;
      }
      case "sensor": {
        const s = this.find(this.sensors, e.index, e.sensor);
        if (s) {
          s.value = e.value;
          s.at = e.t;
        }
        break;
      }
      case "input": {
        const s = this.find(this.sensors, -1, e.sensor);
        if (s) {
          const input: InputModel = { ...(s.input ?? {}), at: e.t };
          if (e.level !== undefined) input.level = e.level;
          if (e.analog !== undefined) input.analog = e.analog;
          if (e.pulses !== undefined) input.pulses = e.pulses;
          if (e.measured !== undefined) input.measured = e.measured;
          if (e.condition !== undefined) input.condition = e.condition;
          s.input = input;
        }
        break;
      }
      case "led":
        this.led = { pattern: e.pattern, at: e.t };
        break;
      case "wifi":
        this.wifiUp = e.up;
        break;
      case "button": {
        const b = this.find(this.buttons, -1, e.button);
        if (b) {
          b.pressed = e.pressed;
          b.at = e.t;
        }
        break;
      }
      case "published":
        this.published++;
        if (e.topic === this.topics.telemetry) this.telemetry = parseTelemetry(e.payload, e.t);
        break;
      case "received":
        this.received++;
        break;
      case "packet":
        this.traceRing.push({ t: e.t, dir: e.dir, text: traceText(e.dir, e.packet) });
        break;
      case "error":
        this.errorRing.push({ t: e.t, what: e.what, message: e.message });
        if (e.what === "connect") {
          c.attempts++;
          c.lastFailure = e.message;
        }
        break;
      case "log":
        break;
    }
  }

  // A repeated state (a second socket while connecting) keeps its original time: "connecting for 30 s"
  // is what tells the user the broker is unreachable.
  private enter(state: ConnectionState, t: number): void {
    if (this.connection.state !== state || this.connection.since === null) {
      this.connection.state = state;
      this.connection.since = t;
    }
  }

  // By index when it agrees with the name (the cheap, normal case), else by name.
  private find<T extends { name: string }>(list: T[], index: number, name: string): T | undefined {
    if (index >= 0 && index < list.length && list[index].name === name) return list[index];
    return list.find((x) => x.name === name);
  }
}

function parseTelemetry(payload: string, t: number): TelemetryModel {
  const text = payload.length > MAX_TELEMETRY_CHARS ? payload.slice(0, MAX_TELEMETRY_CHARS) : payload;
  let json: unknown = undefined;
  try {
    json = JSON.parse(payload);
  } catch {
    // Not JSON (a custom firmware, a truncated payload): the view shows the text.
  }
  return { text, json, at: t };
}

/**
 * ascii(s) -> s with every character outside printable ASCII written as \n, \t, \r or \uXXXX: topics and
 * payloads come from the network and must not reach the terminal as control sequences.
 */
export function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
  });
}

/** printable(s) -> s with control characters escaped as ascii() does; other text (a unit's "°C") kept. */
export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => ascii(ch));
}

function quoted(s: string): string {
  const cut = s.length > MAX_PAYLOAD_CHARS;
  // JSON escapes quotes, backslashes and control characters; ascii() then the rest outside ASCII.
  const body = ascii(JSON.stringify(cut ? s.slice(0, MAX_PAYLOAD_CHARS) : s));
  return cut ? body.slice(0, -1) + `..." (${s.length} chars)` : body;
}

function payloadText(d: Description): string {
  if (typeof d.payload === "string") return quoted(d.payload);
  const hex = String(d.payloadHex ?? "");
  const len = typeof d.payloadLength === "number" ? d.payloadLength : hex.split(" ").length;
  return `hex[${len}] ` + (hex.length > 3 * 32 ? hex.slice(0, 3 * 32 - 1) + " ..." : hex);
}

function publishFlags(qos: unknown, retain: unknown, dup: unknown): string {
  return `qos${Number(qos) || 0}` + (retain === true ? " retain" : "") + (dup === true ? " dup" : "");
}

function connectText(d: Description): string {
  const parts = ["client=" + ascii(String(d.clientId ?? ""))];
  const flags = d.connectFlags as Record<string, unknown> | undefined;
  if (flags && flags.cleanSession === true) parts.push("clean");
  if (d.keepAlive !== undefined) parts.push(`keepalive=${d.keepAlive}s`);
  if (typeof d.username === "string") parts.push("user=" + ascii(d.username));
  // The password is never shown: this screen ends up in screenshots and bug reports.
  if ("password" in d || "passwordHex" in d) parts.push("password=***");
  const will = d.will as Record<string, unknown> | undefined;
  if (will) {
    const payload = typeof will.payload === "string" ? quoted(will.payload) : `hex ${String(will.payloadHex ?? "")}`;
    parts.push(`will=${ascii(String(will.topic))} ${payload} ${publishFlags(will.qos, will.retain, false)}`);
  }
  return parts.join(" ");
}

/**
 * traceText(dir, packet) -> one trace line for a described packet (describePacket's fields), e.g.
 * `out PUBLISH devices/esp32-01/status qos1 retain id=1 "online"`; secrets are masked.
 */
export function traceText(dir: "in" | "out", d: Description): string {
  if (typeof d.error === "string") return `${dir} MALFORMED ${d.error}` + (d.rule ? `: ${ascii(String(d.rule))}` : "");
  const type = String(d.type ?? "?");
  const id = d.packetId !== undefined ? ` id=${d.packetId}` : "";
  let rest = "";
  switch (type) {
    case "CONNECT":
      rest = " " + connectText(d);
      break;
    case "CONNACK":
      rest = d.returnCode === 0
        ? ` accepted session=${d.sessionPresent ? 1 : 0}`
        : ` refused rc=${d.returnCode} ${String(d.returnCodeMeaning ?? "unknown")}`;
      break;
    case "PUBLISH":
      rest = ` ${ascii(String(d.topic ?? ""))} ${publishFlags(d.qos, d.retain, d.dup)}${id} ${payloadText(d)}`;
      break;
    case "SUBSCRIBE": {
      const subs = Array.isArray(d.subscriptions) ? d.subscriptions : [];
      rest = id + " " + subs.map((s: any) => `${ascii(String(s.filter))} qos${s.qos}`).join(", ");
      break;
    }
    case "UNSUBSCRIBE": {
      const filters = Array.isArray(d.filters) ? d.filters : [];
      rest = id + " " + filters.map((f) => ascii(String(f))).join(", ");
      break;
    }
    case "SUBACK": {
      const codes = Array.isArray(d.returnCodes) ? d.returnCodes : [];
      rest = id + " " + codes.map((c: any) => (c.code === 0x80 ? "failure" : `qos${c.code}`)).join(", ");
      break;
    }
    default:
      rest = id; // PUBACK..PUBCOMP, UNSUBACK: the id; PINGREQ, PINGRESP, DISCONNECT: nothing
  }
  return `${dir} ${type}${rest}`;
}
