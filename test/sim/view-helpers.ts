// Shared by the live-view suites: one board (relays of both polarities, one sensor of each type), real
// packet descriptions (bytes from mqtt-packet, described by the analyzer as the simulator's trace is),
// and a realistic session of SimEvents.
import mqttPacket from "mqtt-packet";
import type { DeviceConfig } from "../../firmware/device/config";
import { parseBoard } from "../../sim/board/load";
import type { Description } from "../../sim/analyzer/describe";
import { main as decodeMain } from "../../sim/cli/decode";
import type { EventBody, SimEvent } from "../../sim/runner/events";
import type { ScreenInfo } from "../../sim/view/live-screen";

export const ID = "esp32-01";
export const PREFIX = `devices/${ID}`;

/** The test board: pump (active-low), lamp (active-high); door, light (%), water (L). */
export function testConfig(): DeviceConfig {
  const board = {
    id: ID,
    wifi: { ssid: "net", password: "$WIFI_PASSWORD" },
    mqtt: { host: "127.0.0.1", port: 1883, username: ID, password: "$MQTT_PASSWORD" },
    relays: [
      { name: "pump", pin: "D26", activeLow: true },
      { name: "lamp", pin: "D33", activeLow: false },
    ],
    sensors: [
      { name: "door", type: "digital", pin: "D4", pull: "up", invert: true },
      { name: "light", type: "analog", pin: "D34", scale: 100, unit: "%" },
      { name: "water", type: "counter", pin: "D13", scale: 0.5, unit: "L" },
    ],
  };
  return parseBoard(JSON.stringify(board), { WIFI_PASSWORD: "wifi-secret", MQTT_PASSWORD: "mqtt-secret" }).config;
}

/** describe(packet) -> the analyzer's description of the packet mqtt-packet generates for it. */
export function describe(packet: Record<string, unknown>): Description {
  const bytes = mqttPacket.generate(packet as any);
  const lines: string[] = [];
  const code = decodeMain([Buffer.from(bytes).toString("hex")], { out: (l) => lines.push(l), err: () => {} });
  if (code !== 0 || lines.length !== 1) throw new Error("not one valid packet: " + lines.join("\n"));
  const d = JSON.parse(lines[0]) as Description;
  delete d.offset; // the live trace describes packets one by one, without an input offset
  return d;
}

export const CONNECT = describe({
  cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 30, clientId: ID,
  username: ID, password: Buffer.from("mqtt-secret"),
  will: { topic: `${PREFIX}/status`, payload: Buffer.from("offline"), qos: 1, retain: true },
});
export const CONNACK = describe({ cmd: "connack", returnCode: 0, sessionPresent: false });
export const ONLINE = describe({
  cmd: "publish", topic: `${PREFIX}/status`, payload: Buffer.from("online"), qos: 1, retain: true, messageId: 1,
});
export const PUBACK = describe({ cmd: "puback", messageId: 1 });
export const SUBSCRIBE = describe({
  cmd: "subscribe", messageId: 2, subscriptions: [{ topic: `${PREFIX}/relay/+/set`, qos: 1 }],
});
export const SUBACK = describe({ cmd: "suback", messageId: 2, granted: [1] });
export const SET_ON = describe({
  cmd: "publish", topic: `${PREFIX}/relay/pump/set`, payload: Buffer.from("ON"), qos: 0, retain: false,
});

export const TELEMETRY =
  '{"uptime":60,"free":41000,"relays":{"pump":"ON","lamp":"OFF"},"sensors":{"door":1,"light":42.5,"water":1.5},' +
  '"mqtt":{"connects":1,"reconnects":0,"dropped":0,"errors":0,"msgsIn":1,"msgsOut":9}}';

/** ev(t, body) -> a SimEvent of the test board at time t (ms). */
export function ev(t: number, body: EventBody, device = ID): SimEvent {
  return { t, device, ...body } as SimEvent;
}

/** A board booting, connecting, subscribing, getting "pump ON", reporting sensors and telemetry. */
export function session(): SimEvent[] {
  return [
    ev(10, { event: "boot", mode: "source", clientId: ID, broker: "mqtt://127.0.0.1:1883", relays: ["pump", "lamp"], sensors: ["door", "light", "water"] }),
    ev(11, { event: "relay", relay: "pump", index: 0, on: false, pin: "D26", level: 1 }),
    ev(11, { event: "relay", relay: "lamp", index: 1, on: false, pin: "D33", level: 0 }),
    ev(20, { event: "socket", to: "127.0.0.1:1883" }),
    ev(21, { event: "packet", dir: "out", packet: CONNECT }),
    ev(25, { event: "packet", dir: "in", packet: CONNACK }),
    ev(25, { event: "connected", sessionPresent: false }),
    ev(26, { event: "packet", dir: "out", packet: ONLINE }),
    ev(26, { event: "published", topic: `${PREFIX}/status`, payload: "online", qos: 1, retain: true, dup: false }),
    ev(27, { event: "packet", dir: "out", packet: SUBSCRIBE }),
    ev(30, { event: "packet", dir: "in", packet: PUBACK }),
    ev(31, { event: "packet", dir: "in", packet: SUBACK }),
    ev(1000, { event: "packet", dir: "in", packet: SET_ON }),
    ev(1000, { event: "received", topic: `${PREFIX}/relay/pump/set`, payload: "ON", qos: 0, retain: false, dup: false }),
    ev(1001, { event: "relay", relay: "pump", index: 0, on: true, pin: "D26", level: 0 }),
    ev(2000, { event: "input", sensor: "light", pin: "D34", analog: 0.425 }),
    ev(2100, { event: "sensor", sensor: "light", index: 1, value: "42.5" }),
    ev(3000, { event: "input", sensor: "water", pin: "D13", pulses: 3 }),
    ev(3010, { event: "sensor", sensor: "water", index: 2, value: "1.5" }),
    ev(60000, { event: "published", topic: `${PREFIX}/telemetry`, payload: TELEMETRY, qos: 0, retain: false, dup: false }),
  ];
}

/** A ScreenInfo as the simulator would pass it; override any field. */
export function info(over: Partial<ScreenInfo> = {}): ScreenInfo {
  return {
    broker: "mqtt://127.0.0.1:1883",
    embedded: true,
    mode: "source",
    mosquittoPub: `mosquitto_pub -h 127.0.0.1 -p 1883 -t ${PREFIX}/relay/pump/set -m ON`,
    inputs: [
      { key: "1", sensor: "door", type: "digital", pin: "D4", level: 1 },
      { key: "2", sensor: "light", type: "analog", pin: "D34", analog: 0.425 },
      { key: "3", sensor: "water", type: "counter", pin: "D13", pulses: 3 },
    ],
    keysHelp: "keys: 1 door flip  2 light select, +/- move  3 water pulse  k kill  r boot  q quit",
    color: false,
    ...over,
  };
}
