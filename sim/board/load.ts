// board.json -> the DeviceConfig the firmware embeds. Reads the file, parses it (strict JSON with line and
// column), resolves "$NAME" secrets from the environment, checks board.schema.json, then the rules a schema
// cannot express (ESP32 pin capabilities, duplicates, expanded topics), and fills every default. Every
// problem is collected and reported at once; a board with any error throws BoardError and never reaches
// the firmware. Warnings (strapping pins, names Home Assistant dislikes, ...) are returned alongside.
import { startupProblems } from "./startup";
import { CONSOLE_COMMANDS, topicNames, type TopicNames } from "../../firmware/device/topics";
import { topicMatches } from "../../firmware/mqtt/topic";
import { crc8 } from "../../firmware/device/thermometers";
import { readFileSync } from "node:fs";
import type {
  ButtonConfig, DeviceConfig, FailsafeConfig, MqttConfig, RelayConfig, SensorConfig, StatusLedConfig, TopicsConfig,
} from "../../firmware/device/config";
import { esp32Pin, gpioRanges } from "./esp32-pins";
import { JsonSyntaxError, parseJson } from "./json";
import { formatPath, validateSchema } from "./schema";
import { ioReason } from "../io-reason";
import { deviceClassProblems, prefixProblems } from "./ha-check";
import { BIRTH } from "./ha-rules";
import { DIAGNOSTIC_NAMES, RESTART_KEY } from "../../firmware/device/ha-constants";

export class BoardError extends Error {
  /** One "path: problem" per entry; the message is these joined by newlines. */
  readonly problems: string[];
  /** Warnings found on the way (the CLI may print them with the errors). */
  readonly warnings: string[];

  constructor(problems: string[], warnings: string[] = []) {
    super(problems.join("\n"));
    this.name = "BoardError";
    this.problems = problems;
    this.warnings = warnings;
  }
}

export interface LoadedBoard {
  config: DeviceConfig;
  /** "path: problem", one per entry; nothing here stops a build. */
  warnings: string[];
  /** Every value of board.json read from the environment ("$NAME"), by its path ("mqtt.username"). */
  secrets: Map<string, Secret>;
}

/** A value read from the environment: the variable's name and where it sits in board.json. */
export interface Secret {
  name: string;
  keys: (string | number)[];
}

type Env = Record<string, string | undefined>;

/** loadBoard(path, env) -> the resolved config and warnings; throws BoardError listing every problem. */
export function loadBoard(path: string, env: Env): LoadedBoard {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new BoardError([`${path}: cannot read the file (${ioReason(err)})`]);
  }
  return parseBoard(text, env, path);
}

/** parseBoard(text, env, file) -> as loadBoard, for a board already in memory; file names it in messages. */
export function parseBoard(text: string, env: Env, file = "board.json"): LoadedBoard {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: ReturnType<typeof parseJson>;
  try {
    parsed = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new BoardError([`${file}:${err.line}:${err.column}: not valid JSON: ${err.reason}`]);
    }
    throw err;
  }
  const r = new Report();
  for (const d of parsed.duplicates) {
    r.error(formatPath(d.path), `written twice (lines ${d.firstLine} and ${d.line}); JSON keeps only the last`);
  }
  const fromEnv = new Map<string, Secret>();
  const doc = resolveSecrets(parsed.value, [], env, r, fromEnv);
  for (const p of validateSchema(doc)) {
    const path = formatPath(p.path);
    r.error(path, p.message);
    r.markBad(path);
  }
  const raw = doc as any;
  const config = normalize(raw);
  checkBoard(config, raw, r, fromEnv);
  if (r.errors.length > 0) throw new BoardError(r.errors, r.warnings);
  return { config: encodeUnits(config), warnings: r.warnings, secrets: fromEnv };
}

/**
 * The firmware carries a unit as its UTF-8 bytes, one char a byte (firmware/device/config.ts): the one
 * form an 8-bit Espruino string and a Node string hold alike. The checks above read it as text.
 */
function encodeUnits(c: DeviceConfig): DeviceConfig {
  return { ...c, sensors: c.sensors.map((s) => ({ ...s, unit: Buffer.from(s.unit, "utf8").toString("latin1") })) };
}

/** unitText(unit) -> the text of a unit as DeviceConfig carries it (its UTF-8 bytes, one char a byte). */
export function unitText(unit: string): string {
  return Buffer.from(unit, "latin1").toString("utf8");
}

class Report {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  private readonly bad: string[] = [];
  // Lines already reported: a board with thousands of problems is checked in linear time.
  private readonly seen = new Set<string>();

  error(path: string, message: string): void {
    this.add(this.errors, `${path}: ${message}`);
  }

  warn(path: string, message: string): void {
    this.add(this.warnings, `${path}: ${message}`);
  }

  private add(list: string[], line: string): void {
    const key = (list === this.errors ? "error " : "warning ") + line;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push(line);
  }

  /** A path whose value is already reported wrong: later rules skip it and everything under it. */
  markBad(path: string): void {
    this.bad.push(path);
  }

  isBad(path: string): boolean {
    return this.bad.some((b) => b === "(root)" || path === b || path.startsWith(`${b}.`) || path.startsWith(`${b}[`));
  }
}

// ---- secrets ------------------------------------------------------------------------------------------

const SECRET = /^\$([A-Z_][A-Z0-9_]*)$/;

/**
 * A copy of v with every "$NAME" string replaced from env and every "$$..." unescaped to "$...". Any
 * other string starting with "$" is an error: a typo in a secret's name must not become the secret.
 * fromEnv gets each value read from the environment, by path.
 */
function resolveSecrets(v: unknown, path: (string | number)[], env: Env, r: Report, fromEnv: Map<string, Secret>): unknown {
  if (typeof v === "string") {
    const p = formatPath(path);
    const m = SECRET.exec(v);
    if (m) {
      const value = env[m[1]];
      if (value === undefined) {
        r.error(p, `${v} is not set in the environment`);
        r.markBad(p);
        return v;
      }
      fromEnv.set(p, { name: m[1], keys: path });
      return value;
    }
    if (v.startsWith("$$")) return v.slice(1);
    if (v.startsWith("$")) {
      const upper = v.toUpperCase();
      const hint = SECRET.test(upper) ? ` (names are upper case: "${upper}")` : "";
      r.error(p, `"${v}" starts with "$" but is not a $NAME: a name is A-Z, 0-9 and "_"${hint}; write "$${v}" for text that starts with "$"`);
      r.markBad(p);
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => resolveSecrets(x, [...path, i], env, r, fromEnv));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: resolveSecrets(x, [...path, k], env, r, fromEnv), writable: true, enumerable: true, configurable: true,
      });
    }
    return out;
  }
  return v;
}

// ---- defaults -----------------------------------------------------------------------------------------

export const TOPIC_DEFAULTS: TopicsConfig = {
  prefix: "devices/{id}",
  status: "{prefix}/status",
  relaySet: "{prefix}/relay/{name}/set",
  relayState: "{prefix}/relay/{name}/state",
  sensorState: "{prefix}/sensor/{name}/state",
  telemetry: "{prefix}/telemetry",
  error: "{prefix}/error",
  command: "{prefix}/cmd/{name}",
  info: "{prefix}/info",
};

/** The placeholders each template may use; {name} stays in the resolved config for the firmware. */
const PLACEHOLDERS: Record<keyof TopicsConfig, string[]> = {
  prefix: ["id"],
  status: ["prefix", "id"],
  relaySet: ["prefix", "id", "name"],
  relayState: ["prefix", "id", "name"],
  sensorState: ["prefix", "id", "name"],
  telemetry: ["prefix", "id"],
  error: ["prefix", "id"],
  command: ["prefix", "id", "name"],
  info: ["prefix", "id"],
};
const TOPIC_KEYS = Object.keys(TOPIC_DEFAULTS) as (keyof TopicsConfig)[];

// Tolerant readers: after a schema error the value may have any type; the result is then thrown away.
const obj = (x: unknown): Record<string, any> => (x !== null && typeof x === "object" && !Array.isArray(x) ? (x as any) : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown, d: string): string => (typeof x === "string" ? x : d);
const num = (x: unknown, d: number): number => (typeof x === "number" && Number.isFinite(x) ? x : d);
const bool = (x: unknown, d: boolean): boolean => (typeof x === "boolean" ? x : d);
const strOrNull = (x: unknown): string | null => (typeof x === "string" ? x : null);
function oneOf<T extends string>(x: unknown, values: readonly T[], d: T): T {
  return values.includes(x as T) ? (x as T) : d;
}

/** Decimal places a number is written with: 0.00222 -> 5, 1e-7 -> 7, 100 -> 0. */
function decimalsOf(x: number): number {
  const s = String(Math.abs(x));
  const [mantissa, exp] = s.split("e");
  const frac = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, frac - Number(exp ?? 0));
}

/** analog: 1 decimal, or more when the scale is small, so that 1% of the scale shows. */
export function analogDecimals(scale: number): number {
  if (scale === 0) return 1;
  return Math.min(6, Math.max(1, Math.ceil(2 - Math.log10(Math.abs(scale)) - 1e-9)));
}

/** counter: as many decimals as one pulse's worth has, so no count is rounded away; at most 6. */
export function counterDecimals(scale: number): number {
  return Math.min(6, decimalsOf(scale));
}

function expand(template: string, values: Record<string, string>): string {
  return template.replace(/\{(prefix|id)\}/g, (all, key: string) => values[key] ?? all);
}

function normalize(d: any): DeviceConfig {
  const root = obj(d);
  const id = str(root.id, "");
  const wifi = obj(root.wifi);
  const mqtt = obj(root.mqtt);
  const tls = bool(mqtt.tls, false);
  const topicsIn = obj(root.topics);
  const prefix = expand(str(topicsIn.prefix, TOPIC_DEFAULTS.prefix), { id });
  const tpl = (k: keyof TopicsConfig) => expand(str(topicsIn[k], TOPIC_DEFAULTS[k]!), { id, prefix });
  const mqttConfig: MqttConfig = {
    host: str(mqtt.host, ""),
    port: num(mqtt.port, tls ? 8883 : 1883),
    tls,
    clientId: str(mqtt.clientId, id),
    username: strOrNull(mqtt.username),
    password: strOrNull(mqtt.password),
    keepAlive: num(mqtt.keepAlive, 30),
    cleanSession: bool(mqtt.cleanSession, true),
  };
  const topics: TopicsConfig = {
    prefix,
    status: tpl("status"),
    relaySet: tpl("relaySet"),
    relayState: tpl("relayState"),
    sensorState: tpl("sensorState"),
    telemetry: tpl("telemetry"),
    error: tpl("error"),
    command: tpl("command"),
    info: tpl("info"),
  };
  const discovery = obj(root.discovery);
  const commands = obj(root.commands);
  const config: DeviceConfig = {
    id,
    wifi: { ssid: str(wifi.ssid, ""), password: str(wifi.password, "") },
    mqtt: mqttConfig,
    topics,
    telemetry: { periodSec: num(obj(root.telemetry).periodSec, 60) },
    relays: arr(root.relays).map(relay),
    sensors: arr(root.sensors).map(sensor),
    discovery: {
      enabled: bool(discovery.enabled, true),
      prefix: str(discovery.prefix, "homeassistant"),
      mode: oneOf(discovery.mode, ["device", "entity"], "device"),
    },
    commands: {
      acceptRetained: bool(commands.acceptRetained, false), maxPayload: num(commands.maxPayload, 16),
      console: bool(commands.console, true),
    },
  };
  // Only the features the board uses get a key (each key of the embedded config costs JsVars on the board).
  const buttons = arr(root.buttons).map(button);
  if (buttons.length > 0) config.buttons = buttons;
  if (root.statusLed !== null && typeof root.statusLed === "object") config.statusLed = statusLed(root.statusLed);
  if (bool(obj(root.console).telnet, false)) config.console = { telnet: true };
  return config;
}

function button(x: unknown): ButtonConfig {
  const b = obj(x);
  const activeLow = bool(b.activeLow, true);
  const pin = str(b.pin, "");
  return {
    name: str(b.name, ""),
    pin,
    relay: strOrNull(b.relay),
    action: oneOf(b.action, ["toggle", "on", "off", "momentary", "none"], "toggle"),
    activeLow,
    // Pins 34-39 have no internal resistors: none by default there (the rules ask for an external one).
    pull: oneOf(b.pull, ["up", "down", "none"], esp32Pin(pin)?.inputOnly ? "none" : activeLow ? "up" : "down"),
    debounceMs: num(b.debounceMs, 50),
    holdMs: num(b.holdMs, 10000),
    holdAction: oneOf(b.holdAction, ["none", "restart"], "none"),
  };
}

function statusLed(x: unknown): StatusLedConfig {
  const l = obj(x);
  return { pin: str(l.pin, ""), activeLow: bool(l.activeLow, false), connected: oneOf(l.connected, ["on", "off"], "on") };
}

function relay(x: unknown): RelayConfig {
  const r = obj(x);
  let failsafe: FailsafeConfig | null = null;
  if (r.failsafe !== null && typeof r.failsafe === "object") {
    failsafe = { state: oneOf(r.failsafe.state, ["off", "on"], "off"), afterSec: num(r.failsafe.afterSec, 0) };
  }
  return {
    name: str(r.name, ""),
    pin: str(r.pin, ""),
    activeLow: bool(r.activeLow, false),
    powerOn: oneOf(r.powerOn, ["off", "on", "restore"], "off"),
    failsafe,
    pulseMs: num(r.pulseMs, 0),
    interlock: strOrNull(r.interlock),
    deviceClass: strOrNull(r.deviceClass),
  };
}

function sensor(x: unknown): SensorConfig {
  const s = obj(x);
  const type = oneOf(s.type, ["digital", "analog", "counter", "ds18b20", "dht22"], "digital");
  const pin = str(s.pin, "");
  if (type === "ds18b20" || type === "dht22") return busSensor(s, type, pin);
  const scale = num(s.scale, 1);
  const digital = type === "digital";
  const analog = type === "analog";
  const counter = type === "counter";
  return {
    name: str(s.name, ""),
    type,
    pin,
    // Pins 34-39 have no internal resistors, so they default to none there.
    pull: analog ? "none" : oneOf(s.pull, ["up", "down", "none"], esp32Pin(pin)?.inputOnly ? "none" : "up"),
    invert: digital ? bool(s.invert, false) : false,
    debounceMs: analog ? 0 : num(s.debounceMs, digital ? 50 : 10),
    scale: digital ? 1 : scale,
    unit: digital ? "" : str(s.unit, ""),
    delta: analog ? num(s.delta, Math.abs(scale) / 100) : 0,
    periodMs: analog ? num(s.periodMs, 1000) : 0,
    edge: counter ? oneOf(s.edge, ["rising", "falling", "both"], "falling") : "both",
    decimals: digital ? 0 : num(s.decimals, analog ? analogDecimals(scale) : counterDecimals(scale)),
    deviceClass: strOrNull(s.deviceClass),
  };
}

// A sensor read over a bus: its unit follows from what it measures; rom and measure only where they apply
// (each key of the embedded config costs JsVars on the board).
function busSensor(s: Record<string, any>, type: "ds18b20" | "dht22", pin: string): SensorConfig {
  const humidity = type === "dht22" && s.measure === "humidity";
  const out: SensorConfig = {
    name: str(s.name, ""), type, pin, pull: "none", invert: false, debounceMs: 0, scale: 1,
    unit: humidity ? "%" : "\u00b0C", delta: num(s.delta, 0), periodMs: num(s.periodSec, 60) * 1000, edge: "both",
    decimals: num(s.decimals, 1), deviceClass: humidity ? "humidity" : "temperature",
  };
  if (type === "ds18b20") out.rom = typeof s.rom === "string" ? s.rom.toLowerCase() : null;
  else out.measure = humidity ? "humidity" : "temperature";
  return out;
}

// ---- rules beyond the schema ----------------------------------------------------------------------

function charName(c: string): string {
  const code = c.charCodeAt(0);
  if (c === " ") return "a space";
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
    return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return `"${c}"`;
}

/** The first character outside printable ASCII, or null. */
function nonAscii(s: string): string | null {
  const m = /[^\x20-\x7e]/.exec(s);
  return m ? m[0] : null;
}

const EIGHT_BIT = "only printable ASCII reaches the broker intact (the ESP32 interpreter's strings are 8-bit)";

/** A string that ends up inside topics (id, names, templates): printable ASCII or an error. */
function checkTopicText(path: string, s: string, r: Report): boolean {
  const c = nonAscii(s);
  if (c === null) return true;
  r.error(path, `contains ${charName(c)}; ${EIGHT_BIT}`);
  return false;
}

/**
 * The id or a relay/sensor name: one topic level, and a level of Home Assistant discovery topics, where
 * HA takes only A-Z, a-z, 0-9, "_" and "-" (discovery.py TOPIC_MATCHER): with discovery on, anything else
 * is an error (HA would log "illegal discovery topic" and never create the entity).
 */
function checkName(path: string, s: string, r: Report, discovery: boolean): void {
  if (r.isBad(path) || !checkTopicText(path, s, r)) return;
  const m = /[^A-Za-z0-9_-]/.exec(s);
  if (!m) return;
  const only = 'only A-Z, a-z, 0-9, "_" and "-"';
  if (discovery) {
    r.error(path, `"${s}" contains ${charName(m[0])}; Home Assistant takes ${only} in discovery topics and would never create the entity`);
  } else {
    r.warn(path, `"${s}" contains ${charName(m[0])}; Home Assistant object ids and many tools expect ${only}`);
  }
}

interface Concrete {
  topic: string;
  template: string;
  label: string;
}

/** structure false: skip the "$" and empty-level checks (already reported on topics.prefix). */
function checkTopicName(path: string, topic: string, r: Report, structure = true): void {
  if (topic.length === 0) {
    r.error(path, "expands to an empty topic");
    return;
  }
  const wild = /[+#\u0000]/.exec(topic);
  if (wild) r.error(path, `"${topic}" contains ${wild[0] === "\u0000" ? "NUL" : `"${wild[0]}"`}; a topic name cannot`);
  const bytes = Buffer.byteLength(topic, "utf8");
  if (bytes > 65535) r.error(path, `expands to ${bytes} bytes; an MQTT topic has at most 65535`);
  if (!structure) return;
  if (topic.startsWith("$")) r.error(path, `"${topic}" starts with "$", which is reserved for the broker's own topics ($SYS)`);
  if (topic.split("/").includes("")) r.warn(path, `"${topic}" has an empty topic level`);
}

function checkTopics(c: DeviceConfig, raw: any, r: Report): void {
  const topicsIn = obj(obj(raw).topics);
  const usable = new Set<keyof TopicsConfig>();
  for (const key of TOPIC_KEYS) {
    const path = `topics.${key}`;
    if (r.isBad(path)) continue;
    const template = str(topicsIn[key], TOPIC_DEFAULTS[key]!);
    if (!checkTopicText(path, template, r)) continue;
    let ok = true;
    const allowed = PLACEHOLDERS[key];
    for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
      if (allowed.includes(m[1])) continue;
      ok = false;
      const use = allowed.map((a) => `{${a}}`).join(", ");
      const known = ["prefix", "id", "name"].includes(m[1]);
      r.error(path, known ? `${m[0]} cannot be used here (use ${use})` : `unknown placeholder ${m[0]} (use ${use})`);
    }
    if (key === "relaySet" && !template.includes("{name}")) {
      ok = false;
      r.error(path, "must contain {name}, else commands for different relays collide");
    }
    if (key === "command" && !template.includes("{name}")) {
      ok = false;
      r.error(path, "must contain {name}, else the console commands collide");
    }
    if (ok) usable.add(key);
  }
  if (r.isBad("id") || !usable.has("prefix")) return;
  // A prefix problem shows once, on topics.prefix, not again in every topic built from it.
  const before = r.errors.length + r.warnings.length;
  checkTopicName("topics.prefix", c.topics.prefix, r);
  const prefixClean = r.errors.length + r.warnings.length === before;

  const all: Concrete[] = [];
  const add = (key: keyof TopicsConfig, topic: string, label: string) => {
    const template = `topics.${key}`;
    const raw = str(topicsIn[key], TOPIC_DEFAULTS[key]!);
    checkTopicName(template, topic, r, prefixClean || !raw.includes("{prefix}"));
    all.push({ topic, template, label });
  };
  for (const key of ["status", "telemetry", "error"] as const) {
    if (usable.has(key)) add(key, c.topics[key], `the ${key} topic`);
  }
  // The console's topics exist only when its commands are on.
  if (c.commands.console && usable.has("info")) add("info", c.topics.info!, "the info topic");
  const named = (key: keyof TopicsConfig, list: { name: string }[], what: string, kind: string) => {
    if (!usable.has(key)) return;
    list.forEach((item, i) => {
      if (r.isBad(`${what}[${i}].name`) || r.isBad(`${what}[${i}]`)) return;
      add(key, c.topics[key]!.split("{name}").join(item.name), `the ${kind} topic of ${what}[${i}]`);
    });
  };
  named("relaySet", c.relays, "relays", "set");
  named("relayState", c.relays, "relays", "state");
  named("sensorState", c.sensors, "sensors", "state");
  if (c.commands.console && usable.has("command")) {
    for (const name of CONSOLE_COMMANDS) add("command", c.topics.command!.split("{name}").join(name), `the console's ${name} command topic`);
  }

  // Home Assistant's birth topic is one the board listens to: a topic of its own there would be heard as
  // Home Assistant restarting, and announcing everything again would answer itself without end.
  if (c.discovery.enabled) {
    const birth = `${c.discovery.prefix}/${BIRTH.topicLevel}`;
    for (const t of all) {
      if (t.topic === birth) r.error(t.template, `${t.label} is "${birth}", where Home Assistant announces that it started`);
    }
  }

  // Two uses of one topic: commands would reach the wrong relay, or the board would hear its own reports.
  const first = new Map<string, Concrete>();
  const reportedPairs = new Set<string>();
  for (const t of all) {
    const a = first.get(t.topic);
    if (!a) {
      first.set(t.topic, t);
      continue;
    }
    const pair = `${a.template}|${t.template}`;
    if (reportedPairs.has(pair)) continue;
    reportedPairs.add(pair);
    r.error(t.template, `${t.label} is "${t.topic}", the same as ${a.label}`);
  }

  // What the board subscribes to must not match what it publishes: it would hear its own retained status,
  // states and reports as commands, refuse them on its error topic, hear that too, and so on without end.
  // The filters are the firmware's own (topicNames); a topic equal to a command topic, or an exact filter,
  // is a duplicate reported above.
  let names: TopicNames;
  try {
    names = topicNames(c);
  } catch {
    return; // a topic the firmware refuses, reported above
  }
  const published = all.filter((t) => t.template !== "topics.relaySet" && t.template !== "topics.command");
  const listens = (key: "relaySet" | "command", filters: string[], own: string[], what: string) => {
    for (const filter of filters) {
      if (!filter.includes("+")) continue;
      const f = Buffer.from(filter);
      for (const t of published) {
        const b = Buffer.from(t.topic);
        if (!own.includes(t.topic) && topicMatches(b, 0, b.length, f, 0, f.length)) {
          r.error(`topics.${key}`, `${what} subscribe to "${filter}", which matches ${t.label} "${t.topic}": the board would take its own messages for commands`);
        }
      }
    }
  };
  if (usable.has("relaySet")) listens("relaySet", names.commandFilters, names.relaySet, "the relays' commands");
  if (c.commands.console && usable.has("command")) listens("command", names.consoleFilters, names.consoleTopics, "the console's commands");
}

/** Two sensors that may share a pin: DS18B20s on one OneWire bus, the two values of one DHT22. */
function sharesBus(a: SensorConfig | null, b: SensorConfig | null): boolean {
  return a !== null && b !== null && a.type === b.type && (a.type === "ds18b20" || a.type === "dht22");
}

function checkPins(c: DeviceConfig, r: Report): void {
  const used = new Map<string, { path: string; sensor: SensorConfig | null }>();
  const items: { path: string; pin: string; relay: boolean; sensor: SensorConfig | null; pull?: string }[] = [
    ...c.relays.map((x, i) => ({ path: `relays[${i}]`, pin: x.pin, relay: true, sensor: null })),
    ...c.sensors.map((x, i) => ({ path: `sensors[${i}]`, pin: x.pin, relay: false, sensor: x })),
    // Outputs are checked as relays are, inputs with a pull as sensors are.
    ...(c.buttons ?? []).map((x, i) => ({ path: `buttons[${i}]`, pin: x.pin, relay: false, sensor: null, pull: x.pull })),
    ...(c.statusLed ? [{ path: "statusLed", pin: c.statusLed.pin, relay: true, sensor: null }] : []),
  ];
  for (const it of items) {
    const path = `${it.path}.pin`;
    if (r.isBad(path)) continue;
    const pin = esp32Pin(it.pin);
    if (!pin) {
      r.error(path, `${it.pin} does not exist on ESP32 (GPIO ${gpioRanges()})`);
      continue;
    }
    if (pin.flash) {
      r.error(path, `${it.pin} is wired to the SPI flash on ESP32 (GPIO 6-11); using it crashes the board`);
      continue;
    }
    const owner = used.get(it.pin);
    if (owner !== undefined && !sharesBus(owner.sensor, it.sensor)) r.error(path, `${it.pin} is already used by ${owner.path}`);
    else if (owner === undefined) used.set(it.pin, { path: it.path, sensor: it.sensor });
    if (it.relay && pin.inputOnly) r.error(path, `${it.pin} is input-only on ESP32`);
    const s = it.sensor;
    if (s && (s.type === "ds18b20" || s.type === "dht22") && pin.inputOnly) {
      r.error(path, `${it.pin} is input-only on ESP32; a ${s.type === "ds18b20" ? "OneWire" : "DHT22"} line is also driven by the board`);
    }
    if (s && s.type === "analog") {
      if (pin.adc === null) {
        r.error(path, `${it.pin} is not an analog input on ESP32; use an ADC1 pin (D32-D39)`);
      } else if (pin.adc === "ADC2") {
        r.error(path, `${it.pin} is on ADC2, which cannot be read while WiFi is on; use an ADC1 pin (D32-D39)`);
      }
    }
    // An explicit pull on 34-39 would silently do nothing: the input floats and reports noise, so refuse it.
    const pull = s ? s.pull : it.pull;
    if (pull !== undefined && pin.inputOnly && pull !== "none" && !r.isBad(`${it.path}.pull`)) {
      r.error(`${it.path}.pull`, `${it.pin} has no internal pull-${pull} resistor (GPIO 34-39); use "none" and fit an external resistor`);
    }
    if (pin.strapping) r.warn(path, `${pin.strapping}`);
    if (pin.console) {
      r.warn(path, `${it.pin} is the serial console's ${pin.gpio === 1 ? "TX" : "RX"} (UART0), which Espruino's console and flashing use`);
    } else if (it.relay && pin.bootSignal) {
      r.warn(path, `${it.pin} outputs a signal while the ESP32 boots; the relay may click at every reset`);
    }
    if (pin.rarelyExposed) r.warn(path, `${it.pin} is not brought out on most ESP32 modules (WROOM, WROVER)`);
  }
}

function checkRelays(c: DeviceConfig, r: Report): void {
  const groups = new Map<string, number[]>();
  c.relays.forEach((x, i) => {
    if (x.interlock !== null && !r.isBad(`relays[${i}].interlock`)) {
      groups.set(x.interlock, [...(groups.get(x.interlock) ?? []), i]);
    }
  });
  for (const [group, members] of groups) {
    if (members.length === 1) {
      r.warn(`relays[${members[0]}].interlock`, `group "${group}" has no other relay, so the interlock does nothing`);
    }
    // Two relays of one group that must be on at the same moment contradict the interlock.
    const conflict = (path: string, on: (x: RelayConfig) => boolean, what: string) => {
      const ons = members.filter((i) => on(c.relays[i]) && !r.isBad(`relays[${i}].${path}`));
      for (const i of ons.slice(1)) {
        r.error(`relays[${i}].${path}`, `"on" conflicts with relays[${ons[0]}] in interlock group "${group}": only one may be on ${what}`);
      }
    };
    conflict("powerOn", (x) => x.powerOn === "on", "at power-on");
    conflict("failsafe.state", (x) => x.failsafe?.state === "on", "in the fail-safe state");
  }
}

function checkSensors(c: DeviceConfig, r: Report): void {
  c.sensors.forEach((s, i) => {
    const p = `sensors[${i}]`;
    if (s.type !== "digital" && s.scale === 0 && !r.isBad(`${p}.scale`)) r.error(`${p}.scale`, "must not be 0");
    if (s.type === "analog" && s.scale !== 0 && s.delta >= Math.abs(s.scale) && !r.isBad(`${p}.delta`)) {
      r.warn(`${p}.delta`, `${s.delta} is not below the full scale (${Math.abs(s.scale)}), so changes are never reported`);
    }
  });
}

// The sensors on one pin are read together: one period, a ROM for each DS18B20 when there are several,
// each DHT22 value once; a ROM's last byte is the CRC of the others, so a typo shows here.
function checkBusSensors(c: DeviceConfig, r: Report): void {
  const byPin = new Map<string, number[]>();
  c.sensors.forEach((s, i) => {
    if (s.type !== "ds18b20" && s.type !== "dht22") return;
    if (r.isBad(`sensors[${i}]`) || r.isBad(`sensors[${i}].pin`)) return;
    byPin.set(s.pin, [...(byPin.get(s.pin) ?? []), i]);
    const p = `sensors[${i}]`;
    if (s.type === "dht22" && s.periodMs < 2000 && !r.isBad(`${p}.periodSec`)) {
      r.error(`${p}.periodSec`, "must be at least 2: a DHT22 may be read every 2 s at most");
    }
    if (s.type === "ds18b20" && s.rom && !r.isBad(`${p}.rom`)) {
      const bytes = s.rom.match(/../g)!.map((h) => parseInt(h, 16));
      if (crc8(Uint8Array.from(bytes), 7) !== bytes[7]) {
        r.error(`${p}.rom`, `"${s.rom}" fails its CRC (the last byte checks the other seven): a typo? The board's log lists the ROMs it finds`);
      } else if (bytes[0] !== 0x28) {
        r.warn(`${p}.rom`, `family code ${s.rom.slice(0, 2)} is not a DS18B20's (28): a DS18S20 (10) or DS1822 (22) reads in other units`);
      }
    }
  });
  for (const [pin, members] of byPin) {
    const first = members[0];
    const ds = members.filter((i) => c.sensors[i].type === "ds18b20");
    for (const i of members.slice(1)) {
      if (c.sensors[i].periodMs !== c.sensors[first].periodMs && !r.isBad(`sensors[${i}].periodSec`)) {
        r.error(`sensors[${i}].periodSec`, `must equal sensors[${first}].periodSec (${c.sensors[first].periodMs / 1000}): the sensors on ${pin} are read together`);
      }
    }
    if (ds.length > 1) {
      const roms = new Map<string, number>();
      for (const i of ds) {
        const rom = c.sensors[i].rom;
        if (!rom) {
          if (!r.isBad(`sensors[${i}].rom`)) r.error(`sensors[${i}].rom`, `missing: ${ds.length} DS18B20 share ${pin}, each needs its ROM (the board's log lists the ROMs it finds at boot)`);
          continue;
        }
        const twin = roms.get(rom);
        if (twin !== undefined) r.error(`sensors[${i}].rom`, `"${rom}" is already sensors[${twin}]'s`);
        else roms.set(rom, i);
      }
    }
    const measures = new Map<string, number>();
    for (const i of members) {
      const m = c.sensors[i].measure;
      if (c.sensors[i].type !== "dht22" || m === undefined) continue;
      const twin = measures.get(m);
      if (twin !== undefined) r.error(`sensors[${i}].measure`, `"${m}" is already reported by sensors[${twin}] (one DHT22 on ${pin})`);
      else measures.set(m, i);
    }
  }
}

function checkButtons(c: DeviceConfig, r: Report): void {
  const names = new Map<string, number>();
  (c.buttons ?? []).forEach((b, i) => {
    const p = `buttons[${i}]`;
    if (!r.isBad(`${p}.name`)) {
      const first = names.get(b.name);
      if (first !== undefined) r.error(`${p}.name`, `"${b.name}" is already used by buttons[${first}]`);
      else names.set(b.name, i);
    }
    if (r.isBad(`${p}.relay`) || r.isBad(`${p}.action`)) return;
    if (b.relay === null) {
      if (b.action !== "none") {
        r.error(`${p}.relay`, `missing: action "${b.action}" switches a relay (use action "none" for a button with only a holdAction)`);
      } else if (b.holdAction === "none") r.warn(p, "action and holdAction are both \"none\": the button does nothing");
      return;
    }
    if (!c.relays.some((x) => x.name === b.relay)) {
      const known = c.relays.map((x) => x.name).join(", ");
      r.error(`${p}.relay`, `no relay "${b.relay}"${known ? ` (relays: ${known})` : " (the board has no relays)"}`);
    } else if (b.action === "none") {
      r.warn(`${p}.relay`, `action "none" never switches "${b.relay}"`);
    }
  });
}

function checkNames(c: DeviceConfig, r: Report): void {
  const discovery = c.discovery.enabled;
  checkName("id", c.id, r, discovery);
  const seen = new Map<string, string>();
  const items = [
    ...c.relays.map((x, i) => ({ owner: `relays[${i}]`, name: x.name })),
    ...c.sensors.map((x, i) => ({ owner: `sensors[${i}]`, name: x.name })),
  ];
  for (const it of items) {
    const path = `${it.owner}.name`;
    if (r.isBad(path)) continue;
    checkName(path, it.name, r, discovery);
    if (discovery && DIAGNOSTIC_NAMES.split(",").includes(it.name)) {
      r.error(path, `"${it.name}" is the board's own diagnostic entity in Home Assistant; choose another name`);
      r.markBad(path);
      continue;
    }
    if (discovery && c.commands.console && it.name === RESTART_KEY) {
      r.error(path, `"${it.name}" is the board's restart button in Home Assistant (commands.console); choose another name`);
      r.markBad(path);
      continue;
    }
    const owner = seen.get(it.name);
    // One namespace for relays and sensors: telemetry, logs and discovery ids name them side by side.
    if (owner !== undefined) {
      r.error(path, `"${it.name}" is already used by ${owner}`);
      r.markBad(path); // its topics collide too; one message is enough
    } else {
      seen.set(it.name, it.owner);
    }
  }
}

function checkConnection(c: DeviceConfig, raw: any, r: Report, fromEnv: Map<string, Secret>): void {
  const m = c.mqtt;
  const mqttIn = obj(obj(raw).mqtt);
  if (m.password !== null && m.username === null && !r.isBad("mqtt.password")) {
    r.error("mqtt.password", "needs mqtt.username (MQTT 3.1.1 cannot send a password without a user name)");
  }
  if (mqttIn.port !== undefined && !r.isBad("mqtt.port") && !r.isBad("mqtt.tls")) {
    if (!m.tls && m.port === 8883) r.warn("mqtt.port", "8883 is the usual port for MQTT over TLS, but mqtt.tls is false");
    if (m.tls && m.port === 1883) r.warn("mqtt.port", "1883 is the usual port for plain MQTT, but mqtt.tls is true");
  }
  const idPath = mqttIn.clientId === undefined ? "id" : "mqtt.clientId";
  if (!r.isBad(idPath) && checkTopicText(idPath, m.clientId, r) && m.clientId.length > 23) {
    r.warn(idPath, `the MQTT client id "${m.clientId}" has ${m.clientId.length} characters; brokers need only accept 23`);
  }
  if (!r.isBad("discovery.prefix") && checkTopicText("discovery.prefix", c.discovery.prefix, r)) {
    // With discovery on, Home Assistant's rules (prefixProblems) say more than the generic warnings.
    const before = r.errors.length;
    checkTopicName("discovery.prefix", c.discovery.prefix, r, !c.discovery.enabled);
    if (c.discovery.enabled && r.errors.length === before) {
      for (const m of prefixProblems(c.discovery.prefix)) r.error("discovery.prefix", m);
    }
  }
  if (c.discovery.enabled) {
    for (const p of deviceClassProblems(c, (path) => r.isBad(path))) r.error(p.path, p.message);
  }
  // Only a board with no other error is started dry: a broken one may not even be a DeviceConfig.
  if (r.errors.length === 0) {
    for (const p of startupProblems(encodeUnits(c), idPath)) r.error(p.path, p.message);
  }
  if (m.keepAlive === 0 && !r.isBad("mqtt.keepAlive")) {
    const fs = c.relays.findIndex((x) => x.failsafe !== null);
    r.warn("mqtt.keepAlive", fs < 0
      ? "0 turns keep alive off, so a silently dead broker connection is never noticed"
      : `0 turns keep alive off, so a silently dead broker connection is never noticed and relays[${fs}].failsafe may never apply`);
  }
  // Secrets belong in the environment; text outside ASCII goes to the radio and broker as 8-bit bytes.
  const secret = (path: string, value: string | null, name: string) => {
    if (value && !fromEnv.has(path) && !r.isBad(path)) {
      r.warn(path, `the password is written in the file; write "$${name}" and set it in the environment`);
    }
  };
  secret("wifi.password", c.wifi.password, "WIFI_PASSWORD");
  secret("mqtt.password", m.password, "MQTT_PASSWORD");
  const pw = c.wifi.password;
  if (!r.isBad("wifi.password") && pw !== "" && !(pw.length >= 8 && pw.length <= 63) && !/^[0-9a-fA-F]{64}$/.test(pw)) {
    r.warn("wifi.password", "a WPA2 passphrase has 8 to 63 characters");
  }
  const texts: [string, string | null][] = [
    ["wifi.ssid", c.wifi.ssid], ["wifi.password", pw], ["mqtt.host", m.host],
    ["mqtt.username", m.username], ["mqtt.password", m.password],
  ];
  for (const [path, value] of texts) {
    const ch = value === null || r.isBad(path) ? null : nonAscii(value);
    if (ch !== null) r.warn(path, `contains a character outside printable ASCII; ${EIGHT_BIT}`);
  }
}

function checkBoard(c: DeviceConfig, raw: any, r: Report, fromEnv: Map<string, Secret>): void {
  if (r.isBad("(root)")) return;
  checkNames(c, r);
  checkPins(c, r);
  checkRelays(c, r);
  checkSensors(c, r);
  checkBusSensors(c, r);
  checkButtons(c, r);
  if (c.console?.telnet) {
    r.warn("console.telnet", "the telnet console has no password and no encryption: anyone who can reach the board's address can read its WiFi and MQTT passwords, switch the relays and replace the firmware");
  }
  checkTopics(c, raw, r);
  checkConnection(c, raw, r, fromEnv);
}
