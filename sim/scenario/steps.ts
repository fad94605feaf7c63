// The steps of a scenario file, once read and checked (load.ts), and how each is described on its
// result line.
import type { DeviceConfig } from "../../firmware/device/config";
import { formatMs } from "./duration";
import { describeMatch, type MessageMatch } from "./match";
import type { InputValue } from "./session";
import type { LedPattern } from "../runner/led-observer";

export type Step = { line: number } & (
  | { kind: "publish"; topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }
  | { kind: "expect"; match: MessageMatch; withinMs: number }
  | { kind: "expect-none"; match: MessageMatch; forMs: number }
  | { kind: "input"; sensor: string; value: InputValue }
  | { kind: "expect-relay"; relays: Record<string, "on" | "off">; pin: "low" | "high" | null; withinMs: number }
  | { kind: "expect-pin"; pins: Record<string, "low" | "high">; withinMs: number }
  | { kind: "advance"; ms: number }
  | { kind: "wait"; ms: number }
  | { kind: "broker"; action: "stop" | "start" | "restart" }
  | { kind: "link"; action: "cut" | "stall" | "restore" }
  | { kind: "power"; action: "off" | "on" }
  | { kind: "expect-log"; text: string | null; match: string | null; withinMs: number }
  | { kind: "press"; button: string; forMs: number | null }
  | { kind: "wifi"; action: "off" | "on" }
  | { kind: "expect-led"; pattern: LedPattern; withinMs: number }
  | { kind: "expect-packet"; type: string; dir: "out" | "in"; withinMs: number }
);

export type StepKind = Step["kind"];

export interface Scenario {
  /** The file, as given (absolute). */
  file: string;
  name: string;
  /** The board file, absolute. */
  boardFile: string;
  /** The board, loaded (secrets missing from the environment are empty). */
  config: DeviceConfig;
  steps: Step[];
  /** Whether a step acts on the board's link: the board then goes through the fault proxy. */
  usesLink: boolean;
}

/** describeStep(step) -> `expect devices/x/status "online" retained within 2 s`, one line. */
export function describeStep(s: Step): string {
  switch (s.kind) {
    case "publish":
      return `publish ${s.topic} ${JSON.stringify(s.payload)} qos ${s.qos}${s.retain ? " retained" : ""}`;
    case "expect":
      return `expect ${describeMatch(s.match)} within ${formatMs(s.withinMs)}`;
    case "expect-none":
      return `expect-none ${describeMatch(s.match)} for ${formatMs(s.forMs)}`;
    case "input": {
      const v = s.value;
      const what = "level" in v ? `level ${v.level}` : "analog" in v ? `analog ${v.analog}` : "value" in v ? `value ${v.value}`
        : "condition" in v ? `condition ${v.condition}` : `${v.pulses} pulses at ${v.rate}/s`;
      return `input ${s.sensor} ${what}`;
    }
    case "expect-relay":
      return `expect-relay ${Object.entries(s.relays).map(([n, v]) => `${n} ${v}`).join(", ")}${s.pin ? ` pin ${s.pin}` : ""} within ${formatMs(s.withinMs)}`;
    case "expect-pin":
      return `expect-pin ${Object.entries(s.pins).map(([n, v]) => `${n} ${v}`).join(", ")} within ${formatMs(s.withinMs)}`;
    case "advance":
      return `advance ${formatMs(s.ms)} (board time)`;
    case "wait":
      return `wait ${formatMs(s.ms)} (real time)`;
    case "broker":
    case "link":
    case "power":
    case "wifi":
      return `${s.kind} ${s.action}`;
    case "press":
      return `press ${s.button}${s.forMs !== null ? ` for ${formatMs(s.forMs)}` : ""}`;
    case "expect-led":
      return `expect-led ${s.pattern} within ${formatMs(s.withinMs)}`;
    case "expect-packet":
      return `expect-packet ${s.type} ${s.dir === "out" ? "from" : "to"} the board within ${formatMs(s.withinMs)}`;
    case "expect-log":
      return `expect-log ${s.text !== null ? JSON.stringify(s.text) : `/${s.match}/`} within ${formatMs(s.withinMs)}`;
  }
}
