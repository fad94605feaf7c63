// One row per rule: the minimal board broken one way, and exactly the problems (or warnings) it must give.
import { describe, expect, it } from "vitest";
import { ENV, broken, minimalBoard, run } from "./helpers";
import { BINARY_SENSOR_DEVICE_CLASSES, SENSOR_DEVICE_CLASSES } from "../../sim/board/ha-rules";

const NOT_TOPIC_LEVEL = 'must be a single MQTT topic level: no "/", "+", "#" or NUL';
const EIGHT_BIT = "only printable ASCII reaches the broker intact (the ESP32 interpreter's strings are 8-bit)";
const HA_CHARS = 'Home Assistant takes only A-Z, a-z, 0-9, "_" and "-" in discovery topics and would never create the entity';
const NUMERIC_CLASSES = Object.keys(SENSOR_DEVICE_CLASSES).filter((k) => SENSOR_DEVICE_CLASSES[k].numeric).join(", ");

interface Row {
  rule: string;
  mutate: (b: any) => void;
  env?: Record<string, string | undefined>;
  problems: string[];
}

const ERRORS: Row[] = [
  // pins
  { rule: "relay on an input-only pin", mutate: (b) => { b.relays[1].pin = "D34"; },
    problems: ["relays[1].pin: D34 is input-only on ESP32"] },
  { rule: "analog on ADC2", mutate: (b) => { b.sensors[2].pin = "D25"; },
    problems: ["sensors[2].pin: D25 is on ADC2, which cannot be read while WiFi is on; use an ADC1 pin (D32-D39)"] },
  { rule: "analog on a pin without ADC", mutate: (b) => { b.sensors[2].pin = "D18"; },
    problems: ["sensors[2].pin: D18 is not an analog input on ESP32; use an ADC1 pin (D32-D39)"] },
  { rule: "SPI flash pin", mutate: (b) => { b.relays[0].pin = "D6"; },
    problems: ["relays[0].pin: D6 is wired to the SPI flash on ESP32 (GPIO 6-11); using it crashes the board"] },
  { rule: "GPIO that does not exist", mutate: (b) => { b.relays[0].pin = "D20"; },
    problems: ["relays[0].pin: D20 does not exist on ESP32 (GPIO 0-19, 21-23, 25-27, 32-39)"] },
  { rule: "GPIO past 39", mutate: (b) => { b.sensors[0].pin = "D40"; },
    problems: ["sensors[0].pin: D40 does not exist on ESP32 (GPIO 0-19, 21-23, 25-27, 32-39)"] },
  { rule: "pin not spelled D<n>", mutate: (b) => { b.relays[0].pin = "GPIO26"; },
    problems: ['relays[0].pin: must be a pin name like "D26" (D and the GPIO number)'] },
  { rule: "pin given as a number", mutate: (b) => { b.relays[0].pin = 26; },
    problems: ["relays[0].pin: must be a string"] },
  { rule: "duplicate pin across relays and sensors",
    mutate: (b) => { b.relays[0].pin = "D4"; b.sensors[0].pin = "D14"; b.sensors[1].pin = "D4"; },
    problems: ["sensors[1].pin: D4 is already used by relays[0]"] },
  { rule: "duplicate pin between relays", mutate: (b) => { b.relays[1].pin = "D26"; },
    problems: ["relays[1].pin: D26 is already used by relays[0]"] },
  { rule: "pull-up on 34-39", mutate: (b) => { b.sensors[0].pin = "D35"; b.sensors[0].pull = "up"; },
    problems: ['sensors[0].pull: D35 has no internal pull-up resistor (GPIO 34-39); use "none" and fit an external resistor'] },
  { rule: "pull-down on 34-39", mutate: (b) => { b.sensors[1].pin = "D39"; b.sensors[1].pull = "down"; },
    problems: ['sensors[1].pull: D39 has no internal pull-down resistor (GPIO 34-39); use "none" and fit an external resistor'] },

  // names and id
  { rule: "duplicate relay name", mutate: (b) => { b.relays[1].name = "r0"; },
    problems: ['relays[1].name: "r0" is already used by relays[0]'] },
  { rule: "sensor named like a relay", mutate: (b) => { b.sensors[0].name = "r1"; },
    problems: ['sensors[0].name: "r1" is already used by relays[1]'] },
  { rule: "name with /", mutate: (b) => { b.relays[0].name = "a/b"; }, problems: [`relays[0].name: ${NOT_TOPIC_LEVEL}`] },
  { rule: "name with +", mutate: (b) => { b.sensors[1].name = "a+"; }, problems: [`sensors[1].name: ${NOT_TOPIC_LEVEL}`] },
  { rule: "name with #", mutate: (b) => { b.relays[0].name = "#"; }, problems: [`relays[0].name: ${NOT_TOPIC_LEVEL}`] },
  { rule: "name with NUL", mutate: (b) => { b.relays[0].name = "a\u0000"; }, problems: [`relays[0].name: ${NOT_TOPIC_LEVEL}`] },
  { rule: "empty name", mutate: (b) => { b.relays[0].name = ""; }, problems: ["relays[0].name: must not be empty"] },
  { rule: "non-ASCII name", mutate: (b) => { b.relays[0].name = "küche"; },
    problems: [`relays[0].name: contains "ü"; ${EIGHT_BIT}`] },
  { rule: "control character in a name", mutate: (b) => { b.sensors[0].name = "a\tb"; },
    problems: [`sensors[0].name: contains U+0009; ${EIGHT_BIT}`] },
  { rule: "id with /", mutate: (b) => { b.id = "site/b1"; }, problems: [`id: ${NOT_TOPIC_LEVEL}`] },
  { rule: "missing id", mutate: (b) => { delete b.id; }, problems: ["id: missing"] },
  // secrets: a "$" value that is not a $NAME is a typo, never the secret itself
  { rule: "space in a secret's name", mutate: (b) => { b.wifi.password = "$WIFI_PASS WORD"; },
    problems: ['wifi.password: "$WIFI_PASS WORD" starts with "$" but is not a $NAME: a name is A-Z, 0-9 and "_"; write "$$WIFI_PASS WORD" for text that starts with "$"'] },
  { rule: "lower-case secret name", mutate: (b) => { b.mqtt.password = "$mqtt_password"; },
    problems: ['mqtt.password: "$mqtt_password" starts with "$" but is not a $NAME: a name is A-Z, 0-9 and "_" (names are upper case: "$MQTT_PASSWORD"); write "$$mqtt_password" for text that starts with "$"'] },
  { rule: "a lone $", mutate: (b) => { b.mqtt.username = "$"; },
    problems: ['mqtt.username: "$" starts with "$" but is not a $NAME: a name is A-Z, 0-9 and "_"; write "$$" for text that starts with "$"'] },
  { rule: "secret name starting with a digit", mutate: (b) => { b.mqtt.host = "$1BROKER"; },
    problems: ['mqtt.host: "$1BROKER" starts with "$" but is not a $NAME: a name is A-Z, 0-9 and "_"; write "$$1BROKER" for text that starts with "$"'] },

  // schema: types, enums, unknown properties, ranges
  { rule: "unknown property", mutate: (b) => { b.relays[0].colour = "red"; }, problems: ["relays[0].colour: unknown property"] },
  { rule: "typo of a property", mutate: (b) => { b.relays[0].activelow = true; },
    problems: ['relays[0].activelow: unknown property (did you mean "activeLow"?)'] },
  { rule: "typo at the top", mutate: (b) => { b.relay = []; }, problems: ['relay: unknown property (did you mean "relays"?)'] },
  { rule: "boolean as a string", mutate: (b) => { b.relays[1].activeLow = "yes"; },
    problems: ["relays[1].activeLow: must be true or false"] },
  { rule: "unknown sensor type", mutate: (b) => { b.sensors[0].type = "thermo"; },
    problems: ['sensors[0].type: unknown sensor type "thermo" (digital, analog, counter, ds18b20, dht22)'] },
  { rule: "unknown power-on state", mutate: (b) => { b.relays[0].powerOn = "last"; },
    problems: ['relays[0].powerOn: unknown power-on state "last" (off, on, restore)'] },
  { rule: "unknown edge", mutate: (b) => { b.sensors[1].edge = "down"; },
    problems: ['sensors[1].edge: unknown edge "down" (rising, falling, both)'] },
  { rule: "missing pin", mutate: (b) => { delete b.relays[0].pin; }, problems: ["relays[0].pin: missing"] },
  { rule: "property of another sensor type", mutate: (b) => { b.sensors[0].edge = "rising"; },
    problems: ["sensors[0].edge: applies only to counter sensors, not digital"] },
  { rule: "wrong value of a property of another sensor type", mutate: (b) => { b.sensors[2].edge = 3; },
    problems: ["sensors[2].edge: applies only to counter sensors, not analog"] },
  { rule: "pull on an analog sensor", mutate: (b) => { b.sensors[2].pull = "up"; },
    problems: ["sensors[2].pull: applies only to digital and counter sensors, not analog"] },
  { rule: "fail-safe after 0 s", mutate: (b) => { b.relays[0].failsafe = { state: "off", afterSec: 0 }; },
    problems: ["relays[0].failsafe.afterSec: must be greater than 0"] },
  { rule: "fail-safe without afterSec", mutate: (b) => { b.relays[0].failsafe = { state: "off" }; },
    problems: ["relays[0].failsafe.afterSec: missing"] },
  { rule: "negative pulse", mutate: (b) => { b.relays[0].pulseMs = -1; }, problems: ["relays[0].pulseMs: must be at least 0"] },
  { rule: "fractional pulse", mutate: (b) => { b.relays[0].pulseMs = 2.5; }, problems: ["relays[0].pulseMs: must be a whole number"] },
  { rule: "telemetry period 0", mutate: (b) => { b.telemetry = { periodSec: 0 }; }, problems: ["telemetry.periodSec: must be at least 1"] },
  { rule: "keep alive too long", mutate: (b) => { b.mqtt.keepAlive = 65536; }, problems: ["mqtt.keepAlive: must be at most 65535"] },
  { rule: "negative keep alive", mutate: (b) => { b.mqtt.keepAlive = -1; }, problems: ["mqtt.keepAlive: must be at least 0"] },
  { rule: "port 0", mutate: (b) => { b.mqtt.port = 0; }, problems: ["mqtt.port: must be at least 1"] },
  { rule: "port too high", mutate: (b) => { b.mqtt.port = 65536; }, problems: ["mqtt.port: must be at most 65535"] },
  { rule: "host written as a URL", mutate: (b) => { b.mqtt.host = "mqtt://broker.lan:1883"; },
    problems: ["mqtt.host: must be a host name or IPv4 address, without scheme, port or path (the port goes in mqtt.port)"] },
  { rule: "payload limit below TOGGLE", mutate: (b) => { b.commands = { maxPayload: 4 }; },
    problems: ["commands.maxPayload: must be at least 6"] },
  { rule: "document not an object", mutate: (b) => { for (const k of Object.keys(b)) delete b[k]; b.length = 0; },
    problems: ["id: missing", "wifi: missing", "mqtt: missing", "length: unknown property"] },
  { rule: "relays not an array", mutate: (b) => { b.relays = { r0: "D26" }; }, problems: ["relays: must be an array"] },
  { rule: "sensor scale 0", mutate: (b) => { b.sensors[1].scale = 0; }, problems: ["sensors[1].scale: must not be 0"] },

  // secrets
  { rule: "missing secret", mutate: () => {}, env: { MQTT_PASSWORD: "x" },
    problems: ["wifi.password: $WIFI_PASSWORD is not set in the environment"] },
  { rule: "secret in any string", mutate: (b) => { b.mqtt.host = "$BROKER_HOST"; },
    problems: ["mqtt.host: $BROKER_HOST is not set in the environment"] },

  // what the firmware needs to start (sim/board/startup.ts)
  { rule: "password over 4 KB (the CONNECT the board holds)", mutate: () => {},
    env: { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: "p".repeat(5000) },
    problems: ["mqtt.password: is 5000 bytes, which makes the CONNECT about 5053 bytes; the firmware holds it in RAM and allows at most 4096"] },
  { rule: "password over MQTT's 65,535-byte strings (in UTF-8 bytes, not characters)", mutate: () => {},
    env: { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: "\u00e9".repeat(40000) },
    problems: ["mqtt.password: is 80000 bytes; an MQTT string is at most 65535 bytes [MQTT-1.5.3]"] },

  // relays
  { rule: "password without user name", mutate: (b) => { delete b.mqtt.username; },
    problems: ["mqtt.password: needs mqtt.username (MQTT 3.1.1 cannot send a password without a user name)"] },
  { rule: "two relays of one group on at power-on",
    mutate: (b) => { for (const r of b.relays) { r.interlock = "g"; r.powerOn = "on"; } },
    problems: ['relays[1].powerOn: "on" conflicts with relays[0] in interlock group "g": only one may be on at power-on'] },
  { rule: "two relays of one group on as fail-safe",
    mutate: (b) => { for (const r of b.relays) { r.interlock = "g"; r.failsafe = { state: "on", afterSec: 5 }; } },
    problems: ['relays[1].failsafe.state: "on" conflicts with relays[0] in interlock group "g": only one may be on in the fail-safe state'] },

  // topics
  { rule: "relaySet without {name}", mutate: (b) => { b.topics = { relaySet: "{prefix}/cmd" }; },
    problems: ["topics.relaySet: must contain {name}, else commands for different relays collide"] },
  { rule: "relayState without {name}", mutate: (b) => { b.topics = { relayState: "{prefix}/relay/state" }; },
    problems: ['topics.relayState: the state topic of relays[1] is "devices/b1/relay/state", the same as the state topic of relays[0]'] },
  { rule: "relay state topic equals its set topic", mutate: (b) => { b.topics = { relayState: "{prefix}/relay/{name}/set" }; },
    problems: ['topics.relayState: the state topic of relays[0] is "devices/b1/relay/r0/set", the same as the set topic of relays[0]'] },
  { rule: "relay and sensor state topics collide",
    mutate: (b) => { b.topics = { sensorState: "{prefix}/relay/r0/state" }; },
    problems: ['topics.sensorState: the state topic of sensors[0] is "devices/b1/relay/r0/state", the same as the state topic of relays[0]'] },
  { rule: "the relays' subscription matches the board's own topics", mutate: (b) => { b.topics = { relaySet: "{prefix}/{name}" }; },
    problems: [
      "topics.relaySet: the relays' commands subscribe to \"devices/b1/+\", which matches the status topic \"devices/b1/status\": the board would take its own messages for commands",
      "topics.relaySet: the relays' commands subscribe to \"devices/b1/+\", which matches the telemetry topic \"devices/b1/telemetry\": the board would take its own messages for commands",
      "topics.relaySet: the relays' commands subscribe to \"devices/b1/+\", which matches the error topic \"devices/b1/error\": the board would take its own messages for commands",
      "topics.relaySet: the relays' commands subscribe to \"devices/b1/+\", which matches the info topic \"devices/b1/info\": the board would take its own messages for commands",
    ] },
  { rule: "status equals telemetry", mutate: (b) => { b.topics = { telemetry: "{prefix}/status" }; },
    problems: ['topics.telemetry: the telemetry topic is "devices/b1/status", the same as the status topic'] },
  { rule: "wildcard in a template", mutate: (b) => { b.topics = { status: "{prefix}/+/status" }; },
    problems: ['topics.status: must not contain the wildcards "+" or "#" or NUL (a topic name, not a filter)'] },
  { rule: "unknown placeholder", mutate: (b) => { b.topics = { status: "{prefix}/{state}" }; },
    problems: ["topics.status: unknown placeholder {state} (use {prefix}, {id})"] },
  { rule: "{name} where there is no name", mutate: (b) => { b.topics = { telemetry: "{prefix}/{name}" }; },
    problems: ["topics.telemetry: {name} cannot be used here (use {prefix}, {id})"] },
  { rule: "{prefix} inside the prefix", mutate: (b) => { b.topics = { prefix: "{prefix}/x" }; },
    problems: ["topics.prefix: {prefix} cannot be used here (use {id})"] },
  { rule: "empty template", mutate: (b) => { b.topics = { error: "" }; }, problems: ["topics.error: must not be empty"] },
  { rule: "topic under $", mutate: (b) => { b.topics = { prefix: "$$devices/{id}" }; },
    problems: ['topics.prefix: "$devices/b1" starts with "$", which is reserved for the broker\'s own topics ($SYS)'] },
  { rule: "topic over 65535 bytes", mutate: (b) => { b.topics = { status: "a".repeat(65536) }; },
    problems: ["topics.status: expands to 65536 bytes; an MQTT topic has at most 65535"] },
  { rule: "non-ASCII template", mutate: (b) => { b.topics = { prefix: "gerät/{id}" }; },
    problems: [`topics.prefix: contains "ä"; ${EIGHT_BIT}`] },
  { rule: "wildcard in the discovery prefix", mutate: (b) => { b.discovery = { prefix: "homeassistant/#" }; },
    problems: ['discovery.prefix: must not contain the wildcards "+" or "#" or NUL (a topic name, not a filter)'] },

  // Home Assistant (sim/board/ha-check.ts, the rules in sim/board/ha-rules.ts)
  { rule: "name with a space (discovery on)", mutate: (b) => { b.relays[0].name = "living room"; },
    problems: [`relays[0].name: "living room" contains a space; ${HA_CHARS}`] },
  { rule: "name with a dot (discovery on)", mutate: (b) => { b.relays[1].name = "fan.1"; },
    problems: [`relays[1].name: "fan.1" contains "."; ${HA_CHARS}`] },
  { rule: "id with a dot (discovery on)", mutate: (b) => { b.id = "esp32.01"; },
    problems: [`id: "esp32.01" contains "."; ${HA_CHARS}`] },
  { rule: "name of a diagnostic entity", mutate: (b) => { b.sensors[1].name = "uptime"; },
    problems: ['sensors[1].name: "uptime" is the board\'s own diagnostic entity in Home Assistant; choose another name'] },
  { rule: "discovery prefix with a space", mutate: (b) => { b.discovery = { prefix: "home assistant" }; },
    problems: ['discovery.prefix: "home assistant" has the level "home assistant"; keep each level of the discovery prefix to A-Z, a-z, 0-9, "_" and "-"'] },
  { rule: "discovery prefix with an empty level", mutate: (b) => { b.discovery = { prefix: "ha//disc" }; },
    problems: ['discovery.prefix: "ha//disc" has an empty topic level'] },
  { rule: "a board topic on Home Assistant's birth topic", mutate: (b) => { b.topics = { prefix: "homeassistant" }; },
    problems: ['topics.status: the status topic is "homeassistant/status", where Home Assistant announces that it started'] },
  { rule: "relay device class of another platform", mutate: (b) => { b.relays[0].deviceClass = "door"; },
    problems: ['relays[0].deviceClass: "door" is not a switch device class (outlet, switch); a relay is a Home Assistant switch'] },
  { rule: "pulse relay with a switch device class", mutate: (b) => { b.relays[0].pulseMs = 500; b.relays[0].deviceClass = "outlet"; },
    problems: ['relays[0].deviceClass: "outlet" is not a button device class (identify, restart, update); a pulse relay is a Home Assistant button'] },
  { rule: "digital input with a sensor device class", mutate: (b) => { b.sensors[0].deviceClass = "temperature"; },
    problems: [`sensors[0].deviceClass: "temperature" is not a binary_sensor device class (${BINARY_SENSOR_DEVICE_CLASSES.join(", ")})`] },
  { rule: "unknown sensor device class", mutate: (b) => { b.sensors[2].deviceClass = "tempreature"; },
    problems: [`sensors[2].deviceClass: "tempreature" is not a sensor device class (${NUMERIC_CLASSES})`] },
  { rule: "text device class on a number", mutate: (b) => { b.sensors[2].deviceClass = "timestamp"; },
    problems: ['sensors[2].deviceClass: "timestamp" is for text states; an analog sensor reports numbers'] },
  { rule: "analog input with a total's device class", mutate: (b) => { b.sensors[2].deviceClass = "energy"; b.sensors[2].unit = "kWh"; },
    problems: ['sensors[2].deviceClass: "energy" takes state class total or total_increasing; an analog sensor reports measurement'] },
  { rule: "counter with a measurement's device class", mutate: (b) => { b.sensors[1].deviceClass = "temperature"; b.sensors[1].unit = "°C"; },
    problems: ['sensors[1].deviceClass: "temperature" takes state class measurement; a counter sensor reports total_increasing'] },
  { rule: "unit the device class does not allow (HA 2025.7 refuses it)", mutate: (b) => { b.sensors[1].deviceClass = "water"; b.sensors[1].unit = "kWh"; },
    problems: ['sensors[1].unit: "kWh" is not a unit of device class "water" (CCF, ft³, m³, gal, L); Home Assistant refuses the sensor'] },
  { rule: "temperature in C, not °C", mutate: (b) => { b.sensors[2].deviceClass = "temperature"; b.sensors[2].unit = "C"; },
    problems: ['sensors[2].unit: "C" is not a unit of device class "temperature" (°C, °F, K); Home Assistant refuses the sensor'] },
  { rule: "device class without its unit", mutate: (b) => { b.sensors[2].deviceClass = "humidity"; },
    problems: ['sensors[2].unit: device class "humidity" needs one of its units (%)'] },
  { rule: "unknown discovery mode", mutate: (b) => { b.discovery = { mode: "entities" }; },
    problems: ['discovery.mode: unknown discovery mode "entities" (device, entity)'] },
];

describe("board.json rules: each broken board gives exactly its problem", () => {
  it("the minimal board is valid and warning-free", () => {
    const out = run(minimalBoard());
    expect(out.ok && out.warnings).toEqual([]);
  });

  it.each(ERRORS)("$rule", ({ mutate, env, problems }) => {
    const out = run(broken(mutate), env ?? ENV);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.problems).toEqual(problems);
      expect(out.error.message).toBe(problems.join("\n"));
    }
  });
});

interface WarnRow {
  rule: string;
  mutate: (b: any) => void;
  env?: Record<string, string | undefined>;
  warnings: string[];
}

const WARNINGS: WarnRow[] = [
  { rule: "strapping pin D12", mutate: (b) => { b.relays[0].pin = "D12"; },
    warnings: ["relays[0].pin: D12 is a strapping pin: HIGH at reset selects 1.8 V flash and the board does not boot"] },
  { rule: "strapping pin D2", mutate: (b) => { b.sensors[0].pin = "D2"; },
    warnings: ["sensors[0].pin: D2 is a strapping pin: it must be LOW or floating at reset to flash (it is the on-board LED on many boards)"] },
  { rule: "strapping pin D0 under a relay", mutate: (b) => { b.relays[1].pin = "D0"; },
    warnings: [
      "relays[1].pin: D0 is a strapping pin: LOW at reset starts the flashing bootloader instead of the firmware",
      "relays[1].pin: D0 outputs a signal while the ESP32 boots; the relay may click at every reset",
    ] },
  { rule: "strapping pin D5", mutate: (b) => { b.sensors[1].pin = "D5"; },
    warnings: ["sensors[1].pin: D5 is a strapping pin: held LOW at reset it changes the flash timing"] },
  { rule: "strapping pin D15", mutate: (b) => { b.sensors[0].pin = "D15"; },
    warnings: ["sensors[0].pin: D15 is a strapping pin: LOW at reset silences the boot log and changes the flash timing"] },
  { rule: "relay on a pin that toggles at boot", mutate: (b) => { b.relays[0].pin = "D14"; },
    warnings: ["relays[0].pin: D14 outputs a signal while the ESP32 boots; the relay may click at every reset"] },
  { rule: "console pin", mutate: (b) => { b.sensors[0].pin = "D3"; },
    warnings: ["sensors[0].pin: D3 is the serial console's RX (UART0), which Espruino's console and flashing use"] },
  { rule: "pin most modules lack", mutate: (b) => { b.sensors[0].pin = "D37"; },
    warnings: ["sensors[0].pin: D37 is not brought out on most ESP32 modules (WROOM, WROVER)"] },
  { rule: "interlock group of one", mutate: (b) => { b.relays[1].interlock = "valves"; },
    warnings: ['relays[1].interlock: group "valves" has no other relay, so the interlock does nothing'] },
  { rule: "name with a space (discovery off)", mutate: (b) => { b.relays[0].name = "living room"; b.discovery = { enabled: false }; },
    warnings: ['relays[0].name: "living room" contains a space; Home Assistant object ids and many tools expect only A-Z, a-z, 0-9, "_" and "-"'] },
  { rule: "id with a dot (discovery off)", mutate: (b) => { b.id = "esp32.01"; b.discovery = { enabled: false }; },
    warnings: ['id: "esp32.01" contains "."; Home Assistant object ids and many tools expect only A-Z, a-z, 0-9, "_" and "-"'] },
  { rule: "password in the file", mutate: (b) => { b.wifi.password = "hunter2-hunter2"; },
    warnings: ['wifi.password: the password is written in the file; write "$WIFI_PASSWORD" and set it in the environment'] },
  { rule: "WiFi passphrase too short", mutate: () => {}, env: { ...ENV, WIFI_PASSWORD: "short" },
    warnings: ["wifi.password: a WPA2 passphrase has 8 to 63 characters"] },
  { rule: "TLS port without TLS", mutate: (b) => { b.mqtt.port = 8883; },
    warnings: ["mqtt.port: 8883 is the usual port for MQTT over TLS, but mqtt.tls is false"] },
  { rule: "keep alive off with a fail-safe", mutate: (b) => { b.mqtt.keepAlive = 0; b.relays[1].failsafe = { afterSec: 60 }; },
    warnings: ["mqtt.keepAlive: 0 turns keep alive off, so a silently dead broker connection is never noticed and relays[1].failsafe may never apply"] },
  { rule: "long client id", mutate: (b) => { b.mqtt.clientId = "a-very-long-client-id-of-30-ch"; },
    warnings: ['mqtt.clientId: the MQTT client id "a-very-long-client-id-of-30-ch" has 30 characters; brokers need only accept 23'] },
  { rule: "empty topic level", mutate: (b) => { b.topics = { prefix: "devices/{id}/" }; },
    warnings: ['topics.prefix: "devices/b1/" has an empty topic level'] },
  { rule: "analog delta above full scale", mutate: (b) => { b.sensors[2].scale = 100; b.sensors[2].delta = 100; },
    warnings: ["sensors[2].delta: 100 is not below the full scale (100), so changes are never reported"] },
];

describe("board.json warnings: the board loads, with exactly this warning", () => {
  it.each(WARNINGS)("$rule", ({ mutate, env, warnings }) => {
    const out = run(broken(mutate), env ?? ENV);
    if (!out.ok) expect.fail(out.problems.join("\n"));
    expect(out.warnings).toEqual(warnings);
  });
});

// Boards Home Assistant accepts: they load without a problem or a warning, and a unit reaches the
// firmware as its UTF-8 bytes, one char a byte (firmware/device/config.ts), whatever its characters.
const ACCEPTED: { rule: string; mutate: (b: any) => void; unit?: [number, string] }[] = [
  { rule: "outlet relay", mutate: (b) => { b.relays[0].deviceClass = "outlet"; } },
  { rule: "pulse relay as a restart button", mutate: (b) => { b.relays[1].pulseMs = 300; b.relays[1].deviceClass = "restart"; } },
  { rule: "door contact", mutate: (b) => { b.sensors[0].deviceClass = "door"; } },
  { rule: "temperature in °C", mutate: (b) => { b.sensors[2].deviceClass = "temperature"; b.sensors[2].unit = "°C"; }, unit: [2, "°C"] },
  { rule: "water meter in m³", mutate: (b) => { b.sensors[1].deviceClass = "water"; b.sensors[1].unit = "m³"; }, unit: [1, "m³"] },
  { rule: "gas meter in ft³", mutate: (b) => { b.sensors[1].deviceClass = "gas"; b.sensors[1].unit = "ft³"; }, unit: [1, "ft³"] },
  { rule: "energy meter in kWh", mutate: (b) => { b.sensors[1].deviceClass = "energy"; b.sensors[1].unit = "kWh"; }, unit: [1, "kWh"] },
  { rule: "dust in µg/m³", mutate: (b) => { b.sensors[2].deviceClass = "pm25"; b.sensors[2].unit = "\u00b5g/m\u00b3"; }, unit: [2, "\u00b5g/m\u00b3"] },
  { rule: "a unit outside Latin-1 without a class", mutate: (b) => { b.sensors[2].unit = "\u03bcs"; }, unit: [2, "\u03bcs"] },
  { rule: "any class is free when discovery is off", mutate: (b) => { b.discovery = { enabled: false }; b.sensors[2].deviceClass = "whatever"; } },
];

describe("Home Assistant device classes and units it accepts", () => {
  it.each(ACCEPTED)("$rule", ({ mutate, unit }) => {
    const out = run(broken(mutate));
    if (!out.ok) return expect.fail(out.problems.join("\n"));
    expect(out.warnings).toEqual([]);
    if (unit) {
      const carried = out.loaded.config.sensors[unit[0]].unit;
      expect(Buffer.from(carried, "latin1")).toEqual(Buffer.from(unit[1], "utf8"));
    }
  });
});

describe("the discovery prefix", () => {
  it("with discovery on, a problem is said once: the error, no warning beside it", () => {
    const out = run(broken((b) => { b.discovery = { prefix: "ha//disc" }; }));
    expect(!out.ok && [out.problems, out.warnings]).toEqual([['discovery.prefix: "ha//disc" has an empty topic level'], []]);
  });

  it("with discovery off, only the generic topic warning", () => {
    const out = run(broken((b) => { b.discovery = { enabled: false, prefix: "ha//disc" }; }));
    expect(out.ok && out.warnings).toEqual(['discovery.prefix: "ha//disc" has an empty topic level']);
  });
});
