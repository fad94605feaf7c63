// The engine's build flags (firmware/mqtt/build-flags.d.ts) as the sources read them: each is a global
// the build defines, read where it is used, and absent from the sources' point of view (every feature
// on). Defined here as globals for one test at a time, the sources act as a build with that value does:
// false as in the board's build (DEVICE_ENGINE; lean-build.test.ts checks the bundle itself), true as
// when undefined.
import { afterEach, describe, expect, it } from "vitest";
import { Packet, parsePacket } from "../../../firmware/mqtt/packet";
import { E_OFFLINE_FULL } from "../../../firmware/mqtt/errors";
import { utf8Bytes } from "../../../firmware/mqtt/utf8";
import { publish, puback } from "../../support/fake-transport";
import { setup, pub, Harness } from "./harness";

const FLAGS = ["__MQTT_TRAFFIC_STATS__", "__MQTT_PACKET_FRAMING__", "__MQTT_OFFLINE_STORE__"] as const;
const globals = globalThis as Record<string, unknown>;

function define(name: (typeof FLAGS)[number], value: boolean): void {
  globals[name] = value;
}

afterEach(() => {
  for (const f of FLAGS) delete globals[f];
});

// A QoS 1 command in and acknowledged, a QoS 1 state, a QoS 0 report and a direct message out, the
// state's PUBACK in.
function traffic(h: Harness) {
  h.up();
  h.t.deliver(publish({ topic: "dev/a/set", payload: "ON", qos: 1, id: 9 }));
  const id = pub(h, "dev/a/state", "ON", 1);
  pub(h, "dev/a/t", "1", 0);
  expect(h.client.publishDirect(utf8Bytes("dev/a/config"), utf8Bytes('{"a":1}'), 0, 7, true)).toBe(0);
  h.t.deliver(puback(id));
  return { ...h.client.stats };
}

// A QoS 1 PUBLISH at offset 3 of a larger array, parsed into a fresh view.
function parsed(): { code: number; p: Packet } {
  const bytes = publish({ topic: "dev/a/set", payload: "ON", qos: 1, id: 9, retain: true });
  const buf = new Uint8Array(bytes.length + 3);
  buf.set(bytes, 3);
  const p = new Packet();
  return { code: parsePacket(buf, 3, 2, bytes.length - 2, p), p };
}

describe("__MQTT_TRAFFIC_STATS__", () => {
  it.each([
    { value: false, counted: false },
    { value: true, counted: true },
  ])("defined $value: messages counted, traffic counted: $counted", ({ value, counted }) => {
    const full = traffic(setup({ maxQos: 1 }));
    define("__MQTT_TRAFFIC_STATS__", value);
    const got = traffic(setup({ maxQos: 1 }));
    expect([full.messagesIn, full.messagesOut, full.packetsIn, full.packetsOut]).toEqual([1, 3, 3, 5]);
    expect(got).toEqual(counted ? full : { ...full, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 });
  });
});

describe("__MQTT_PACKET_FRAMING__", () => {
  it.each([
    { value: false, framed: false },
    { value: true, framed: true },
  ])("defined $value: a PUBLISH parses the same, its framing filled: $framed", ({ value, framed }) => {
    const full = parsed();
    define("__MQTT_PACKET_FRAMING__", value);
    const got = parsed();
    expect(got.code).toBe(full.code);
    expect([full.p.flags, full.p.packetOff, full.p.length, full.p.remainingLength]).toEqual([3, 3, 17, 15]);
    const fresh = new Packet();
    expect(got.p).toEqual(framed ? full.p : {
      ...full.p, flags: fresh.flags, packetOff: fresh.packetOff, length: fresh.length, remainingLength: fresh.remainingLength,
    });
  });
});

describe("__MQTT_OFFLINE_STORE__", () => {
  it.each([
    { value: false, result: E_OFFLINE_FULL, what: "refused (OFFLINE_FULL)", stored: null },
    { value: true, result: 0, what: "stored", stored: 1 },
  ])("defined $value: a QoS 1 publish while disconnected is $what", ({ value, result, stored }) => {
    define("__MQTT_OFFLINE_STORE__", value);
    const h = setup({ maxQos: 1 });
    expect(pub(h, "a/b", "x", 1)).toBe(result);
    expect(h.client.offline === null ? null : h.client.offline.count).toBe(stored);
  });
});
