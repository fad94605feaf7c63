// The engine as the board's build makes it (DEVICE_ENGINE in sim/build/bundle.ts): QoS 2, the offline
// store, topic matching, server-side packets, the packet view's framing fields and the traffic counters
// left out (firmware/mqtt/build-flags.d.ts). What the device
// uses behaves and encodes as in the full engine; what was left out is refused with a clear code, never
// half-done; and the left-out code is really gone from the bundle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { DEVICE_ENGINE } from "../../../sim/build/bundle";
import { MqttClient } from "../../../firmware/mqtt/client";
import {
  E_QOS_INVALID, E_OFFLINE_FULL, E_QOS_NOT_GRANTED, E_UNEXPECTED_PACKET, errorName,
} from "../../../firmware/mqtt/errors";
import { CONNECT, SUBSCRIBE, UNSUBSCRIBE } from "../../../firmware/mqtt/packet-types";
import { Packet, parsePacket } from "../../../firmware/mqtt/packet";
import { publish, puback, pubrec, pubrel, concat } from "../../support/fake-transport";
import { setup, pub, b, autoAck, Harness } from "./harness";

let dir = "";
let Lean: typeof MqttClient;
let leanParse: typeof parsePacket;
let LeanPacket: typeof Packet;

// A module bundled with `define` (ES module, not lowered): the engine as a build with them runs it.
async function build(define: Record<string, string>, entry = "firmware/mqtt/client.ts"): Promise<string> {
  const r = await esbuild.build({
    entryPoints: [entry], bundle: true, write: false, format: "esm", platform: "neutral",
    define, minifySyntax: true, logLevel: "silent", tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  });
  return r.outputFiles[0].text;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "relaymq-lean-"));
  const file = join(dir, "client.mjs");
  writeFileSync(file, await build(DEVICE_ENGINE));
  Lean = (await import(pathToFileURL(file).href)).MqttClient;
  const packetFile = join(dir, "packet.mjs");
  writeFileSync(packetFile, await build(DEVICE_ENGINE, "firmware/mqtt/packet.ts"));
  ({ parsePacket: leanParse, Packet: LeanPacket } = await import(pathToFileURL(packetFile).href));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lean = (o = {}): Harness => setup({ maxQos: 1, ...o }, "sync", Lean);
// A control packet a client never receives: fixed header, remaining length, body.
const raw = (type: number, flags: number, body: number[]): Uint8Array => new Uint8Array([(type << 4) | flags, body.length, ...body]);

describe("the board's engine build", () => {
  it("leaves the id set, the offline store and the server-side parsers out of the bundle", async () => {
    const full = await build({});
    const device = await build(DEVICE_ENGINE);
    for (const gone of ["IdSet", "OfflineQueue", "parseConnect", "parseFilterList", "filterMatcher"]) {
      const named = new RegExp("\\b" + gone + "\\b");
      expect(full).toMatch(named);
      expect(device).not.toMatch(named);
    }
  });

  it("leaves the traffic counting and the framing fields' filling out of the bundle", async () => {
    const full = await build({});
    const device = await build(DEVICE_ENGINE);
    for (const gone of [/\.packetsIn\+\+/, /\.packetsOut\+\+/, /\.bytesOut \+=/, /\.bytesIn \+=/, /\.packetOff = start/, /\.length = headerLen \+ rl/]) {
      expect(full).toMatch(gone);
      expect(device).not.toMatch(gone);
    }
  });

  it("QoS 0 and 1 publishes go out byte for byte as from the full engine", () => {
    const wire = (h: Harness): string[] => {
      h.up();
      pub(h, "dev/a/state", "ON", 1, true);
      pub(h, "dev/a/t", "{\"v\":1}", 0);
      return autoAck(h).map((p) => JSON.stringify(p));
    };
    expect(wire(lean())).toEqual(wire(setup({ maxQos: 1 })));
  });

  it("a QoS 1 command is delivered with no subscription index and acknowledged [MQTT-4.3.2-2]", () => {
    const h = lean();
    expect(h.client.subscribe(b("dev/+/set"), 1)).toBe(0);
    h.up();
    h.t.deliver(publish({ topic: "dev/a/set", payload: "ON", qos: 1, id: 9 }));
    expect(h.ev.messages.map((m) => [m.sub, m.topic, m.payload])).toEqual([[-1, "dev/a/set", "ON"]]);
    expect(h.t.takeBrief()).toEqual(["PUBACK #9"]);
  });

  it.each([
    { what: "publish at QoS 2", call: (h: Harness) => pub(h, "a/b", "x", 2), code: E_QOS_INVALID },
    { what: "subscribe at QoS 2 (even with maxQos 2 asked)", call: (h: Harness) => h.client.subscribe(b("a/#"), 2), code: E_QOS_INVALID },
  ])("refuses to $what at the call", ({ call, code }) => {
    const h = lean({ maxQos: 2 });
    h.up();
    expect(call(h)).toBe(code);
    expect(h.t.takeBrief()).toEqual([]);
  });

  it("a QoS 1 publish while disconnected is refused as OFFLINE_FULL and counted as dropped", () => {
    const h = lean();
    expect(pub(h, "a/b", "x", 1)).toBe(E_OFFLINE_FULL);
    expect(h.client.offline).toBeNull();
    expect(h.client.stats.dropped).toBe(1);
    expect(h.ev.errors.map(errorName)).toEqual(["OFFLINE_FULL"]);
    h.up();
    expect(h.t.takeBrief()).toEqual([]);
  });

  it("a QoS 2 PUBLISH from the broker is not delivered and closes the link [MQTT-3.8.4-6]", () => {
    const h = lean({ maxQos: 2 });
    h.up();
    h.t.deliver(publish({ topic: "a/b", payload: "x", qos: 2, id: 3 }));
    expect(h.ev.messages).toEqual([]);
    expect(h.ev.errors.map(errorName)).toContain(errorName(E_QOS_NOT_GRANTED));
    expect(h.client.isConnected()).toBe(false);
  });

  it.each([
    { name: "CONNECT", bytes: raw(CONNECT, 0, [0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 0]) },
    { name: "SUBSCRIBE", bytes: raw(SUBSCRIBE, 2, [0, 1, 0, 1, 0x61, 0]) },
    { name: "UNSUBSCRIBE", bytes: raw(UNSUBSCRIBE, 2, [0, 1, 0, 1, 0x61]) },
  ])("a $name (only a server receives one) closes the link with UNEXPECTED_PACKET", ({ bytes }) => {
    const h = lean();
    h.up();
    h.t.deliver(bytes);
    expect(h.ev.errors.map(errorName)).toEqual([errorName(E_UNEXPECTED_PACKET)]);
    expect(h.client.isConnected()).toBe(false);
  });

  it("counts messages as the full engine does, and no traffic (packets, bytes), which the board never reports", () => {
    const run = (h: Harness) => {
      h.up();
      h.t.deliver(publish({ topic: "dev/a/set", payload: "ON", qos: 1, id: 9 }));
      pub(h, "dev/a/state", "ON", 1);
      pub(h, "dev/a/t", "1", 0);
      return h.client.stats;
    };
    const full = run(setup({ maxQos: 1 }));
    const leanStats = run(lean());
    expect([full.messagesIn, full.messagesOut, full.packetsOut > 3, full.bytesIn > 20]).toEqual([1, 2, true, true]);
    expect({ ...leanStats }).toEqual({ ...full, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 });
  });

  const FRAMING = ["flags", "packetOff", "length", "remainingLength"];
  it.each([
    { name: "a QoS 1 PUBLISH", bytes: publish({ topic: "dev/a/set", payload: "ON", qos: 1, id: 9, retain: true }) },
    { name: "a QoS 0 PUBLISH", bytes: publish({ topic: "dev/a/set", payload: "OFF", qos: 0 }) },
    { name: "a PUBACK", bytes: puback(7) },
    { name: "a PUBREL", bytes: pubrel(5) },
    { name: "a CONNACK", bytes: new Uint8Array([0x20, 2, 1, 0]) },
    { name: "a PUBLISH with packet id 0", bytes: new Uint8Array([0x32, 5, 0, 1, 0x61, 0, 0]) },
  ])("$name parses as in the full engine, its framing fields left as they were", ({ bytes }) => {
    // At offset 3 of a larger array, so packetOff would show.
    const buf = new Uint8Array(bytes.length + 3);
    buf.set(bytes, 3);
    const full = new Packet();
    const lean = new LeanPacket();
    const headerLen = 2;
    expect(leanParse(buf, 3, headerLen, bytes.length - headerLen, lean)).toBe(parsePacket(buf, 3, headerLen, bytes.length - headerLen, full));
    expect(full.packetOff).toBe(3);
    expect(full.length).toBe(bytes.length);
    const fresh = new Packet() as unknown as Record<string, unknown>;
    // The lean view has no CONNECT fields (no server packets): the fields it has are compared.
    const fields = (p: Packet, framing: boolean) => Object.fromEntries(Object.entries(p).filter(([k]) => k in lean && FRAMING.includes(k) === framing));
    expect(Object.keys(fields(lean, false)).length).toBeGreaterThan(15);
    expect(fields(lean, false)).toEqual(fields(full, false));
    expect(fields(lean, true)).toEqual(Object.fromEntries(FRAMING.map((k) => [k, fresh[k]])));
  });

  it("PUBREC and PUBREL for ids it never sent are answered, so the broker's flow ends, and counted", () => {
    const h = lean();
    h.up();
    h.t.deliver(concat(pubrec(4), pubrel(5)));
    expect(h.t.takeBrief()).toEqual(["PUBREL #4", "PUBCOMP #5"]);
    expect(h.client.stats.unknownAcks).toBe(2);
    expect(h.client.isConnected()).toBe(true);
  });

  it("a PUBREC for a QoS 1 message in flight does not complete it: its PUBACK still does", () => {
    const h = lean();
    h.up();
    const id = pub(h, "a/b", "x", 1);
    h.t.take();
    h.t.deliver(pubrec(id));
    expect(h.client.inflight.used).toBe(1);
    h.t.deliver(puback(id));
    expect(h.client.inflight.used).toBe(0);
    expect(h.ev.published).toEqual([id]);
  });
});
