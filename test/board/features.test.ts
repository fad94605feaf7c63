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

const ROM = "28ff4c1a0b160445";
const ROM2 = "28aa01b2c3d4e5d4";

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
  { rule: "two DS18B20 on one pin without ROMs",
    mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14" }, { name: "b", type: "ds18b20", pin: "D14" }]; },
    problems: [
      "sensors[0].rom: missing: 2 DS18B20 share D14, each needs its ROM (the board's log lists the ROMs it finds at boot)",
      "sensors[1].rom: missing: 2 DS18B20 share D14, each needs its ROM (the board's log lists the ROMs it finds at boot)",
    ] },
  { rule: "one ROM twice",
    mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", rom: ROM }, { name: "b", type: "ds18b20", pin: "D14", rom: ROM.toUpperCase() }]; },
    problems: [`sensors[1].rom: "${ROM}" is already sensors[0]'s`] },
  { rule: "a ROM whose CRC byte does not match", mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", rom: "28ff4c1a0b160446" }]; },
    problems: ['sensors[0].rom: "28ff4c1a0b160446" fails its CRC (the last byte checks the other seven): a typo? The board\'s log lists the ROMs it finds'] },
  { rule: "a ROM that is not 16 hex digits", mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", rom: "28-ff4c1a0b1604" }]; },
    problems: ['sensors[0].rom: must be 16 hex digits, family code first (e.g. "28ff4c1a0b160445")'] },
  { rule: "a DS18B20 on an input-only pin", mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D35" }]; },
    problems: ["sensors[0].pin: D35 is input-only on ESP32; a OneWire line is also driven by the board"] },
  { rule: "a DS18B20 sharing a pin with a DHT22",
    mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14" }, { name: "b", type: "dht22", pin: "D14" }]; },
    problems: ["sensors[1].pin: D14 is already used by sensors[0]"] },
  { rule: "sensors on one bus with different periods",
    mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", rom: ROM }, { name: "b", type: "ds18b20", pin: "D14", rom: ROM2, periodSec: 5 }]; },
    problems: ["sensors[1].periodSec: must equal sensors[0].periodSec (60): the sensors on D14 are read together"] },
  { rule: "a DHT22 read every second", mutate: (b) => { b.sensors = [{ name: "a", type: "dht22", pin: "D16", periodSec: 1 }]; },
    problems: ["sensors[0].periodSec: must be at least 2: a DHT22 may be read every 2 s at most"] },
  { rule: "a DHT22's humidity twice",
    mutate: (b) => { b.sensors = [{ name: "a", type: "dht22", pin: "D16", measure: "humidity" }, { name: "b", type: "dht22", pin: "D16", measure: "humidity" }]; },
    problems: ['sensors[1].measure: "humidity" is already reported by sensors[0] (one DHT22 on D16)'] },
  { rule: "a unit for a DS18B20", mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", unit: "F" }]; },
    problems: ["sensors[0].unit: applies only to analog and counter sensors, not ds18b20"] },
  { rule: "a device class for a DS18B20", mutate: (b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", deviceClass: "humidity" }]; },
    problems: ["sensors[0].deviceClass: applies only to digital, analog and counter sensors, not ds18b20"] },
  { rule: "a relay named restart with the console on (its Home Assistant button)", mutate: (b) => { b.relays[0].name = "restart"; },
    problems: ['relays[0].name: "restart" is the board\'s restart button in Home Assistant (commands.console); choose another name'] },
  { rule: "a rom for a DHT22", mutate: (b) => { b.sensors = [{ name: "a", type: "dht22", pin: "D16", rom: ROM }]; },
    problems: ["sensors[0].rom: applies only to ds18b20 sensors, not dht22"] },
  { rule: "telnet not a boolean", mutate: (b) => { b.console = { telnet: "yes" }; }, problems: ["console.telnet: must be true or false"] },
  { rule: "a command topic without {name}", mutate: (b) => { b.topics = { command: "{prefix}/cmd" }; },
    problems: ["topics.command: must contain {name}, else the console commands collide"] },
  { rule: "the info topic on the telemetry topic", mutate: (b) => { b.topics = { info: "{prefix}/telemetry" }; },
    problems: ['topics.info: the info topic is "devices/b1/telemetry", the same as the telemetry topic'] },
  { rule: "the console's subscription matches the board's own topics (it would answer itself without end)",
    mutate: (b) => { b.topics = { command: "{prefix}/{name}", status: "{prefix}/state", telemetry: "{prefix}/tele" }; },
    problems: [
      "topics.command: the console's commands subscribe to \"devices/b1/+\", which matches the status topic \"devices/b1/state\": the board would take its own messages for commands",
      "topics.command: the console's commands subscribe to \"devices/b1/+\", which matches the telemetry topic \"devices/b1/tele\": the board would take its own messages for commands",
      "topics.command: the console's commands subscribe to \"devices/b1/+\", which matches the error topic \"devices/b1/error\": the board would take its own messages for commands",
      "topics.command: the console's commands subscribe to \"devices/b1/+\", which matches the info topic \"devices/b1/info\": the board would take its own messages for commands",
    ] },
  { rule: "a console command on a relay's set topic",
    mutate: (b) => { b.topics = { command: "{prefix}/relay/{name}/set" }; b.relays[0].name = "status"; },
    problems: ['topics.command: the console\'s status command topic is "devices/b1/relay/status/set", the same as the set topic of relays[0]'] },
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

  it("temperature sensors: defaults, the unit and device class from what they measure, and their wiring lines", () => {
    const r = run(broken((b) => {
      b.sensors = [
        { name: "t1", type: "ds18b20", pin: "D14", rom: ROM }, { name: "t2", type: "ds18b20", pin: "D14", rom: ROM2 },
        { name: "rt", type: "dht22", pin: "D16" }, { name: "rh", type: "dht22", pin: "D16", measure: "humidity" },
      ];
    }));
    if (!r.ok) throw r.error;
    expect(r.warnings).toEqual([]);
    const [t1, , rt, rh] = r.loaded.config.sensors;
    expect(t1).toEqual({
      // The unit as the firmware carries it: its UTF-8 bytes ("\xc2\xb0C" is "°C").
      name: "t1", type: "ds18b20", pin: "D14", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "\xc2\xb0C", delta: 0,
      periodMs: 60000, edge: "both", decimals: 1, deviceClass: "temperature", rom: ROM,
    });
    expect([rt.measure, rt.unit, rt.deviceClass, rh.measure, rh.unit, rh.deviceClass])
      .toEqual(["temperature", "\xc2\xb0C", "temperature", "humidity", "%", "humidity"]);
    expect("rom" in rt || "measure" in t1).toBe(false);
    const lines = wiringTable(r.loaded.config).split("\n");
    expect(lines.find((l) => l.startsWith("t1 "))).toMatch(/^t1 +DS18B20 +D14 +DQ \(OneWire, ROM 28ff4c1a0b160445\) with a 4\.7k pull-up to 3\.3 V \(one per pin\); VDD 3\.3 V, GND$/);
    expect(lines.find((l) => l.startsWith("rh "))).toMatch(/^rh +DHT22 +D16 +DATA \(humidity\) with a 10k pull-up to 3\.3 V \(most modules have it\); VCC 3\.3 V, GND$/);
  });

  it("a ROM with another family code is a warning", () => {
    const r = run(broken((b) => { b.sensors = [{ name: "a", type: "ds18b20", pin: "D14", rom: "10aa01b2c3d4e531" }]; }));
    expect(r.ok && r.warnings).toEqual(["sensors[0].rom: family code 10 is not a DS18B20's (28): a DS18S20 (10) or DS1822 (22) reads in other units"]);
  });

  it("without console commands their topics are not checked (they do not exist)", () => {
    const r = run(broken((b) => { b.commands = { console: false }; b.topics = { info: "{prefix}/telemetry" }; }));
    expect(r.ok && r.warnings).toEqual([]);
  });

  it("telnet is off unless asked for, and then the only console key", () => {
    const off = run(minimalBoard());
    expect(off.ok && "console" in off.loaded.config).toBe(false);
    const on = run(broken((b) => { b.console = { telnet: true }; }));
    expect(on.ok && on.loaded.config.console).toEqual({ telnet: true });
    expect(on.warnings).toEqual([
      "console.telnet: the telnet console has no password and no encryption: anyone who can reach the board's address can read its WiFi and MQTT passwords, switch the relays and replace the firmware",
    ]);
  });
});
