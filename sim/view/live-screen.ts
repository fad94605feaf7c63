// The live view's one screen, as a pure function of the board model and what the simulator knows around
// it (broker, inputs, keys). Lines are built as styled segments, cut to the width on the plain text, and
// only then painted, so colour codes never count as columns and never get cut in half.
import type { BoardState, RelayModel, SensorModel, TraceLine } from "./board-state";
import { ascii, printable } from "./board-state";

export interface ScreenInput {
  key: string;
  sensor: string;
  type: "digital" | "analog" | "counter" | "ds18b20" | "dht22";
  pin: string;
  level?: 0 | 1;
  analog?: number;
  pulses?: number;
  /** ds18b20, dht22: what the sensor measures, and its condition. */
  measured?: number;
  condition?: "ok" | "missing" | "corrupt";
}

export interface ScreenInfo {
  broker: string;
  embedded: boolean;
  mode: "source" | "bundle";
  /** A command the user can paste to switch a relay, e.g. `mosquitto_pub -h ... -t .../set -m ON`. */
  mosquittoPub: string;
  /** The raw inputs the simulator drives, one per sensor that has a key. */
  inputs: ScreenInput[];
  /** The keys line, shown as given (see keysHelp() in keys.ts). */
  keysHelp: string;
  /** The key of each button that has one, by button name. */
  buttonKeys?: Record<string, string>;
  /** Boards the simulator runs (this screen shows one). */
  devices?: number;
  /** A fleet's figures, one line under the title (connected boards, messages a second, memory). */
  fleet?: string;
  /** ANSI colour allowed (the caller turns it off for NO_COLOR or a non-TTY). */
  color: boolean;
  /** The current time on the events' clock (ms); when given, times read "4.2s ago" instead of "at 12.3s". */
  now?: number;
  /** The analog sensor (index) that "+"/"-" move, marked on screen. */
  selected?: number | null;
}

type Style = "bold" | "dim" | "green" | "red" | "yellow" | "cyan" | "magenta";
type Seg = string | [string, Style];
type Line = Seg[];

const SGR: Record<Style, string> = {
  bold: "\u001b[1m", dim: "\u001b[2m", green: "\u001b[32m", red: "\u001b[31m", yellow: "\u001b[33m",
  cyan: "\u001b[36m", magenta: "\u001b[35m",
};
const RESET = "\u001b[0m";

/**
 * renderScreen(state, info, width, height) -> the whole screen: at most `height` lines joined by "\n",
 * each at most `width` columns; ANSI colour only when info.color.
 */
export function renderScreen(state: BoardState, info: ScreenInfo, width: number, height: number): string {
  width = Math.floor(width);
  height = Math.floor(height);
  if (width < 1 || height < 1) return "";
  const top: Line[] = [
    titleLine(state, info),
    ...(info.fleet ? [[["fleet       ", "bold"], info.fleet] as Line] : []),
    connectionLine(state, info),
    ...relayLines(state, info),
    ...sensorLines(state, info),
    ...buttonLines(state, info),
    ...ledLines(state, info),
    ...telemetryLines(state, info, width),
    ...errorLines(state, info),
  ];
  const footer: Line[] = [
    ...wrapCommand("try: " + info.mosquittoPub, width, 3).map((t): Line => [t]),
    ...wrapWords(info.keysHelp, width, 2).map((t): Line => [[t, "dim"]]),
  ];
  let lines: Line[];
  if (top.length + footer.length >= height) {
    // Too small for everything: the title, then the footer (the ways out), then as much of the rest.
    const keep = Math.max(1, height - footer.length);
    lines = [...top.slice(0, keep), ...footer].slice(0, height);
  } else {
    const room = height - top.length - footer.length;
    const middle = room >= 2 ? traceLines(state.trace, info, room - 1) : [];
    while (middle.length < room) middle.push([]);
    lines = [...top, ...middle, ...footer];
  }
  return lines.map((l) => paint(fit(l, width), info.color)).join("\n");
}

// ---- sections -------------------------------------------------------------------------------------

function titleLine(state: BoardState, info: ScreenInfo): Line {
  const devices = info.devices !== undefined && info.devices > 1 ? `  (${info.devices} boards, showing this one)` : "";
  return [
    ["relaymq simulator", "bold"],
    `  ${state.config.id}  ${info.mode}  broker ${info.broker}${info.embedded ? " (embedded)" : ""}${devices}`,
  ];
}

function connectionLine(state: BoardState, info: ScreenInfo): Line {
  const c = state.connection;
  const head = "connection  ";
  if (c.stopped === "killed") {
    return [head, ["stopped: killed", "red"], ` ${when(c.since, info.now)}, the broker sends the will; r boots it again`];
  }
  if (c.stopped === "clean") {
    return [head, ["stopped: clean", "yellow"], ` ${when(c.since, info.now)} (offline sent); r boots it again`];
  }
  if (c.since === null) return [head, ["not booted", "yellow"]];
  const socket = `  socket ${c.socket ?? "-"}` + (c.dialled !== null ? ` (board dials ${c.dialled})` : "");
  if (c.state === "connected") {
    return [
      head, ["connected", "green"], ` ${lasting(c.since, info.now)}${socket}  connects ${c.connects}`
        + `  publishes out ${state.published} in ${state.received}${c.sessionPresent ? "  session resumed" : ""}`,
    ];
  }
  if (c.state === "connecting") {
    const failure = c.lastFailure !== null ? `  last: ${ascii(c.lastFailure)}` : "";
    return [head, ["connecting", "yellow"], ` ${lasting(c.since, info.now)}${socket}  attempts ${c.attempts}  connects ${c.connects}${failure}`];
  }
  const reason = c.lastReason !== null ? `: ${ascii(c.lastReason)}` : "";
  return [head, ["disconnected", "red"], ` ${lasting(c.since, info.now)}${reason}${socket}  connects ${c.connects}`];
}

function relayLines(state: BoardState, info: ScreenInfo): Line[] {
  if (state.relays.length === 0) return [];
  const nameW = Math.max(...state.relays.map((r) => r.name.length));
  const pinW = Math.max(3, ...state.relays.map((r) => r.pin.length));
  return [["relays"], ...state.relays.map((r) => relayLine(r, nameW, pinW, info))];
}

function relayLine(r: RelayModel, nameW: number, pinW: number, info: ScreenInfo): Line {
  const onText = r.on === null ? "?" : r.on ? "ON" : "OFF";
  const level = !r.powered ? "-" : r.level === null ? "?" : r.level === 1 ? "HIGH" : "LOW";
  const changed = !r.powered ? "  no power" : r.changedAt !== null ? `  changed ${when(r.changedAt, info.now)}` : "";
  return [
    `  ${r.name.padEnd(nameW)}  ${r.pin.padEnd(pinW)}  `,
    [onText.padEnd(4), r.on ? "green" : "dim"],
    ` pin ${level.padEnd(4)} ${(r.activeLow ? "(active-low)" : "(active-high)").padEnd(13)}${changed}`,
  ];
}

function sensorLines(state: BoardState, info: ScreenInfo): Line[] {
  if (state.sensors.length === 0) return [];
  const nameW = Math.max(...state.sensors.map((s) => s.name.length));
  const pinW = Math.max(3, ...state.sensors.map((s) => s.pin.length));
  const rows = state.sensors.map((s, i) => {
    const input = info.inputs.find((x) => x.sensor === s.name);
    // "unavailable" (a bus sensor that did not answer) has no unit; the screen is ASCII (fit()), so degrees
    // C show as C rather than "?C".
    const unit = s.unit && s.value !== "unavailable" ? " " + printable(s.unit).replace("\u00b0", "") : "";
    const value = s.value === null ? "-" : ascii(s.value) + unit;
    return { s, i, input, value, raw: rawInput(s, input) };
  });
  const valueW = Math.max(...rows.map((r) => r.value.length));
  const rawW = Math.max(...rows.map((r) => r.raw.length));
  return [
    ["sensors"],
    ...rows.map(({ s, i, input, value, raw }): Line => {
      const selected = (s.type === "analog" || s.type === "ds18b20" || s.type === "dht22") && info.selected === i;
      const key = input ? `  key ${input.key} ${keyVerb(s.type, selected)}` : "";
      const age = s.at !== null ? `  reported ${when(s.at, info.now)}` : "";
      return [
        selected ? [">", "bold"] : " ",
        ` ${s.name.padEnd(nameW)}  ${s.pin.padEnd(pinW)}  ${s.type.padEnd(7)}  `,
        [value.padEnd(valueW), "bold"],
        `  input ${raw.padEnd(rawW)}${key}${age}`,
      ];
    }),
  ];
}

function buttonLines(state: BoardState, info: ScreenInfo): Line[] {
  if (state.buttons.length === 0) return [];
  const nameW = Math.max(...state.buttons.map((b) => b.name.length));
  const pinW = Math.max(3, ...state.buttons.map((b) => b.pin.length));
  const doesW = Math.max(...state.buttons.map((b) => b.does.length));
  return [
    ["buttons"],
    ...state.buttons.map((b): Line => {
      const key = info.buttonKeys?.[b.name];
      return [
        `  ${b.name.padEnd(nameW)}  ${b.pin.padEnd(pinW)}  ${b.does.padEnd(doesW)}  `,
        [b.pressed ? "pressed " : "released", b.pressed ? "bold" : "dim"],
        key ? `  key ${key} presses` : "",
        b.at !== null ? `  ${b.pressed ? "pressed" : "released"} ${when(b.at, info.now)}` : "",
      ];
    }),
  ];
}

const LED_TEXT = { "no-wifi": "fast blink: no WiFi", "no-broker": "two blinks a second: no broker", on: "steady on", off: "off" };

function ledLines(state: BoardState, info: ScreenInfo): Line[] {
  const led = state.config.statusLed;
  if (!led) return [];
  const wifi = state.wifiUp ? "" : "  (WiFi access point down: w brings it back)";
  if (state.led === null) return [[`status LED  ${led.pin}  `, ["-", "dim"], wifi]];
  return [[`status LED  ${led.pin}  `, [LED_TEXT[state.led.pattern], state.led.pattern === "on" ? "green" : "yellow"],
    `  since ${when(state.led.at, info.now)}${wifi}`]];
}

function keyVerb(type: SensorModel["type"], selected: boolean): string {
  if (type === "digital") return "flips";
  if (type === "counter") return "pulses";
  if (type === "ds18b20" || type === "dht22") return selected ? "selected, +/- move, x fault" : "selects, then +/- or x";
  return selected ? "selected, +/- move" : "selects, then +/-";
}

// The caller's inputs are current; the model's last input event is the fallback.
function rawInput(s: SensorModel, input: ScreenInput | undefined): string {
  const src: Omit<ScreenInput, "key" | "sensor" | "type" | "pin"> = input ?? s.input ?? {};
  if (s.type === "digital") return src.level === undefined ? "pin -" : src.level === 1 ? "pin HIGH" : "pin LOW";
  if (s.type === "analog") return src.analog === undefined ? "-" : src.analog.toFixed(3);
  if (s.type === "ds18b20" || s.type === "dht22") {
    const v = src.measured === undefined ? "-" : src.measured.toFixed(1);
    const c = src.condition === undefined || src.condition === "ok" ? "" : ` (${src.condition})`;
    return v + c;
  }
  return `${src.pulses ?? 0} pulses`;
}

function telemetryLines(state: BoardState, info: ScreenInfo, width: number): Line[] {
  const t = state.telemetry;
  if (t === null) return [["telemetry  ", ["none yet", "dim"], ` (every ${state.config.telemetry.periodSec}s)`]];
  const tokens = t.json !== null && typeof t.json === "object" ? flatten(t.json) : [ascii(t.text)];
  return wrapWords(`telemetry  ${when(t.at, info.now)}  ` + tokens.join(" "), width, 2).map((l): Line => [l]);
}

// {"uptime":60,"mqtt":{"connects":1}} -> ["uptime=60", "mqtt{connects=1}"]: every field, shortest form.
// Relays and sensors go last: the sections above show them already, the counters are news.
function flatten(v: unknown): string[] {
  if (Array.isArray(v)) return [ascii(JSON.stringify(v))];
  const rank = (k: string, x: unknown) => (k === "relays" || k === "sensors" ? 2 : x !== null && typeof x === "object" ? 1 : 0);
  const entries = Object.entries(v as Record<string, unknown>);
  entries.sort((a, b) => rank(a[0], a[1]) - rank(b[0], b[1]));
  return entries.map(([k, x]) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? `${ascii(k)}{${flatten(x).join(" ")}}`
      : `${ascii(k)}=${typeof x === "string" ? ascii(x) : ascii(JSON.stringify(x) ?? String(x))}`,
  );
}

function errorLines(state: BoardState, info: ScreenInfo): Line[] {
  const errors = state.errors.slice(-3);
  if (errors.length === 0) return [];
  return [
    [["errors", "red"]],
    ...errors.map((e): Line => [`  ${when(e.t, info.now)}  `, [ascii(e.what), "red"], `: ${ascii(e.message)}`]),
  ];
}

function traceLines(trace: TraceLine[], info: ScreenInfo, rows: number): Line[] {
  const shown = rows > 0 ? trace.slice(-rows) : [];
  const head: Line = [["trace", "bold"], ["  (packets both ways, newest last)", "dim"]];
  if (shown.length === 0) return [head, [["  no packets yet", "dim"]]];
  return [
    head,
    ...shown.map((l): Line => {
      const rest = l.text.startsWith(l.dir + " ") ? l.text.slice(l.dir.length) : " " + l.text;
      return [[seconds(l.t).padStart(10), "dim"], " ", [l.dir.padEnd(3), l.dir === "out" ? "cyan" : "magenta"], rest];
    }),
  ];
}

// ---- time -----------------------------------------------------------------------------------------

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3) + "s";
}

function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return s.toFixed(1) + "s";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** A moment: "4.2s ago" with a clock, "at 12.3s" without. */
function when(t: number | null, now: number | undefined): string {
  if (t === null) return "";
  return now === undefined ? `at ${duration(t)}` : `${duration(now - t)} ago`;
}

/** A state's age: "for 4.2s" with a clock, "since 12.3s" without. */
function lasting(t: number, now: number | undefined): string {
  return now === undefined ? `since ${duration(t)}` : `for ${duration(now - t)}`;
}

// ---- layout ---------------------------------------------------------------------------------------

/** Cuts a line to `width` columns of plain text; anything unprintable becomes "?". */
function fit(line: Line, width: number): Line {
  const out: Line = [];
  let room = width;
  for (const seg of line) {
    if (room <= 0) break;
    const [text, style] = typeof seg === "string" ? [seg, undefined] : seg;
    const clean = text.replace(/[^\x20-\x7e]/g, "?").slice(0, room);
    room -= clean.length;
    out.push(style ? [clean, style] : clean);
  }
  return out;
}

function paint(line: Line, color: boolean): string {
  return line
    .map((seg) => (typeof seg === "string" ? seg : color && seg[0] !== "" ? SGR[seg[1]] + seg[0] + RESET : seg[0]))
    .join("");
}

/** Word-wraps into at most maxLines lines of width; continuation lines are indented by two spaces. */
function wrapWords(text: string, width: number, maxLines: number): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    const next = cur === "" ? w : cur + " " + w;
    if (next.length <= width || cur.trim() === "") cur = next;
    else {
      lines.push(cur.trimEnd());
      cur = "  " + w;
    }
  }
  lines.push(cur.trimEnd());
  return lines.slice(0, maxLines);
}

/**
 * Wraps a shell command at argument boundaries (quotes kept whole) with " \" continuations, so the
 * lines pasted into a shell still run as one command.
 */
function wrapCommand(text: string, width: number, maxLines: number): string[] {
  if (text.length <= width) return [text];
  const args = text.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [text];
  const lines: string[] = [];
  let cur = "";
  for (const a of args) {
    const next = cur === "" ? a : cur + " " + a;
    if (next.length + 2 <= width || cur.trim() === "") cur = next;
    else {
      lines.push(cur + " \\");
      cur = "  " + a;
    }
  }
  lines.push(cur);
  return lines.slice(0, maxLines);
}
