// Reads a scenario file (YAML) into checked steps. Everything that can be wrong with a file is found
// here, before anything runs, and named with the file and line: YAML errors, unknown keys and steps,
// missing or mistyped values, durations without units, bad topics and regular expressions, relays,
// sensors, buttons, pins and a status LED the board does not have. The board's path resolves from the
// file's folder.
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import type { DeviceConfig } from "../../firmware/device/config";
import { validateTopicName, OK, errorRule } from "../../firmware/mqtt";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import { BoardError } from "../board/load";
import { loadSimBoard } from "../cli/sim-board";
import { formatMs, parseDuration } from "./duration";
import { checkMatch, expandTopic, type MessageMatch } from "./match";
import {
  DEFAULT_RATE, DEFAULT_WITHIN, LED_PATTERNS, PACKET_TYPES, PIN_NAME, measureRange, type InputValue,
} from "./session";
import type { LedPattern } from "../runner/led-observer";
import type { Scenario, Step, StepKind } from "./steps";

export const STEP_KINDS: readonly StepKind[] = [
  "publish", "expect", "expect-none", "input", "expect-relay", "expect-pin", "advance", "wait", "broker", "link",
  "power", "expect-log", "press", "wifi", "expect-led", "expect-packet",
];
const TOP_KEYS = ["name", "board", "steps"];

/** A file that cannot run: every problem as "file:line: message". */
export class ScenarioFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ScenarioFileError";
  }
}

export interface LoadOptions {
  /** The board when the file names none (the command line's --board). */
  defaultBoard: string;
  /** Where "$NAME" secrets come from (unset ones are empty, as in the simulator). */
  env: NodeJS.ProcessEnv;
}

/** One problem at a node; thrown inside a step, caught per step so that a file reports them all. */
class Problem extends Error {
  constructor(readonly node: Node | null | undefined, message: string) {
    super(message);
  }
}

/** loadScenario(file, options) -> the scenario; throws ScenarioFileError naming each problem's line. */
export function loadScenario(file: string, options: LoadOptions): Scenario {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ScenarioFileError([`${path}: cannot read: ${(e as Error).message}`]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const at = (node: Node | null | undefined) => `${path}:${node?.range ? lc.linePos(node.range[0]).line : 1}`;
  if (doc.errors.length > 0) {
    throw new ScenarioFileError(doc.errors.map((e) => `${path}:${lc.linePos(e.pos[0]).line}: YAML: ${e.message.split("\n")[0]}`));
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioFileError([`${at(root)}: a scenario is a mapping with name, board and steps`]);
  const problems: string[] = [];
  const top = new Map<string, Pair<Node, Node | null>>();
  for (const pair of (root as YAMLMap<Node, Node | null>).items) {
    const key = keyName(pair);
    if (!TOP_KEYS.includes(key)) problems.push(`${at(pair.key)}: unknown key "${key}": a scenario has ${TOP_KEYS.join(", ")}`);
    else top.set(key, pair);
  }
  let name = basename(path).replace(/\.ya?ml$/, "");
  const namePair = top.get("name");
  if (namePair) {
    const v = namePair.value;
    if (isScalar(v) && typeof v.value === "string" && v.value.trim() !== "") name = v.value;
    else problems.push(`${at(v ?? namePair.key)}: name: give the scenario's name as text`);
  }
  let boardFile = resolve(options.defaultBoard);
  const boardPair = top.get("board");
  if (boardPair) {
    const v = boardPair.value;
    if (isScalar(v) && typeof v.value === "string" && v.value !== "") boardFile = resolve(dirname(path), v.value);
    else problems.push(`${at(v ?? boardPair.key)}: board: give the board file's path (from this file's folder)`);
  }
  let config: DeviceConfig | null = null;
  try {
    config = loadSimBoard(boardFile, options.env).config;
  } catch (e) {
    const where = at(boardPair?.value ?? root);
    if (e instanceof BoardError) for (const p of e.problems) problems.push(`${where}: board ${boardFile}: ${p}`);
    else problems.push(`${where}: board ${boardFile}: ${(e as Error).message}`);
  }
  const stepsPair = top.get("steps");
  const steps: Step[] = [];
  if (!stepsPair) problems.push(`${at(root)}: no steps: a scenario needs a list of steps`);
  else if (!isSeq(stepsPair.value) || stepsPair.value.items.length === 0) {
    problems.push(`${at(stepsPair.value ?? stepsPair.key)}: steps: give a list of steps (- expect: ..., - publish: ...)`);
  } else if (config) {
    for (const item of stepsPair.value.items as (Node | null)[]) {
      try {
        steps.push(readStep(item, config, (n) => (n?.range ? lc.linePos(n.range[0]).line : 1)));
      } catch (e) {
        if (!(e instanceof Problem)) throw e;
        problems.push(`${at(e.node ?? item)}: ${e.message}`);
      }
    }
  }
  if (problems.length > 0 || !config) throw new ScenarioFileError(problems);
  return { file: path, name, boardFile, config, steps, usesLink: steps.some((s) => s.kind === "link") };
}

function keyName(pair: Pair<unknown, unknown>): string {
  const k = pair.key;
  return isScalar(k) ? String(k.value) : String(k);
}

// ---- steps ----

function readStep(item: Node | null, config: DeviceConfig, lineOf: (n: Node | null | undefined) => number): Step {
  if (!isMap(item) || item.items.length !== 1) {
    throw new Problem(item, `a step is one of ${STEP_KINDS.join(", ")}, written "- kind: value"`);
  }
  const pair = item.items[0] as Pair<Node, Node | null>;
  const kind = keyName(pair);
  const v = pair.value;
  const line = lineOf(pair.key);
  const r = new StepReader(kind, v, config);
  switch (kind) {
    case "publish": {
      const m = r.map(["topic", "payload", "qos", "retain"], ["topic", "payload"]);
      const topic = r.topicName(m.get("topic")!);
      return { line, kind, topic, payload: r.payload(m.get("payload")!), qos: r.qos(m.get("qos")) ?? 0, retain: r.bool(m.get("retain")) ?? false };
    }
    case "expect": {
      const m = r.map(["topic", "payload", "match", "json", "retained", "qos", "within"], ["topic"]);
      return { line, kind, match: r.match(m, item), withinMs: r.duration(m.get("within")) ?? fromDefault(DEFAULT_WITHIN) };
    }
    case "expect-none": {
      const m = r.map(["topic", "payload", "match", "json", "retained", "qos", "for"], ["topic", "for"]);
      return { line, kind, match: r.match(m, item), forMs: r.duration(m.get("for"))! };
    }
    case "input":
      return { line, kind, ...r.input() };
    case "expect-relay": {
      const { names, within, pin } = r.named(["within", "pin"], "relay");
      const relays: Record<string, "on" | "off"> = {};
      for (const [name, node] of names) {
        if (!config.relays.some((x) => x.name === name)) throw new Problem(node.key, `no relay ${name}: the board has ${list(config.relays.map((x) => x.name))}`);
        relays[name] = r.oneOf(node.value, ["on", "off"], `${name}: on or off`) as "on" | "off";
      }
      if (names.length === 0) throw new Problem(v, "expect-relay: name a relay: { pump: on }");
      const level = pin ? (r.level(pin.value) as "low" | "high") : null;
      if (pin && names.length !== 1) throw new Problem(pin.key, "pin: goes with exactly one relay (use expect-pin for pins)");
      return { line, kind, relays, pin: level, withinMs: r.duration(within?.value) ?? fromDefault(DEFAULT_WITHIN) };
    }
    case "expect-pin": {
      const { names, within } = r.named(["within"], "pin");
      const pins: Record<string, "low" | "high"> = {};
      for (const [name, node] of names) {
        if (!PIN_NAME.test(name)) throw new Problem(node.key, `no pin ${name}: pins are D0..D39`);
        pins[name] = r.level(node.value) as "low" | "high";
      }
      if (names.length === 0) throw new Problem(v, "expect-pin: name a pin: { D26: low }");
      return { line, kind, pins, withinMs: r.duration(within?.value) ?? fromDefault(DEFAULT_WITHIN) };
    }
    case "advance":
    case "wait":
      return { line, kind, ms: r.duration(v)! };
    case "broker":
      return { line, kind, action: r.oneOf(v, ["stop", "start", "restart"], "broker: stop, start or restart") as "stop" | "start" | "restart" };
    case "link":
      return { line, kind, action: r.oneOf(v, ["cut", "stall", "restore"], "link: cut, stall or restore") as "cut" | "stall" | "restore" };
    case "power":
      return { line, kind, action: r.oneOf(v, ["off", "on"], "power: off or on") as "off" | "on" };
    case "expect-log": {
      if (isScalar(v)) return { line, kind, text: r.text(v, "expect-log"), match: null, withinMs: fromDefault(DEFAULT_WITHIN) };
      const m = r.map(["text", "match", "within"], []);
      const text = m.has("text") ? r.text(m.get("text")!, "text") : null;
      const match = m.has("match") ? r.regex(m.get("match")!) : null;
      if ((text === null) === (match === null)) throw new Problem(v, "expect-log: give one of text and match");
      return { line, kind, text, match, withinMs: r.duration(m.get("within")) ?? fromDefault(DEFAULT_WITHIN) };
    }
    case "press": {
      const m = isScalar(v) ? null : r.map(["button", "for"], ["button"]);
      const nameNode = m ? m.get("button")! : (v as Node);
      const name = r.text(nameNode, "button");
      const b = (config.buttons ?? []).find((x) => x.name === name);
      if (!b) throw new Problem(nameNode, `no button ${name}: the board has ${list((config.buttons ?? []).map((x) => x.name))}`);
      const forMs = m ? r.duration(m.get("for")) ?? null : null;
      if (forMs !== null && forMs <= b.debounceMs) {
        throw new Problem(m!.get("for"), `press: for ${formatMs(forMs)} is not longer than ${name}'s debounce (${formatMs(b.debounceMs)}): the board would not see the press`);
      }
      return { line, kind, button: name, forMs };
    }
    case "wifi":
      return { line, kind, action: r.oneOf(v, ["off", "on"], "wifi: off or on") as "off" | "on" };
    case "expect-led": {
      if (!config.statusLed) throw new Problem(pair.key, "expect-led: the board has no statusLed");
      const m = isScalar(v) ? null : r.map(["pattern", "within"], ["pattern"]);
      const hint = `the pattern is ${LED_PATTERNS.join(", ")}`;
      const pattern = r.oneOf(m ? m.get("pattern")! : v, LED_PATTERNS as string[], hint) as LedPattern;
      return { line, kind, pattern, withinMs: (m && r.duration(m.get("within"))) ?? fromDefault(DEFAULT_WITHIN) };
    }
    case "expect-packet": {
      const m = isScalar(v) ? null : r.map(["type", "dir", "within"], ["type"]);
      const typeNode = m ? m.get("type")! : v;
      const type = isScalar(typeNode) && typeof typeNode.value === "string" ? typeNode.value.toUpperCase() : "";
      if (!PACKET_TYPES.includes(type)) throw new Problem(typeNode, `expect-packet: the type is one of ${PACKET_TYPES.join(", ")}`);
      const dir = m && m.has("dir") ? (r.oneOf(m.get("dir")!, ["out", "in"], "dir is out (from the board) or in") as "out" | "in") : "out";
      return { line, kind, type, dir, withinMs: (m && r.duration(m.get("within"))) ?? fromDefault(DEFAULT_WITHIN) };
    }
    default:
      throw new Problem(pair.key, `unknown step "${kind}": steps are ${STEP_KINDS.join(", ")}`);
  }
}

function fromDefault(d: string | number): number {
  return typeof d === "number" ? d : (parseDuration(d) as number);
}

function list(names: string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

/** Reads the value of one step, naming the step in its messages. */
class StepReader {
  constructor(private readonly kind: string, private readonly v: Node | null, private readonly config: DeviceConfig) {}

  /** map(allowed, required) -> the step's keys and value nodes; unknown or missing keys are problems. */
  map(allowed: string[], required: string[]): Map<string, Node> {
    if (!isMap(this.v)) throw new Problem(this.v, `${this.kind}: give ${allowed.join(", ")} as a mapping ({ topic: ..., ... })`);
    const out = new Map<string, Node>();
    for (const pair of this.v.items as Pair<Node, Node | null>[]) {
      const key = keyName(pair);
      if (!allowed.includes(key)) throw new Problem(pair.key, `${this.kind}: unknown key "${key}": it takes ${allowed.join(", ")}`);
      if (pair.value === null) throw new Problem(pair.key, `${this.kind}: ${key} has no value`);
      out.set(key, pair.value);
    }
    for (const k of required) if (!out.has(k)) throw new Problem(this.v, `${this.kind}: ${k} is missing`);
    return out;
  }

  /** named(special, what) -> the entries that are not special keys (relay or pin names), and the special ones. */
  named(special: string[], what: string): { names: [string, Pair<Node, Node>][]; within?: Pair<Node, Node>; pin?: Pair<Node, Node> } {
    if (!isMap(this.v)) throw new Problem(this.v, `${this.kind}: give ${what}s and their states as a mapping`);
    const out: { names: [string, Pair<Node, Node>][]; within?: Pair<Node, Node>; pin?: Pair<Node, Node> } = { names: [] };
    for (const pair of this.v.items as Pair<Node, Node>[]) {
      const key = keyName(pair);
      if (pair.value === null) throw new Problem(pair.key, `${this.kind}: ${key} has no value`);
      if (key === "within" && special.includes(key)) out.within = pair;
      else if (key === "pin" && special.includes(key)) out.pin = pair;
      else out.names.push([key, pair]);
    }
    return out;
  }

  text(n: Node, what: string): string {
    if (!isScalar(n) || typeof n.value !== "string") throw new Problem(n, `${this.kind}: ${what} is text`);
    return n.value;
  }

  /** A payload: text, or a number or boolean written as it reads. */
  payload(n: Node): string {
    if (!isScalar(n) || n.value === null || typeof n.value === "object") throw new Problem(n, `${this.kind}: payload is text (quote it)`);
    return typeof n.value === "string" ? n.value : String(n.source ?? n.value);
  }

  topicName(n: Node): string {
    const t = expandTopic(this.text(n, "topic"), this.config);
    const b = utf8Bytes(t);
    const code = validateTopicName(b, 0, b.length);
    if (t.length === 0 || code !== OK) throw new Problem(n, `${this.kind}: topic "${t}" cannot be published to: ${t.length === 0 ? "it is empty" : errorRule(code)}`);
    return t;
  }

  match(m: Map<string, Node>, at: Node): MessageMatch {
    const match: MessageMatch = { topic: expandTopic(this.text(m.get("topic")!, "topic"), this.config) };
    if (m.has("payload")) match.payload = this.payload(m.get("payload")!);
    if (m.has("match")) match.match = this.regex(m.get("match")!);
    if (m.has("json")) match.json = m.get("json")!.toJSON();
    const retained = this.bool(m.get("retained"));
    if (retained !== undefined) match.retained = retained;
    const qos = this.qos(m.get("qos"));
    if (qos !== undefined) match.qos = qos;
    const problem = checkMatch(match);
    if (problem) throw new Problem(at, `${this.kind}: ${problem}`);
    return match;
  }

  regex(n: Node): string {
    const s = this.text(n, "match");
    try {
      new RegExp(s);
    } catch (e) {
      throw new Problem(n, `${this.kind}: match: ${(e as Error).message}`);
    }
    return s;
  }

  bool(n: Node | undefined): boolean | undefined {
    if (n === undefined) return undefined;
    if (!isScalar(n) || typeof n.value !== "boolean") throw new Problem(n, `${this.kind}: true or false`);
    return n.value;
  }

  qos(n: Node | undefined): 0 | 1 | 2 | undefined {
    if (n === undefined) return undefined;
    if (!isScalar(n) || (n.value !== 0 && n.value !== 1 && n.value !== 2)) throw new Problem(n, `${this.kind}: qos is 0, 1 or 2`);
    return n.value;
  }

  duration(n: Node | null | undefined): number | undefined {
    if (n === undefined) return undefined;
    const ms = isScalar(n) ? parseDuration(n.value) : "give a duration such as 121s or 500ms";
    if (typeof ms === "string") throw new Problem(n, `${this.kind}: ${ms}`);
    return ms;
  }

  oneOf(n: Node | null, values: string[], hint: string): string {
    const s = isScalar(n) && typeof n.value === "string" ? n.value.toLowerCase() : null;
    if (s === null || !values.includes(s)) throw new Problem(n, `${this.kind}: ${hint}`);
    return s;
  }

  /** A pin level: low or high (0 and 1 too). */
  level(n: Node | null): string {
    if (isScalar(n) && (n.value === 0 || n.value === 1)) return n.value === 1 ? "high" : "low";
    return this.oneOf(n, ["low", "high"], "a level is low or high");
  }

  input(): { sensor: string; value: InputValue } {
    const m = this.map(["sensor", "level", "analog", "pulses", "rate", "value", "condition"], ["sensor"]);
    const name = this.text(m.get("sensor")!, "sensor");
    const s = this.config.sensors.find((x) => x.name === name);
    if (!s) throw new Problem(m.get("sensor"), `input: no sensor ${name}: the board has ${list(this.config.sensors.map((x) => x.name))}`);
    const given = ["level", "analog", "pulses", "value", "condition"].filter((k) => m.has(k));
    if (s.type === "ds18b20" || s.type === "dht22") {
      if (given.length !== 1 || (given[0] !== "value" && given[0] !== "condition")) {
        throw new Problem(this.v, `input: ${name} is a ${s.type} sensor: give it a value (what it measures) or a condition (ok, missing, corrupt)`);
      }
      if (given[0] === "condition") {
        return { sensor: name, value: { condition: this.oneOf(m.get("condition")!, ["ok", "missing", "corrupt"], "condition is ok, missing or corrupt") as "ok" | "missing" | "corrupt" } };
      }
      const n = m.get("value")!;
      const [lo, hi] = measureRange(s);
      const unit = s.measure === "humidity" ? "%" : "degrees C";
      if (!isScalar(n) || typeof n.value !== "number" || n.value < lo || n.value > hi) {
        throw new Problem(n, `input: value is what ${name} measures, ${lo} to ${hi} ${unit}`);
      }
      return { sensor: name, value: { value: n.value } };
    }
    const want = s.type === "digital" ? "level" : s.type === "analog" ? "analog" : "pulses";
    if (given.length !== 1 || given[0] !== want) {
      throw new Problem(this.v, `input: ${name} is a ${s.type} sensor: give it ${want}${want === "pulses" ? " (and a rate, pulses a second)" : ""}`);
    }
    if (m.has("rate") && want !== "pulses") throw new Problem(m.get("rate"), "input: rate goes with pulses");
    if (want === "level") return { sensor: name, value: { level: this.level(m.get("level")!) as "low" | "high" } };
    if (want === "analog") {
      const n = m.get("analog")!;
      if (!isScalar(n) || typeof n.value !== "number" || n.value < 0 || n.value > 1) throw new Problem(n, "input: analog is a reading from 0 to 1 of full scale");
      return { sensor: name, value: { analog: n.value } };
    }
    const p = m.get("pulses")!;
    if (!isScalar(p) || !Number.isInteger(p.value) || (p.value as number) < 1) throw new Problem(p, "input: pulses is a whole number from 1");
    const rn = m.get("rate");
    let rate = DEFAULT_RATE;
    if (rn !== undefined) {
      if (!isScalar(rn) || typeof rn.value !== "number" || !(rn.value > 0)) throw new Problem(rn, "input: rate is pulses a second, above 0");
      rate = rn.value;
    }
    return { sensor: name, value: { pulses: p.value as number, rate } };
  }
}
