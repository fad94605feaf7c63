// The live view's model and screen: realistic SimEvent sessions folded into BoardState, and the screen
// rendered from it at several sizes, with and without colour.
import { describe, expect, it } from "vitest";
import { BoardState, traceText, ascii } from "../../sim/view/board-state";
import { renderScreen } from "../../sim/view/live-screen";
import {
  CONNACK, CONNECT, ID, ONLINE, PREFIX, PUBACK, SET_ON, SUBACK, SUBSCRIBE, describe as describePkt, ev, info,
  session, testConfig,
} from "./view-helpers";

const ANSI = /\u001b\[/;

function stateAfter(events = session()): BoardState {
  const s = new BoardState(testConfig());
  for (const e of events) s.apply(e);
  return s;
}

describe("BoardState", () => {
  it("starts with every relay and sensor from the config, nothing reported, not booted", () => {
    const s = new BoardState(testConfig());
    expect(s.relays.map((r) => [r.name, r.pin, r.activeLow, r.on, r.level])).toEqual([
      ["pump", "D26", true, null, null],
      ["lamp", "D33", false, null, null],
    ]);
    expect(s.sensors.map((x) => [x.name, x.type, x.pin, x.unit, x.value])).toEqual([
      ["door", "digital", "D4", "", null],
      ["light", "analog", "D34", "%", null],
      ["water", "counter", "D13", "L", null],
    ]);
    expect(s.connection).toMatchObject({ state: "disconnected", since: null, connects: 0, stopped: null });
    expect(s.telemetry).toBeNull();
    expect(s.trace).toEqual([]);
  });

  it("follows a session: connected since the CONNACK, relays, sensors, inputs, telemetry", () => {
    const s = stateAfter();
    expect(s.boot).toEqual({ mode: "source", clientId: ID, broker: "mqtt://127.0.0.1:1883", at: 10 });
    expect(s.connection).toMatchObject({ state: "connected", since: 25, socket: "127.0.0.1:1883", sockets: 1, connects: 1, sessionPresent: false });
    expect(s.relays[0]).toMatchObject({ on: true, level: 0, changedAt: 1001 });
    expect(s.relays[1]).toMatchObject({ on: false, level: 0, changedAt: 11 });
    expect(s.sensors[1]).toMatchObject({ value: "42.5", at: 2100, input: { analog: 0.425, at: 2000 } });
    expect(s.sensors[2]).toMatchObject({ value: "1.5", at: 3010, input: { pulses: 3, at: 3000 } });
    expect(s.telemetry?.at).toBe(60000);
    expect(s.telemetry?.json).toMatchObject({ uptime: 60, mqtt: { connects: 1 } });
    expect([s.published, s.received]).toEqual([2, 1]);
  });

  it("keeps telemetry that is not JSON as text", () => {
    const s = stateAfter([ev(5, { event: "published", topic: `${PREFIX}/telemetry`, payload: "up 60s", qos: 0, retain: false, dup: false })]);
    expect(s.telemetry).toEqual({ text: "up 60s", json: undefined, at: 5 });
  });

  it.each([
    {
      name: "a lost session goes disconnected with its reason, a new socket goes connecting",
      tail: [ev(100, { event: "disconnected", reason: "keep alive timeout" }), ev(200, { event: "socket", to: "127.0.0.1:1883" })],
      want: { state: "connecting", since: 200, disconnects: 1, lastReason: "keep alive timeout", sockets: 2 },
    },
    {
      name: "repeated sockets while connecting keep the time the attempts began",
      tail: [
        ev(100, { event: "disconnected", reason: "socket closed" }),
        ev(200, { event: "socket", to: "127.0.0.1:1883" }),
        ev(900, { event: "socket", to: "127.0.0.1:1883" }),
      ],
      want: { state: "connecting", since: 200, sockets: 3 },
    },
    {
      name: "a kill stops the board",
      tail: [ev(100, { event: "stopped", how: "killed" })],
      want: { state: "disconnected", since: 100, stopped: "killed" },
    },
    {
      name: "a boot after a stop clears it and starts connecting",
      tail: [
        ev(100, { event: "stopped", how: "clean" }),
        ev(150, { event: "boot", mode: "bundle", clientId: ID, broker: "mqtt://127.0.0.1:1883", relays: [], sensors: [] }),
      ],
      want: { state: "connecting", since: 150, stopped: null, connects: 1 },
    },
  ])("$name", ({ tail, want }) => {
    const s = stateAfter([...session(), ...tail]);
    expect(s.connection).toMatchObject(want);
  });

  it("ignores another board's events", () => {
    const s = stateAfter([ev(1, { event: "relay", relay: "pump", index: 0, on: true, pin: "D26", level: 0 }, "esp32-02")]);
    expect(s.relays[0].on).toBeNull();
    expect(s.version).toBe(0);
  });

  it("finds a relay or sensor by name when the index does not match", () => {
    const s = stateAfter([
      ev(1, { event: "relay", relay: "lamp", index: 0, on: true, pin: "D33", level: 1 }),
      ev(2, { event: "sensor", sensor: "door", index: 7, value: "1" }),
    ]);
    expect(s.relays.map((r) => r.on)).toEqual([null, true]);
    expect(s.sensors[0].value).toBe("1");
  });

  it("keeps the latest raw input of a sensor", () => {
    const s = stateAfter([
      ev(1, { event: "input", sensor: "door", pin: "D4", level: 0 }),
      ev(2, { event: "input", sensor: "door", pin: "D4", level: 1 }),
    ]);
    expect(s.sensors[0].input).toEqual({ level: 1, at: 2 });
  });

  it("bounds the trace and the errors to their rings, keeping the newest in order", () => {
    const s = new BoardState(testConfig(), { traceLines: 3, errors: 2 });
    for (let i = 1; i <= 7; i++) {
      s.apply(ev(i, { event: "packet", dir: "in", packet: describePkt({ cmd: "puback", messageId: i }) }));
      s.apply(ev(i, { event: "error", what: "command", message: `refused ${i}` }));
    }
    expect(s.trace.map((l) => l.text)).toEqual(["in PUBACK id=5", "in PUBACK id=6", "in PUBACK id=7"]);
    expect(s.errors.map((e) => e.message)).toEqual(["refused 6", "refused 7"]);
  });

  it("decodes the session's packets into trace lines, oldest first", () => {
    expect(stateAfter().trace.map((l) => `${l.t} ${l.text}`)).toEqual([
      `21 out CONNECT client=${ID} clean keepalive=30s user=${ID} password=*** will=${PREFIX}/status "offline" qos1 retain`,
      "25 in CONNACK accepted session=0",
      `26 out PUBLISH ${PREFIX}/status qos1 retain id=1 "online"`,
      `27 out SUBSCRIBE id=2 ${PREFIX}/relay/+/set qos1`,
      "30 in PUBACK id=1",
      "31 in SUBACK id=2 qos1",
      `1000 in PUBLISH ${PREFIX}/relay/pump/set qos0 "ON"`,
    ]);
  });
});

describe("traceText", () => {
  const pub = (payload: Buffer | string, extra: Record<string, unknown> = {}) =>
    describePkt({ cmd: "publish", topic: "a/b", payload, qos: 0, retain: false, ...extra });

  it.each([
    { name: "qos2 dup publish", d: pub("x", { qos: 2, dup: true, messageId: 9 }), want: 'out PUBLISH a/b qos2 dup id=9 "x"' },
    { name: "empty payload", d: pub(""), want: 'out PUBLISH a/b qos0 ""' },
    { name: "quotes and newlines escaped", d: pub('say "hi"\n'), want: 'out PUBLISH a/b qos0 "say \\"hi\\"\\n"' },
    { name: "non-ASCII escaped", d: pub("21.5\u00b0C"), want: 'out PUBLISH a/b qos0 "21.5\\u00b0C"' },
    { name: "binary as hex", d: pub(Buffer.from([0, 1, 0xff])), want: "out PUBLISH a/b qos0 hex[3] 00 01 FF" },
    { name: "refused CONNACK", d: describePkt({ cmd: "connack", returnCode: 5 }), want: "out CONNACK refused rc=5 not authorized" },
    { name: "session resumed", d: describePkt({ cmd: "connack", returnCode: 0, sessionPresent: true }), want: "out CONNACK accepted session=1" },
    { name: "suback failure", d: describePkt({ cmd: "suback", messageId: 3, granted: [0, 128] }), want: "out SUBACK id=3 qos0, failure" },
    { name: "unsubscribe", d: describePkt({ cmd: "unsubscribe", messageId: 4, unsubscriptions: ["a/#", "b"] }), want: "out UNSUBSCRIBE id=4 a/#, b" },
    { name: "pingreq", d: describePkt({ cmd: "pingreq" }), want: "out PINGREQ" },
    { name: "disconnect", d: describePkt({ cmd: "disconnect" }), want: "out DISCONNECT" },
    { name: "pubrel", d: describePkt({ cmd: "pubrel", messageId: 77 }), want: "out PUBREL id=77" },
    { name: "malformed", d: { offset: 0, error: "E_BAD_FLAGS", code: 3, rule: "3.3.1-4 reserved" }, want: "out MALFORMED E_BAD_FLAGS: 3.3.1-4 reserved" },
  ])("$name", ({ d, want }) => {
    expect(traceText("out", d)).toBe(want);
  });

  it("never shows the CONNECT password", () => {
    expect(traceText("out", CONNECT)).not.toContain("mqtt-secret");
  });

  it("cuts a long payload and says how long it was", () => {
    const line = traceText("out", pub("x".repeat(1000)));
    expect(line).toMatch(/\.\.\." \(1000 chars\)$/);
    expect(line.length).toBeLessThan(400);
  });

  it("ascii() leaves printable ASCII alone and escapes control characters", () => {
    expect(ascii("ok \u001b[2J\t")).toBe("ok \\u001b[2J\\t");
  });
});

describe("renderScreen", () => {
  const lines = (screen: string) => screen.split("\n");

  it("shows the title, connection, relays with pin levels, sensors with values and inputs", () => {
    const screen = renderScreen(stateAfter(), info({ now: 61000 }), 120, 40);
    const l = lines(screen);
    expect(l[0]).toBe(`relaymq simulator  ${ID}  source  broker mqtt://127.0.0.1:1883 (embedded)`);
    expect(l[1]).toMatch(/^connection  connected for 1m00s  socket 127\.0\.0\.1:1883  connects 1/);
    expect(screen).toMatch(/^  pump  D26  ON   pin LOW  \(active-low\)/m);
    expect(screen).toMatch(/^  lamp  D33  OFF  pin LOW  \(active-high\)/m);
    expect(screen).toMatch(/door\s+D4\s+digital\s+-\s+input pin HIGH\s+key 1 flips/);
    expect(screen).toMatch(/light\s+D34\s+analog\s+42\.5 %\s+input 0\.425\s+key 2/);
    expect(screen).toMatch(/water\s+D13\s+counter\s+1\.5 L\s+input 3 pulses\s+key 3 pulses/);
    expect(screen).toMatch(/^telemetry  1\.0s ago  uptime=60 free=41000 mqtt\{connects=1/m);
  });

  it("ends with the mosquitto_pub line and the keys help", () => {
    const l = lines(renderScreen(stateAfter(), info(), 120, 40));
    expect(l.slice(-2)).toEqual([
      `try: mosquitto_pub -h 127.0.0.1 -p 1883 -t ${PREFIX}/relay/pump/set -m ON`,
      info().keysHelp,
    ]);
  });

  it("fills the height exactly, the trace in order with the newest last", () => {
    const l = lines(renderScreen(stateAfter(), info(), 120, 40));
    expect(l).toHaveLength(40);
    const trace = l.filter((x) => /^ +\d+\.\d{3}s (in |out)/.test(x));
    expect(trace.map((x) => x.trim().split(/\s+/).slice(1, 3).join(" "))).toEqual([
      "out CONNECT", "in CONNACK", "out PUBLISH", "out SUBSCRIBE", "in PUBACK", "in SUBACK", "in PUBLISH",
    ]);
  });

  it("gives the trace only the rows left, dropping the oldest", () => {
    const full = lines(renderScreen(stateAfter(), info(), 120, 40)).filter((x) => /^ +\d+\.\d{3}s /.test(x));
    for (const h of [16, 17, 19]) {
      const trace = lines(renderScreen(stateAfter(), info(), 120, h)).filter((x) => /^ +\d+\.\d{3}s /.test(x));
      expect(trace.length).toBeLessThan(full.length);
      expect(trace).toEqual(full.slice(full.length - trace.length));
    }
  });

  it.each([
    [120, 40], [80, 24], [40, 12], [20, 5], [10, 3], [1, 1], [200, 2],
  ])("fits %i x %i: no line wider, no more lines", (w, h) => {
    const screen = renderScreen(stateAfter(), info(), w, h);
    const l = lines(screen);
    expect(l.length).toBeLessThanOrEqual(h);
    for (const x of l) expect(x.length).toBeLessThanOrEqual(w);
    expect(l[0].startsWith("relaymq simulator".slice(0, w))).toBe(true);
  });

  it("keeps the way out on a short terminal: title, then try and keys at the bottom", () => {
    const l = lines(renderScreen(stateAfter(), info(), 120, 6));
    expect(l).toHaveLength(6);
    expect(l[0]).toMatch(/^relaymq simulator/);
    expect(l[4]).toMatch(/^try: mosquitto_pub/);
    expect(l[5]).toBe(info().keysHelp);
  });

  it("wraps a long mosquitto_pub command with shell continuations, quotes kept whole", () => {
    const pub = `mosquitto_pub -h 127.0.0.1 -p 1883 -u ${ID} -P 'a b' -t ${PREFIX}/relay/pump/set -m ON`;
    const l = lines(renderScreen(stateAfter(), info({ mosquittoPub: pub }), 50, 30));
    const start = l.findIndex((x) => x.startsWith("try: "));
    const wrapped = l.slice(start, l.findIndex((x) => x.startsWith("keys: ")));
    expect(wrapped.length).toBeGreaterThan(1);
    expect(wrapped.slice(0, -1).every((x) => x.endsWith(" \\"))).toBe(true);
    const joined = wrapped.map((x) => x.replace(/ \\$/, "").trim()).join(" ");
    expect(joined).toBe("try: " + pub);
  });

  it("uses no ANSI codes when colour is off, and some when it is on, without counting them as columns", () => {
    const plain = renderScreen(stateAfter(), info({ color: false }), 80, 30);
    const colour = renderScreen(stateAfter(), info({ color: true }), 80, 30);
    expect(plain).not.toMatch(ANSI);
    expect(colour).toMatch(ANSI);
    // eslint-disable-next-line no-control-regex
    expect(colour.replace(/\u001b\[[0-9;]*m/g, "")).toBe(plain);
  });

  it("shows the newest errors", () => {
    const events = [...session()];
    for (let i = 1; i <= 5; i++) events.push(ev(70000 + i, { event: "error", what: "command", message: `payload ${i} refused` }));
    const screen = renderScreen(stateAfter(events), info(), 120, 40);
    expect(screen).toMatch(/^errors$/m);
    expect(screen).not.toContain("payload 2 refused");
    expect(screen).toMatch(/command: payload 3 refused[\s\S]*payload 4[\s\S]*payload 5 refused/);
  });

  it.each([
    { name: "before boot", tail: [], fresh: true, want: /^connection  not booted$/m },
    { name: "killed", tail: [ev(70000, { event: "stopped", how: "killed" })], fresh: false, want: /connection  stopped: killed at 1m10s, the broker sends the will; r boots it again/ },
    { name: "clean stop", tail: [ev(70000, { event: "stopped", how: "clean" })], fresh: false, want: /connection  stopped: clean at 1m10s \(offline sent\)/ },
    { name: "disconnected", tail: [ev(70000, { event: "disconnected", reason: "broker closed the socket" })], fresh: false, want: /connection  disconnected since 1m10s: broker closed the socket/ },
    { name: "connecting", tail: [ev(70000, { event: "disconnected", reason: "x" }), ev(71000, { event: "socket", to: "10.0.0.2:1883" })], fresh: false, want: /connection  connecting since 1m11s  socket 10\.0\.0\.2:1883  attempts 2/ },
  ])("connection line: $name", ({ tail, fresh, want }) => {
    const s = stateAfter(fresh ? [] : [...session(), ...tail]);
    expect(renderScreen(s, info(), 120, 40)).toMatch(want);
  });

  it("marks the selected analog sensor and falls back to the model's last input", () => {
    const screen = renderScreen(stateAfter(), info({ inputs: [], selected: 1 }), 120, 40);
    expect(screen).toMatch(/^> light\s+D34\s+analog\s+42\.5 %\s+input 0\.425/m);
    expect(screen).toMatch(/^  door\s+D4\s+digital\s+-\s+input pin -/m);
  });

  it("shows telemetry that is not JSON as text, and says when none came yet", () => {
    expect(renderScreen(stateAfter([]), info(), 120, 40)).toMatch(/^telemetry  none yet \(every 60s\)$/m);
    const s = stateAfter([ev(5, { event: "published", topic: `${PREFIX}/telemetry`, payload: "up 60s", qos: 0, retain: false, dup: false })]);
    expect(renderScreen(s, info(), 120, 40)).toMatch(/^telemetry  at 0\.0s  up 60s$/m);
  });

  it("never lets network text reach the terminal as control codes", () => {
    const s = stateAfter([
      ev(1, { event: "packet", dir: "in", packet: describePkt({ cmd: "publish", topic: "x/\u001b[2J", payload: "\u001b]0;owned\u0007", qos: 0, retain: false }) }),
      ev(2, { event: "error", what: "command", message: "bad \u001b[31m" }),
    ]);
    const screen = renderScreen(s, info({ color: false }), 120, 40);
    expect(screen).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it("returns nothing for a zero-sized terminal", () => {
    expect(renderScreen(stateAfter(), info(), 0, 24)).toBe("");
    expect(renderScreen(stateAfter(), info(), 80, 0)).toBe("");
  });

  it("names the fleet size when there are several boards", () => {
    expect(lines(renderScreen(stateAfter(), info({ devices: 5 }), 120, 40))[0]).toContain("(5 boards, showing this one)");
  });
});

// The descriptions the helpers build must be what the analyzer really produces for those bytes.
describe("test packets", () => {
  it("are the analyzer's descriptions", () => {
    expect(ONLINE).toMatchObject({ type: "PUBLISH", qos: 1, retain: true, packetId: 1, payload: "online" });
    expect([CONNACK.type, PUBACK.type, SUBSCRIBE.type, SUBACK.type, SET_ON.type]).toEqual(["CONNACK", "PUBACK", "SUBSCRIBE", "SUBACK", "PUBLISH"]);
  });
});
