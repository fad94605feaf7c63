// A simulated board under test: one virtual board (from the sources or as the built bundle) on virtual
// time, a fresh embedded broker (or the user's), optionally a fault proxy on the board's link, and an
// MQTT client that plays the rest of the world. Scenario files run on it step by step (run.ts), and a
// user's own vitest file drives it directly (api.ts documents the entry).
//
// Expectations about messages (and packets) look at what the board published since the last action began
// (publish, input, press, advance, wait, broker, link, power, wifi) and then wait for more, up to `within`
// of board time. Relay, pin and status LED expectations look at the state now and wait likewise.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isIP } from "node:net";
import mqtt from "mqtt";
import type { ConnectionOptions } from "node:tls";
import type { DeviceConfig, SensorConfig } from "../../firmware/device/config";
import { PACKET_NAMES } from "../../firmware/mqtt/packet-types";
import type { SensorCondition } from "../hardware/onewire-bus";
import type { LedPattern } from "../runner/led-observer";
import { topicNames, type TopicNames } from "../../firmware/device/topics";
import { BoardError } from "../board/load";
import { loadBundleBoard, loadSimBoard } from "../cli/sim-board";
import { publicBoard } from "../build/public-board";
import type { Secret } from "../board/load";
import { parseBrokerUrl } from "../cli/sim-args";
import type { SimEvent } from "../runner/events";
import type { BrokerRoute } from "../runner/firmware";
import { Simulator } from "../runner/simulator";
import type { VirtualBoard } from "../runner/virtual-board";
import { VirtualTime } from "../time/virtual-time";
import { seededRandom } from "../platform/seeded-random";
import { builtFirmware } from "./firmware-build";
import { eventLine, eventLines } from "./report-lines";
import { toMs, formatMs, type Duration } from "./duration";
import {
  checkMatch, describeMatch, describeMessage, expandTopic, matches, topicMatchesFilter, type BoardMessage, type MessageMatch,
} from "./match";

export type Mode = "source" | "bundle";

export interface SessionOptions {
  /** The board: a board.json path (its "$NAME" secrets from env, empty when unset), or a loaded config. */
  board: string | DeviceConfig;
  /** "source" (default): the TypeScript sources; "bundle": the built firmware in the Espruino shim. */
  mode?: Mode;
  /**
   * Bundle mode: a file `npm run build` wrote (its board must be this board); absent: the firmware is
   * built from the board, as `npm run build` would.
   */
  bundleFile?: string;
  /** mqtt://HOST:PORT or mqtts://HOST:PORT: the user's broker; absent: a fresh embedded one on a free port. */
  broker?: string;
  /** A CA certificate file for an mqtts:// broker. */
  ca?: string;
  /** Route the board through a fault proxy, so link() can cut or stall it. */
  link?: boolean;
  /** Where "$NAME" secrets of a board file come from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Real ms the clock waits at most for a socket or an answer from the broker (default 2000). */
  settleMs?: number;
  /** Seed of the board's random numbers (reconnect jitter): the same seed, the same run. Default 1. */
  seed?: number;
}

/**
 * A digital level, an analog reading (0..1 of full scale), pulses on a counter at `rate` a second, or what
 * a ds18b20 or dht22 sensor measures (degrees C, % for a DHT22's humidity) or its condition.
 */
export type InputValue =
  | { level: "low" | "high" } | { analog: number } | { pulses: number; rate?: number } | { value: number }
  | { condition: SensorCondition };

/** The patterns the status LED shows (sim/runner/led-observer.ts). */
export const LED_PATTERNS: readonly LedPattern[] = ["no-wifi", "no-broker", "on", "off"];
/** The MQTT packet types an expect-packet step may name. */
export const PACKET_TYPES: readonly string[] = PACKET_NAMES.filter((n) => !n.startsWith("RESERVED"));
/** How long a press holds a button beyond its debounce when the step says no `for`. */
export const PRESS_EXTRA_MS = 100;

/** The range a bus sensor can measure (datasheets): what an input step may set it to. */
export function measureRange(s: SensorConfig): [number, number] {
  return s.type === "ds18b20" ? [-55, 125] : s.measure === "humidity" ? [0, 100] : [-40, 80];
}

export type ExpectOptions = MessageMatch & { within?: Duration };
export type ExpectNoneOptions = MessageMatch & { for: Duration };
export type LogMatch = { text?: string; match?: string; within?: Duration };

/** Default for `within`: how much board time an expectation waits. */
export const DEFAULT_WITHIN: Duration = "1s";
/** Counter pulses a second when a pulses input names no rate. */
export const DEFAULT_RATE = 10;
/**
 * Real time an expectation still waits once its board time is up, clock stopped: room for a broker
 * answer nobody asked for (a retained message after a SUBACK) on a loaded machine.
 */
const GRACE_MS = 300;

/** An expectation that did not hold: summary is one line, details say what was seen. */
export class ScenarioFailure extends Error {
  constructor(readonly summary: string, readonly details: string[] = []) {
    super([summary, ...details].join("\n"));
    this.name = "ScenarioFailure";
  }
}

/** ESP32 pin names, D0..D39. */
export const PIN_NAME = /^D([0-9]|[1-3][0-9])$/;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** startSession(options) -> a booted board on virtual time (the clock stands still until a step moves it). */
export async function startSession(options: SessionOptions): Promise<SimSession> {
  const { config, secrets } = loadConfig(options);
  const mode = options.mode ?? "source";
  let bundle: { source: string; file: string } | undefined;
  if (mode === "bundle") bundle = await bundleFor(options, config, secrets);
  let broker: BrokerRoute | undefined;
  if (options.broker) broker = externalRoute(options.broker, options.ca);
  const time = new VirtualTime({ settleMs: options.settleMs });
  const events: SimEvent[] = [];
  const sim = new Simulator({
    config,
    mode,
    bundle,
    broker,
    port: 0,
    trace: true,
    time,
    linkFaults: options.link === true,
    random: seededRandom(options.seed ?? 1),
    emit: (e) => events.push(e),
  });
  try {
    await sim.start();
  } catch (e) {
    await sim.stop().catch(() => {});
    throw e;
  }
  return new SimSession(sim, time, events, mode);
}

function loadConfig(o: SessionOptions): { config: DeviceConfig; secrets: Map<string, Secret> } {
  if (typeof o.board !== "string") return { config: o.board, secrets: new Map() };
  const path = resolve(o.board);
  if (!existsSync(path)) throw new Error(`${path}: no such board file`);
  try {
    const { config, secrets } = loadSimBoard(path, o.env ?? process.env);
    return { config, secrets };
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    throw new Error(`${path}: the board has ${e.problems.length} problem(s): ${e.problems.join("; ")}`);
  }
}

async function bundleFor(o: SessionOptions, config: DeviceConfig, secrets: Map<string, Secret>): Promise<{ source: string; file: string }> {
  if (!o.bundleFile) return { source: await builtFirmware(config), file: "firmware.js" };
  const file = resolve(o.bundleFile);
  if (!existsSync(file)) throw new Error(`${file}: no such file; build it first: npm run build`);
  const built = loadBundleBoard(file);
  // The description `npm run build` wrote beside it: the board without its secrets (publicBoard).
  if (built && JSON.stringify(built) !== JSON.stringify(publicBoard(config, secrets))) {
    const board = typeof o.board === "string" ? o.board : config.id;
    throw new Error(`${file} was built from another board than ${board}: rebuild it (npm run build -- --board ${board}), or let the simulator build it`);
  }
  return { source: readFileSync(file, "utf8"), file };
}

function externalRoute(url: string, ca: string | undefined): BrokerRoute {
  const b = parseBrokerUrl(url);
  if (typeof b === "string") throw new Error(b);
  if (!b.tls) return { host: b.host, port: b.port };
  const tls: ConnectionOptions = { servername: isIP(b.host) ? undefined : b.host };
  if (ca) tls.ca = readFileSync(ca);
  return { host: b.host, port: b.port, tls };
}

export class SimSession {
  readonly config: DeviceConfig;
  /** Every topic of the board, expanded. */
  readonly topics: TopicNames;
  /** Everything the board reported, in order; `t` is board time in ms since the session started. */
  readonly events: SimEvent[];
  /** Where the current window of message expectations starts in events. */
  private mark = 0;
  /** Whether the broker can answer the board (false while its link is cut or stalled). */
  private linkUp = true;
  private stopped = false;
  private readonly unprobe: () => void;

  /** Made by startSession(). */
  constructor(private readonly sim: Simulator, readonly time: VirtualTime, events: SimEvent[], readonly mode: Mode) {
    this.config = sim.options.config;
    this.topics = topicNames(this.config);
    this.events = events;
    this.unprobe = time.probe(() => this.board.busyUntil(time.settleMs, time.quietMs, this.linkUp));
  }

  /** The virtual board (pins, storage, firmware). */
  get board(): VirtualBoard {
    return this.sim.boards[0];
  }

  /** The broker the board talks to: host, port, whether it is the embedded one. */
  get brokerAddress(): { host: string; port: number; embedded: boolean } {
    const b = this.sim.broker;
    return { host: b.host, port: b.port, embedded: b.embedded };
  }

  /** now() -> board time in ms since the session started. */
  now(): number {
    return this.time.now() - this.sim.t0;
  }

  /** topic(t) -> t with the board's {prefix} and {id} filled in. */
  topic(t: string): string {
    return expandTopic(t, this.config);
  }

  /** messages(from?) -> the PUBLISH packets the board sent (since events[from]). */
  messages(from = 0): BoardMessage[] {
    const out: BoardMessage[] = [];
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.event === "published") out.push({ t: e.t, topic: e.topic, payload: e.payload, qos: e.qos, retain: e.retain });
    }
    return out;
  }

  /** relay(name) -> whether the relay is on (from its pin and wiring) and its pin's level. */
  relay(name: string): { on: boolean; level: "low" | "high" } {
    const r = this.config.relays[this.relayIndex(name)];
    const high = this.board.bank.read(r.pin);
    return { on: high !== r.activeLow, level: high ? "high" : "low" };
  }

  /** pin(name) -> the level a pin ("D26") shows. */
  pin(name: string): "low" | "high" {
    if (!PIN_NAME.test(name)) throw new Error(`no pin ${name}: pins are D0..D39`);
    return this.board.bank.read(name) ? "high" : "low";
  }

  // ---- actions ----

  /**
   * publish(topic, payload, {qos, retain}) -> resolves once the broker took the message and, when the
   * board is subscribed to it, the board received it. Rejects when the broker cannot be reached.
   */
  async publish(topic: string, payload: string, opts: { qos?: number; retain?: boolean } = {}): Promise<void> {
    const t = this.topic(topic);
    const qos = opts.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) throw new Error(`qos ${qos}: must be 0, 1 or 2`);
    this.action();
    const from = this.events.length;
    await this.send(t, payload, qos, opts.retain === true);
    const b = this.board;
    if (b.isConnected() && this.linkUp && b.subscribed().some((f) => topicMatchesFilter(t, f))) {
      // The clock stands still while the message crosses the broker to the board.
      const end = performance.now() + this.time.settleMs;
      const got = () => this.events.slice(from).some((e) => e.event === "received" && e.topic === t);
      while (!got() && performance.now() < end) await sleep(1);
    }
    await this.time.settle();
  }

  /**
   * input(sensor, value): drives a digital level, an analog reading, pulses (board time passes while they
   * run), or what a ds18b20 or dht22 sensor measures or its condition (the board reads it at its period).
   */
  async input(sensor: string, value: InputValue): Promise<void> {
    const i = this.sensorIndex(sensor);
    const s = this.config.sensors[i];
    const bus = s.type === "ds18b20" || s.type === "dht22";
    const need = "level" in value ? "digital" : "analog" in value ? "analog" : "pulses" in value ? "counter" : s.type;
    if (s.type !== need || (bus && !("value" in value || "condition" in value))) throw new Error(`sensor ${sensor} is ${s.type}: ${inputKinds[s.type]}`);
    if ("value" in value) {
      const [lo, hi] = measureRange(s);
      if (!(value.value >= lo && value.value <= hi)) throw new Error(`value ${value.value}: a ${s.type} measures ${lo} to ${hi}`);
    }
    if ("condition" in value && !["ok", "missing", "corrupt"].includes(value.condition)) {
      throw new Error(`condition ${value.condition}: ok, missing or corrupt`);
    }
    const rate = "pulses" in value ? value.rate ?? DEFAULT_RATE : 0;
    if ("analog" in value && !(value.analog >= 0 && value.analog <= 1)) throw new Error(`analog ${value.analog}: must be 0..1 of full scale`);
    if ("pulses" in value && (!Number.isInteger(value.pulses) || value.pulses < 1)) throw new Error(`pulses ${value.pulses}: must be a whole number from 1`);
    if ("pulses" in value && !(rate > 0)) throw new Error(`rate ${rate}: must be pulses a second, above 0`);
    this.action();
    if ("level" in value) this.board.setLevel(i, value.level === "high");
    else if ("analog" in value) this.board.setAnalog(i, value.analog);
    else if ("value" in value) this.board.setMeasured(i, value.value);
    else if ("condition" in value) this.board.setCondition(i, value.condition);
    else {
      const period = 1000 / rate;
      let done = false;
      void this.board.pulse(i, value.pulses, period).then(() => (done = true));
      await this.time.runTo(this.time.now() + value.pulses * period, () => done);
    }
    await this.time.settle();
  }

  /**
   * press(button, {for}): the button is pushed, held `for` of board time (default: its debounce and
   * PRESS_EXTRA_MS more), and released; the step ends once the release has passed the debounce too.
   */
  async press(button: string, opts: { for?: Duration } = {}): Promise<void> {
    const i = this.buttonIndex(button);
    const b = (this.config.buttons ?? [])[i];
    const ms = opts.for === undefined ? b.debounceMs + PRESS_EXTRA_MS : toMs(opts.for);
    if (!(ms > b.debounceMs)) throw new Error(`for ${formatMs(ms)}: not longer than ${button}'s debounce (${formatMs(b.debounceMs)}): the board would not see the press`);
    this.needPower();
    this.action();
    this.board.press(i);
    await this.time.advance(ms);
    this.board.release(i);
    await this.time.advance(b.debounceMs + 1);
    await this.time.settle();
  }

  /** advance(d): board time moves on by d at once; every timer due on the way runs in order. */
  async advance(d: Duration): Promise<void> {
    const ms = toMs(d);
    this.action();
    await this.time.advance(ms);
  }

  /** wait(d): real time passes, and the board's clock with it. */
  async wait(d: Duration): Promise<void> {
    const ms = toMs(d);
    this.action();
    await this.time.flow(ms);
  }

  /** broker(action): the embedded broker stops (dropping every client, retained messages lost), starts, or both. */
  async broker(action: "stop" | "start" | "restart"): Promise<void> {
    if (!this.sim.broker.embedded) throw new Error(`broker: ${action} needs the embedded broker (this session uses ${this.sim.broker.host}:${this.sim.broker.port})`);
    this.action();
    const running = this.sim.brokerRunning();
    if (action === "stop" && !running) throw new ScenarioFailure("the broker is already stopped");
    if (action === "start" && running) throw new ScenarioFailure("the broker is already running");
    if (action !== "start") await this.sim.stopBroker();
    if (action !== "stop") await this.sim.startBroker();
    await this.time.settle();
  }

  /**
   * link(action): the board's link to the broker (through the fault proxy): "cut" drops its connection
   * and refuses new ones, "stall" lets nothing through either way (a half-open link), "restore" ends both.
   */
  async link(action: "cut" | "stall" | "restore"): Promise<void> {
    const p = this.sim.proxy;
    if (!p) throw new Error("link steps need the board's link through the fault proxy: start the session with link: true");
    this.action();
    if (action === "cut") p.cut();
    else if (action === "stall") p.stall();
    else p.restore();
    this.linkUp = action === "restore";
    await this.time.settle();
  }

  /** power(state): "off" cuts the power (no offline, no DISCONNECT: the broker sends the will); "on" boots the board. */
  async power(state: "off" | "on"): Promise<void> {
    this.action();
    const on = this.board.poweredOn();
    if (state === "off") {
      if (!on) throw new ScenarioFailure("the board is already off");
      this.board.kill();
    } else {
      if (on) throw new ScenarioFailure("the board is already on");
      this.board.boot();
    }
    await this.time.settle();
  }

  /** wifi(state): the board's WiFi access point goes away ("off") or comes back ("on"; the firmware rejoins it). */
  async wifi(state: "off" | "on"): Promise<void> {
    this.action();
    if (this.board.wifiOn === (state === "on")) throw new ScenarioFailure(`the WiFi is already ${state}`);
    this.board.wifi(state === "on");
    await this.time.settle();
  }

  // ---- expectations ----

  /** expect(m) -> the first message since the last action that matches m, waiting up to m.within. */
  async expect(m: ExpectOptions): Promise<BoardMessage> {
    const match = this.checked(m);
    const within = toMs(m.within ?? DEFAULT_WITHIN);
    const from = this.mark;
    const found = await this.waitFor(() => this.messages(from).find((x) => matches(match, x)) ?? null, within);
    if (found) return found;
    throw new ScenarioFailure(`expected ${describeMatch(match)} within ${formatMs(within)}: not seen`, this.seen(from, match));
  }

  /** expectNone(m): no message matching m since the last action, nor for m.for of board time from now. */
  async expectNone(m: ExpectNoneOptions): Promise<void> {
    const match = this.checked(m);
    const span = toMs(m.for);
    const from = this.mark;
    const hit = () => this.messages(from).find((x) => matches(match, x)) ?? null;
    if (!hit()) await this.time.runTo(this.time.now() + span, () => hit() !== null);
    if (!hit()) await this.time.settle();
    const h = hit();
    if (h) throw new ScenarioFailure(`expected nothing like ${describeMatch(match)} for ${formatMs(span)}; got one`, [`  ${describeMessage(h)}`]);
  }

  /**
   * expectRelay(states, {pin, within}): relays by name are "on"/"off" (and with one relay named, its pin
   * at `pin`), now or within the time given. The board must be powered.
   */
  async expectRelay(states: Record<string, "on" | "off" | boolean>, opts: { pin?: "low" | "high"; within?: Duration } = {}): Promise<void> {
    const want = Object.entries(states).map(([name, v]) => ({ name, on: v === true || v === "on" }));
    for (const w of want) this.relayIndex(w.name);
    if (opts.pin !== undefined && want.length !== 1) throw new Error("pin: name exactly one relay with it");
    const within = toMs(opts.within ?? DEFAULT_WITHIN);
    this.needPower();
    const holds = () => want.every((w) => this.relay(w.name).on === w.on) && (opts.pin === undefined || this.relay(want[0].name).level === opts.pin);
    if (await this.waitFor(() => (holds() ? true : null), within)) return;
    const wanted = want.map((w) => `${w.name} ${w.on ? "on" : "off"}`).join(", ") + (opts.pin ? ` (pin ${opts.pin})` : "");
    const got = want.map((w) => {
      const r = this.relay(w.name);
      return `${w.name} ${r.on ? "on" : "off"} (${this.config.relays[this.relayIndex(w.name)].pin} ${r.level})`;
    });
    throw new ScenarioFailure(`expected ${wanted} within ${formatMs(within)}; got ${got.join(", ")}`);
  }

  /** expectPin(levels, {within}): pins by name ("D26") at "low"/"high", now or within the time given. */
  async expectPin(levels: Record<string, "low" | "high">, opts: { within?: Duration } = {}): Promise<void> {
    const want = Object.entries(levels);
    for (const [name] of want) this.pin(name);
    const within = toMs(opts.within ?? DEFAULT_WITHIN);
    this.needPower();
    const holds = () => want.every(([name, level]) => this.pin(name) === level);
    if (await this.waitFor(() => (holds() ? true : null), within)) return;
    const got = want.map(([name]) => `${name} ${this.pin(name)}`).join(", ");
    throw new ScenarioFailure(`expected ${want.map(([n, l]) => `${n} ${l}`).join(", ")} within ${formatMs(within)}; got ${got}`);
  }

  /**
   * expectLed(pattern, {within}): the status LED shows `pattern` (no-wifi, no-broker, on, off), read off its
   * pin as a person would (led-observer.ts: a pattern counts once it held a whole cycle), now or within
   * the time given.
   */
  async expectLed(pattern: LedPattern, opts: { within?: Duration } = {}): Promise<void> {
    if (!LED_PATTERNS.includes(pattern)) throw new Error(`LED pattern ${pattern}: ${LED_PATTERNS.join(", ")}`);
    if (!this.config.statusLed) throw new Error("expect-led: the board has no statusLed");
    const within = toMs(opts.within ?? DEFAULT_WITHIN);
    this.needPower();
    if (await this.waitFor(() => (this.ledShows() === pattern ? true : null), within)) return;
    const shows = this.ledShows();
    const seen = this.events.filter((e) => e.event === "led").slice(-5).map((e) => `  ${eventLine(e)}`);
    throw new ScenarioFailure(`expected the status LED ${pattern} within ${formatMs(within)}; it shows ${shows ?? "nothing yet"}`,
      seen.length > 0 ? ["its last patterns:", ...seen] : []);
  }

  /**
   * expectPacket({type, dir, within}) -> the first packet of this type the board sent ("out", default) or
   * received ("in") since the last action, waiting up to `within`: the wire itself (a DISCONNECT, say).
   */
  async expectPacket(m: { type: string; dir?: "out" | "in"; within?: Duration }): Promise<Record<string, unknown>> {
    const type = m.type.toUpperCase();
    if (!PACKET_TYPES.includes(type)) throw new Error(`packet type ${m.type}: ${PACKET_TYPES.join(", ")}`);
    const dir = m.dir ?? "out";
    const within = toMs(m.within ?? DEFAULT_WITHIN);
    const from = this.mark;
    const find = () => {
      for (let i = from; i < this.events.length; i++) {
        const e = this.events[i];
        if (e.event === "packet" && e.dir === dir && e.packet.type === type) return e.packet;
      }
      return null;
    };
    const found = await this.waitFor(find, within);
    if (found) return found;
    const seen = this.events.slice(from).filter((e) => e.event === "packet").slice(-10).map((e) => `  ${eventLine(e)}`);
    throw new ScenarioFailure(`expected a ${type} ${dir === "out" ? "from" : "to"} the board within ${formatMs(within)}: not seen`,
      seen.length > 0 ? ["packets since the last action:", ...seen] : ["no packet since the last action"]);
  }

  /** expectLog(m) -> the first firmware log line since the last action containing m.text or matching m.match. */
  async expectLog(m: LogMatch): Promise<string> {
    if ((m.text === undefined) === (m.match === undefined)) throw new Error("expect-log: give one of text and match");
    const re = m.match !== undefined ? new RegExp(m.match) : null;
    const within = toMs(m.within ?? DEFAULT_WITHIN);
    const from = this.mark;
    const find = () => this.logLines(from).find((l) => (re ? re.test(l) : l.includes(m.text as string))) ?? null;
    const found = await this.waitFor(find, within);
    if (found !== null) return found;
    const lines = this.logLines(from).slice(-10).map((l) => `  ${l}`);
    const what = re ? `matching /${m.match}/` : `containing ${JSON.stringify(m.text)}`;
    throw new ScenarioFailure(`expected a log line ${what} within ${formatMs(within)}: not seen`, lines.length > 0 ? ["log since the last action:", ...lines] : ["no log line since the last action"]);
  }

  // ---- end ----

  /** stop() -> the board stops cleanly (offline, DISCONNECT), then the broker and proxy close. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unprobe();
    await this.sim.stop();
  }

  /** abort() -> the clock stops, the power is cut and everything closes without waiting (a run out of time). */
  async abort(): Promise<void> {
    this.time.halt();
    this.board.kill();
    await this.stop();
  }

  // ---- failure context ----

  /** recentEvents(n) -> the board's last n events (packets left out; a pulse train is one), one line each. */
  recentEvents(n: number): string[] {
    return eventLines(this.events.filter((e) => e.event !== "packet")).slice(-n);
  }

  /** trace(n) -> the last n MQTT packets both ways, decoded, one line each. */
  trace(n: number): string[] {
    return this.events.filter((e) => e.event === "packet").slice(-n).map(eventLine);
  }

  // ---- internals ----

  // A new action: message expectations look at what the board sends from here on.
  private action(): void {
    if (this.stopped) throw new Error("the session is stopped");
    this.mark = this.events.length;
  }

  private checked(m: MessageMatch): MessageMatch {
    const match: MessageMatch = { ...m, topic: this.topic(m.topic) };
    const problem = checkMatch(match);
    if (problem) throw new Error(problem);
    return match;
  }

  private async waitFor<T>(check: () => T | null, withinMs: number): Promise<T | null> {
    const box: { v: T | null } = { v: check() };
    if (box.v !== null) return box.v;
    await this.time.runTo(this.time.now() + withinMs, () => (box.v = check()) !== null);
    // The board's time is up; real time still gets a moment to deliver what is on its way.
    const end = performance.now() + GRACE_MS;
    while (box.v === null && performance.now() < end) {
      await sleep(2);
      box.v = check();
    }
    return box.v;
  }

  // What the board sent since `from`: the messages on the expected topic, else the last ones on any.
  private seen(from: number, match: MessageMatch): string[] {
    const all = this.messages(from);
    const onTopic = all.filter((x) => topicMatchesFilter(x.topic, match.topic));
    if (onTopic.length > 0) return ["on that topic since the last action:", ...onTopic.slice(-10).map((x) => `  ${describeMessage(x)}`)];
    if (all.length > 0) return ["nothing on that topic; the last messages since the last action:", ...all.slice(-10).map((x) => `  ${describeMessage(x)}`)];
    return ["the board published nothing since the last action"];
  }

  private logLines(from: number): string[] {
    const out: string[] = [];
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.event === "log" || (e.event === "error" && e.what === "firmware")) out.push(e.message);
    }
    return out;
  }

  private needPower(): void {
    if (!this.board.poweredOn()) throw new ScenarioFailure("the board is off (power: off): its relays and pins are dead; power it on first");
  }

  private relayIndex(name: string): number {
    const i = this.config.relays.findIndex((r) => r.name === name);
    if (i < 0) throw new Error(`no relay ${name}: the board has ${this.config.relays.map((r) => r.name).join(", ") || "none"}`);
    return i;
  }

  /** ledShows() -> the pattern the status LED was last seen showing for a whole cycle, or null. */
  private ledShows(): LedPattern | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.event === "led") return e.pattern;
    }
    return null;
  }

  private buttonIndex(name: string): number {
    const list = this.config.buttons ?? [];
    const i = list.findIndex((b) => b.name === name);
    if (i < 0) throw new Error(`no button ${name}: the board has ${list.map((b) => b.name).join(", ") || "none"}`);
    return i;
  }

  private sensorIndex(name: string): number {
    const i = this.config.sensors.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`no sensor ${name}: the board has ${this.config.sensors.map((s) => s.name).join(", ") || "none"}`);
    return i;
  }

  // The rest of the world's client: one connection per message, so a broker restart in between is no matter.
  private async send(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    const b = this.sim.broker;
    const url = `${b.tls ? "mqtts" : "mqtt"}://${b.host}:${b.port}`;
    const m = this.config.mqtt;
    const auth = !b.embedded && m.username ? { username: m.username, password: m.password ?? undefined } : {};
    let client: mqtt.MqttClient;
    try {
      client = await mqtt.connectAsync(url, {
        protocolVersion: 4,
        clientId: `relaymq-scenario-${Math.random().toString(16).slice(2, 10)}`,
        reconnectPeriod: 0,
        connectTimeout: this.time.settleMs,
        ...(b.tls ? { ca: b.tls.ca as Buffer | undefined, servername: b.tls.servername } : {}),
        ...auth,
      }, false);
    } catch (e) {
      throw new ScenarioFailure(`cannot publish to ${topic}: the broker at ${url} took no connection (${(e as Error).message})`);
    }
    try {
      await client.publishAsync(topic, payload, { qos, retain });
    } finally {
      await client.endAsync().catch(() => {});
    }
  }
}

const inputKinds: Record<string, string> = {
  digital: "give it a level (low or high)",
  analog: "give it analog: a reading from 0 to 1 of full scale",
  counter: "give it pulses (and a rate, pulses a second)",
  ds18b20: "give it a value (degrees C, -55 to 125) or a condition (ok, missing, corrupt)",
  dht22: "give it a value (degrees C, or % for humidity) or a condition (ok, missing, corrupt)",
};
