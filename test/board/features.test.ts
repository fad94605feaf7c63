// board.json keys of the board's own features (issue 14): buttons, the status LED, console commands,
// temperature sensors and the telnet console. One row per rule: the minimal board broken one way, and
// exactly the problems (path-named) or warnings it must give; then the defaults the firmware gets.
import { describe, expect, it } from "vitest";
import { broken, minimalBoard, run } from "./helpers";
import { wiringTable } from "../../sim/board/wiring";

interface Row {
  rule: string;
  mutate: (b: any) => void;
  problems: string[];
}

const withButtons = (b: any, ...buttons: unknown[]) => {
  b.buttons = buttons;
};

const ERRORS: Row[] = [
  { rule: "button on a relay that does not exist", mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "pump" }),
    problems: ['buttons[0].relay: no relay "pump" (relays: r0, r1)'] },
  { rule: "button without a relay", mutate: (b) => withButtons(b, { name: "b1", pin: "D0" }),
    problems: ['buttons[0].relay: missing: action "toggle" switches a relay (use action "none" for a button with only a holdAction)'] },
  { rule: "unknown button action", mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0", action: "flip" }),
    problems: ['buttons[0].action: unknown button action "flip" (toggle, on, off, momentary, none)'] },
  { rule: "unknown hold action", mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0", holdAction: "reset" }),
    problems: ['buttons[0].holdAction: unknown hold action "reset" (none, restart)'] },
  { rule: "hold shorter than half a second", mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0", holdMs: 100 }),
    problems: ["buttons[0].holdMs: must be at least 500"] },
  { rule: "button on a pin a relay uses", mutate: (b) => withButtons(b, { name: "b1", pin: "D26", relay: "r0" }),
    problems: ["buttons[0].pin: D26 is already used by relays[0]"] },
  { rule: "two buttons with one name",
    mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0" }, { name: "b1", pin: "D5", relay: "r1" }),
    problems: ['buttons[1].name: "b1" is already used by buttons[0]'] },
  { rule: "pull-up on 34-39 for a button", mutate: (b) => withButtons(b, { name: "b1", pin: "D35", relay: "r0", pull: "up" }),
    problems: ['buttons[0].pull: D35 has no internal pull-up resistor (GPIO 34-39); use "none" and fit an external resistor'] },
  { rule: "unknown button property", mutate: (b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0", hold: 3 }),
    problems: ['buttons[0].hold: unknown property (did you mean "holdMs"?)'] },
  { rule: "status LED on an input-only pin", mutate: (b) => { b.statusLed = { pin: "D36" }; },
    problems: ["statusLed.pin: D36 is input-only on ESP32"] },
  { rule: "status LED on a sensor's pin", mutate: (b) => { b.statusLed = { pin: "D4" }; },
    problems: ["statusLed.pin: D4 is already used by sensors[0]"] },
  { rule: "status LED connected state", mutate: (b) => { b.statusLed = { pin: "D2", connected: "blink" }; },
    problems: ['statusLed.connected: unknown LED state "blink" (on, off)'] },
  { rule: "status LED without a pin", mutate: (b) => { b.statusLed = { activeLow: true }; },
    problems: ["statusLed.pin: missing"] },
];

describe("board.json: the board's own features, one rule a row", () => {
  it.each(ERRORS)("$rule", ({ mutate, problems }) => {
    const r = run(broken(mutate));
    expect(r.ok ? [] : r.problems).toEqual(problems);
  });
});

describe("board.json: feature defaults and warnings", () => {
  it("a board without the features gets no key for them (each key costs JsVars on the board)", () => {
    const r = run(minimalBoard());
    if (!r.ok) throw r.error;
    expect(Object.keys(r.loaded.config)).not.toContain("buttons");
    expect(Object.keys(r.loaded.config)).not.toContain("statusLed");
  });

  it("a button defaults to toggle, active-low with the pull-up, 50 ms debounce, 10 s hold without action", () => {
    const r = run(broken((b) => withButtons(b, { name: "b1", pin: "D0", relay: "r0" }, { name: "b2", pin: "D35", relay: "r1", activeLow: false })));
    if (!r.ok) throw r.error;
    expect(r.loaded.config.buttons).toEqual([
      { name: "b1", pin: "D0", relay: "r0", action: "toggle", activeLow: true, pull: "up", debounceMs: 50, holdMs: 10000, holdAction: "none" },
      { name: "b2", pin: "D35", relay: "r1", action: "toggle", activeLow: false, pull: "none", debounceMs: 50, holdMs: 10000, holdAction: "none" },
    ]);
    // D0 is the BOOT button of most boards: the strapping warning says what holding it at reset does.
    expect(r.warnings).toEqual(["buttons[0].pin: D0 is a strapping pin: LOW at reset starts the flashing bootloader instead of the firmware"]);
  });

  it("a restart-only button needs no relay; a button that does nothing is a warning", () => {
    const ok = run(broken((b) => withButtons(b, { name: "rst", pin: "D23", action: "none", holdAction: "restart" })));
    expect(ok.ok && ok.warnings).toEqual([]);
    const idle = run(broken((b) => withButtons(b, { name: "idle", pin: "D23", action: "none" })));
    expect(idle.ok && idle.warnings).toEqual(['buttons[0]: action and holdAction are both "none": the button does nothing']);
  });

  it("the status LED defaults to active-high, on when connected", () => {
    const r = run(broken((b) => { b.statusLed = { pin: "D2" }; }));
    if (!r.ok) throw r.error;
    expect(r.loaded.config.statusLed).toEqual({ pin: "D2", activeLow: false, connected: "on" });
  });

  it("the wiring table has a line for each button and for the LED", () => {
    const r = run(broken((b) => {
      withButtons(b, { name: "b1", pin: "D0", relay: "r0" }, { name: "rst", pin: "D35", action: "none", holdAction: "restart", holdMs: 5000 });
      b.statusLed = { pin: "D2" };
    }));
    if (!r.ok) throw r.error;
    const lines = wiringTable(r.loaded.config).split("\n");
    expect(lines.find((l) => l.startsWith("b1 "))).toMatch(/^b1 +button +D0 +push button between pin and GND; press: toggle r0$/);
    expect(lines.find((l) => l.startsWith("rst "))).toMatch(/^rst +button +D35 +push button between pin and GND and an external 10k pull-up to 3\.3 V; press: restart$/);
    expect(lines.find((l) => l.startsWith("status "))).toMatch(/^status +LED +D2 +LED from the pin through 330 ohm to GND \(HIGH = lit\); blinks without WiFi or broker$/);
  });
});
