// The live view's keyboard: which key acts on which sensor, and raw terminal input -> an action. Pure, so
// the whole mapping is tested as a table; the live view only feeds it what stdin delivers in raw mode.
import type { DeviceConfig } from "../../firmware/device/config";

export interface KeyBinding {
  /** "1".."9". */
  key: string;
  /** Index into config.sensors, or into config.buttons for type "button". */
  sensor: number;
  name: string;
  type: "digital" | "analog" | "counter" | "ds18b20" | "dht22" | "button";
}

export interface KeyAction {
  kind: "flip" | "pulse" | "analog" | "measure" | "condition" | "select" | "press" | "wifi" | "quit" | "kill" | "boot";
  /** flip, pulse, select, analog, measure, condition: index into config.sensors; press: into config.buttons. */
  sensor?: number;
  /** analog: how far to move the reading (fraction of full scale, 0..1 range). */
  delta?: number;
}

/** How far one "+"/"-" (or arrow) moves an analog input. */
export const ANALOG_STEP = 0.05;
/** How far one "+"/"-" moves what a temperature sensor measures (degrees C), and a humidity sensor (%). */
export const TEMPERATURE_STEP = 0.5;
export const HUMIDITY_STEP = 2;

const adjustable = (t: KeyBinding["type"]) => t === "analog" || t === "ds18b20" || t === "dht22";

const UP = ["+", "=", "\u001b[A", "\u001bOA"];
const DOWN = ["-", "_", "\u001b[B", "\u001bOB"];

/** keyBindings(config) -> "1".."9" for the first nine sensors, then the buttons, in config order (more get no key). */
export function keyBindings(config: DeviceConfig): KeyBinding[] {
  const all: Omit<KeyBinding, "key">[] = [
    ...config.sensors.map((s, i) => ({ sensor: i, name: s.name, type: s.type })),
    ...(config.buttons ?? []).map((b, i) => ({ sensor: i, name: b.name, type: "button" as const })),
  ];
  return all.slice(0, 9).map((b, i) => ({ key: String(i + 1), ...b }));
}

/**
 * decodeKey(data, bindings, selectedAnalog) -> the action for one key press, or null when the key means
 * nothing. "+"/"-" and the arrows move the selected analog sensor (the first analog one when none is
 * selected); null when the board has no analog sensor.
 */
export function decodeKey(data: string, bindings: KeyBinding[], selectedAnalog: number | null): KeyAction | null {
  switch (data) {
    case "q": case "Q": case "\u0003": return { kind: "quit" };
    case "k": case "K": return { kind: "kill" };
    case "r": case "R": return { kind: "boot" };
    case "w": case "W": return { kind: "wifi" };
  }
  const up = UP.indexOf(data) >= 0;
  const selected = bindings.find((b) => adjustable(b.type) && b.sensor === selectedAnalog);
  if (up || DOWN.indexOf(data) >= 0) {
    const target = selected ?? bindings.find((b) => b.type === "analog") ?? bindings.find((b) => adjustable(b.type));
    if (!target) return null;
    if (target.type === "analog") return { kind: "analog", sensor: target.sensor, delta: up ? ANALOG_STEP : -ANALOG_STEP };
    return { kind: "measure", sensor: target.sensor, delta: up ? 1 : -1 };
  }
  // x: the selected temperature or humidity sensor goes missing, then corrupt, then answers again.
  if (data === "x" || data === "X") {
    const target = selected && selected.type !== "analog" ? selected : bindings.find((b) => b.type === "ds18b20" || b.type === "dht22");
    return target ? { kind: "condition", sensor: target.sensor } : null;
  }
  const b = bindings.find((x) => x.key === data);
  if (!b) return null;
  if (b.type === "digital") return { kind: "flip", sensor: b.sensor };
  if (b.type === "counter") return { kind: "pulse", sensor: b.sensor };
  if (b.type === "button") return { kind: "press", sensor: b.sensor };
  return { kind: "select", sensor: b.sensor };
}

/**
 * splitKeys(chunk) -> the key presses in one chunk of raw input: escape sequences (arrows) stay whole,
 * everything else is one character per key (a paste or fast typing arrives as one chunk).
 */
export function splitKeys(chunk: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < chunk.length;) {
    // CSI ("ESC [") and SS3 ("ESC O") sequences end at their first letter or "~".
    const m = /^\u001b[[O][0-9;]*[A-Za-z~]/.exec(chunk.slice(i, i + 16));
    const len = m ? m[0].length : chunk.codePointAt(i)! > 0xffff ? 2 : 1;
    keys.push(chunk.slice(i, i + len));
    i += len;
  }
  return keys;
}

/** keysHelp(bindings) -> one line naming every key, e.g. `keys: 1 door flip  2 light select, +/- move  ...`. */
export function keysHelp(bindings: KeyBinding[]): string {
  const verb = {
    digital: "flip", counter: "pulse", analog: "select, +/- move", button: "press", ds18b20: "select, +/- move, x fault",
    dht22: "select, +/- move, x fault",
  };
  const parts = bindings.map((b) => `${b.key} ${b.name} ${verb[b.type]}`);
  parts.push("w wifi", "k kill", "r boot", "q quit");
  return "keys: " + parts.join("  ");
}
