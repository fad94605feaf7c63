// The wiring table: a header with board and broker, one row per relay and sensor with pin and wiring note.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../sim/board/load";
import { wiringTable } from "../../sim/board/wiring";
import { ENV, minimalBoard, run } from "./helpers";

const REPO_BOARD = new URL("../../board.json", import.meta.url).pathname;

function table(b: any): string {
  const out = run(b);
  if (!out.ok) throw new Error(out.problems.join("\n"));
  return wiringTable(out.loaded.config);
}

describe("wiringTable", () => {
  const text = wiringTable(loadBoard(REPO_BOARD, ENV).config);
  const lines = text.trimEnd().split("\n");

  it("starts with the board id and the broker", () => {
    expect(lines[0]).toBe("Board esp32-01, broker mqtt://127.0.0.1:1883");
    expect(lines[1].split(/\s{2,}/)).toEqual(["name", "kind", "pin", "wiring"]);
  });

  it.each([
    ["pump", "relay", "D26", "IN pin of an active-low relay module: LOW = on"],
    ["valve1", "relay", "D27", "IN pin of an active-low relay module: LOW = on"],
    ["valve2", "relay", "D25", "IN pin of an active-low relay module: LOW = on"],
    ["lamp", "relay", "D33", "IN pin of an active-low relay module: LOW = on"],
    ["door", "digital in", "D4", "switch between pin and GND; closed = 1"],
    ["light", "analog in", "D34", "0-3.3 V max, ADC1 channel 6"],
    ["water", "counter", "D13", "open collector to GND, edge falling"],
  ])("row %s: %s on %s", (name, kind, pin, note) => {
    const row = lines.find((l) => l.startsWith(`${name} `));
    expect(row?.split(/\s{2,}/)).toEqual([name, kind, pin, note]);
  });

  it("has one row per relay and sensor, aligned, and a closing note", () => {
    expect(lines).toHaveLength(2 + 4 + 3 + 1);
    const col = lines[1].indexOf("pin");
    for (const l of lines.slice(2, 9)) expect(l[col - 1]).toBe(" ");
    expect(lines.at(-1)).toBe("ESP32 pins are 3.3 V and not 5 V tolerant; all grounds are common.");
  });

  it.each([
    ["active-high relay", (b: any) => { b.relays = [{ name: "r", pin: "D16" }]; }, "IN pin of an active-high relay module or transistor driver: HIGH = on"],
    ["pull-down switch", (b: any) => { b.sensors[0].pull = "down"; }, "switch between pin and 3.3 V; closed = 1"],
    ["pull-up, not inverted", () => {}, "switch between pin and GND; closed = 0"],
    ["digital input without pull", (b: any) => { b.sensors[0].pin = "D35"; }, "no internal pull: switch to GND with an external 10k pull-up to 3.3 V, or a driven 0/3.3 V signal"],
    ["counter on a rising edge to 3.3 V", (b: any) => { b.sensors[1].pull = "down"; b.sensors[1].edge = "rising"; }, "pulses to 3.3 V, edge rising"],
    ["counter without pull", (b: any) => { b.sensors[1].pin = "D36"; }, "open collector to GND with an external 10k pull-up to 3.3 V, edge falling"],
  ])("note: %s", (_name, mutate, note) => {
    const b = minimalBoard();
    mutate(b);
    expect(table(b)).toContain(note);
  });

  it("names a TLS broker mqtts and says when there is nothing to wire", () => {
    const b = minimalBoard();
    b.mqtt.tls = true;
    b.relays = [];
    b.sensors = [];
    expect(table(b)).toBe("Board b1, broker mqtts://broker.lan:8883\n(no relays or sensors)\n");
  });
});
