// The live view of the board's own features: keys for buttons and temperature sensors (press, move the
// measured value, make the sensor fail), w for the WiFi access point; the board model folding button,
// LED and WiFi events; and the screen lines for buttons, the status LED and the bus sensors.
import { describe, expect, it } from "vitest";
import { decodeKey, keyBindings, keysHelp } from "../../sim/view/keys";
import { BoardState } from "../../sim/view/board-state";
import { renderScreen } from "../../sim/view/live-screen";
import { featuresConfig } from "./board-features-harness";
import { info } from "./view-helpers";

const config = featuresConfig();
const bindings = keyBindings(config);

describe("keys of the board's features", () => {
  it("numbers the sensors, then the buttons", () => {
    expect(bindings.map((b) => [b.key, b.name, b.type])).toEqual([
      ["1", "tank", "ds18b20"], ["2", "pipe", "ds18b20"], ["3", "room_t", "dht22"], ["4", "room_rh", "dht22"],
      ["5", "b1", "button"], ["6", "b2", "button"], ["7", "reset", "button"],
    ]);
    expect(keysHelp(bindings)).toBe("keys: 1 tank select, +/- move, x fault  2 pipe select, +/- move, x fault  3 room_t select, +/- move, x fault"
      + "  4 room_rh select, +/- move, x fault  5 b1 press  6 b2 press  7 reset press  w wifi  k kill  r boot  q quit");
  });

  it.each([
    { data: "5", selected: null, want: { kind: "press", sensor: 0 } },
    { data: "7", selected: null, want: { kind: "press", sensor: 2 } },
    { data: "2", selected: null, want: { kind: "select", sensor: 1 } },
    { data: "+", selected: 1, want: { kind: "measure", sensor: 1, delta: 1 } },
    { data: "-", selected: 3, want: { kind: "measure", sensor: 3, delta: -1 } },
    { data: "+", selected: null, want: { kind: "measure", sensor: 0, delta: 1 } },
    { data: "x", selected: 2, want: { kind: "condition", sensor: 2 } },
    { data: "x", selected: null, want: { kind: "condition", sensor: 0 } },
    { data: "w", selected: null, want: { kind: "wifi" } },
  ])("$data (selected $selected)", ({ data, selected, want }) => {
    expect(decodeKey(data, bindings, selected)).toEqual(want);
  });
});

describe("the board model and the screen", () => {
  it("fold button, LED, WiFi and sensor-input events, and show them", () => {
    const s = new BoardState(config);
    const ev = (t: number, body: object) => s.apply({ t, device: config.id, ...body } as never);
    ev(1000, { event: "boot", mode: "bundle", clientId: config.id, broker: "mqtt://127.0.0.1:1883", relays: [], sensors: [] });
    ev(2000, { event: "button", button: "b1", pin: "D0", pressed: true });
    ev(3000, { event: "led", pin: "D2", pattern: "no-broker" });
    ev(4000, { event: "wifi", up: false });
    ev(5000, { event: "input", sensor: "pipe", pin: "D14", condition: "missing" });
    ev(6000, { event: "sensor", sensor: "pipe", index: 1, value: "unavailable" });
    ev(6500, { event: "sensor", sensor: "tank", index: 0, value: "21.5" });
    expect(s.buttons[0]).toMatchObject({ name: "b1", pressed: true, does: "toggle pump" });
    expect(s.buttons[2].does).toBe("held 1s: restart");
    expect(s.led).toEqual({ pattern: "no-broker", at: 3000 });
    expect(s.wifiUp).toBe(false);
    expect(s.sensors[1].input).toMatchObject({ condition: "missing" });

    const screen = renderScreen(s, info({
      inputs: [{ key: "2", sensor: "pipe", type: "ds18b20", pin: "D14", measured: 21.5, condition: "missing" }],
      buttonKeys: { b1: "5" }, selected: 1, now: 10_000,
    }), 160, 40);
    expect(screen).toMatch(/> pipe +D14 +ds18b20 +unavailable +input 21\.5 \(missing\) +key 2 selected, \+\/- move, x fault/);
    expect(screen).toMatch(/ {2}tank +D14 +ds18b20 +21\.5 C /);
    expect(screen).toMatch(/b1 +D0 +toggle pump +pressed +key 5 presses +pressed 8\.0s ago/);
    expect(screen).toMatch(/status LED  D2  two blinks a second: no broker  since 7\.0s ago  \(WiFi access point down: w brings it back\)/);
  });
});
