// Differential tests against mqtt-packet: random valid packets of every type must encode to the same
// bytes, and each side must read the other's bytes back to the same packet. Then a table of malformed
// packets that mqtt-packet's parser accepts and ours rejects, each with the rule it breaks.
import { describe as suite, it, expect } from "vitest";
import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import {
  TYPE_NAMES, arbByType, encodeOurs, toMqttPacket, fromMqttPacket, decodeAll, sizeBound, fcParams, describe,
  type Model,
} from "./arbitraries";
import { fromHex, toHex, loadVectors } from "../helpers/vectors";
import * as E from "../../firmware/mqtt/errors";
import { errorName } from "../../firmware/mqtt/errors";
import { encodePublish, encodeAck, encodeConnect, connectOptions } from "../../firmware/mqtt/encode";
import { PUBACK } from "../../firmware/mqtt/packet-types";
import { utf8Bytes } from "../../firmware/mqtt/utf8";

const RUNS = 300;

/** mqtt-packet's generator refuses an empty client id unless level 4 with clean session set. */
function mqttPacketRefuses(m: Model): boolean {
  return m.type === "connect" && m.clientId === "" && (m.level === 3 || !m.clean);
}

function mpGenerate(m: Model): Uint8Array {
  return new Uint8Array(mqttPacket.generate(toMqttPacket(m) as any, { protocolVersion: 4 }));
}

/** Feeds bytes to a fresh mqtt-packet parser: what it emits. */
function mpParse(bytes: Uint8Array): { packets: any[]; errors: string[] } {
  const packets: any[] = [];
  const errors: string[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on("packet", (p: any) => packets.push(p));
  parser.on("error", (e: Error) => errors.push(e.message));
  parser.parse(Buffer.from(bytes));
  return { packets, errors };
}

function ours(m: Model): Uint8Array {
  const buf = new Uint8Array(sizeBound(m) + 3);
  // A non-zero offset, so encoders that ignore `off` fail.
  const end = encodeOurs(m, buf, 3);
  expect(end, "our encoder failed: " + (end < 0 ? errorName(end) : end) + " " + describe(m)).toBeGreaterThan(3);
  return buf.slice(3, end);
}

suite("differential: our codec vs mqtt-packet on random valid packets", () => {
  for (const type of TYPE_NAMES) {
    it(`${type}: same bytes as mqtt-packet.generate, and both parsers read each other's bytes`, () => {
      fc.assert(fc.property(arbByType[type], (m) => {
        const mine = ours(m);
        // Our bytes decode to the model (round trip) whatever mqtt-packet thinks.
        expect(decodeAll(mine)).toEqual([{ packet: m }]);
        if (mqttPacketRefuses(m)) {
          expect(() => mpGenerate(m)).toThrow(/clientId/);
          return;
        }
        // (a) Byte-exact equality with mqtt-packet's generator.
        const theirs = mpGenerate(m);
        expect(toHex(mine)).toBe(toHex(theirs));
        // (b) Our Decoder reads mqtt-packet's bytes back to the same model.
        expect(decodeAll(theirs)).toEqual([{ packet: m }]);
        // (c) mqtt-packet's parser reads our bytes back to the same model.
        const mp = mpParse(mine);
        expect(mp.errors).toEqual([]);
        expect(mp.packets.map(fromMqttPacket)).toEqual([m]);
      }), fcParams(type === "pingreq" || type === "pingresp" || type === "disconnect" ? 5 : RUNS));
    });
  }

  it("PUBLISH at every remaining-length boundary (1-4 length bytes): same bytes, both ways", () => {
    for (const rl of [0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000]) {
      for (const qos of [0, 1]) {
        const topic = "t/" + "x".repeat(qos === 0 ? 5 : 3);
        const m: Model = {
          type: "publish", qos, dup: false, retain: qos === 1, packetId: qos ? 513 : 0, topic,
          payload: new Uint8Array(rl - 2 - topic.length - (qos ? 2 : 0)).map((_, i) => i * 31),
        };
        const mine = ours(m);
        const theirs = mpGenerate(m);
        expect(Buffer.compare(Buffer.from(mine), theirs), "rl " + rl).toBe(0);
        // Payloads compared as bytes: deep equality of megabyte arrays is slow.
        const same = (x: Model) => {
          const a = x as Extract<Model, { type: "publish" }>;
          expect({ ...a, payload: null }).toEqual({ ...m, payload: null });
          expect(Buffer.compare(Buffer.from(a.payload), Buffer.from(m.payload))).toBe(0);
        };
        const back = decodeAll(theirs);
        expect(back.length).toBe(1);
        same((back[0] as { packet: Model }).packet);
        const mp = mpParse(mine);
        expect(mp.packets.length).toBe(1);
        same(fromMqttPacket(mp.packets[0]));
      }
    }
  });

  it("the shared valid vectors: mqtt-packet and we both read them", () => {
    for (const v of loadVectors().valid) {
      const bytes = fromHex(v.hex);
      const events = decodeAll(bytes);
      expect(events.length, v.name).toBe(1);
      expect("packet" in events[0], v.name).toBe(true);
      const mp = mpParse(bytes);
      expect(mp.errors, v.name).toEqual([]);
      expect(mp.packets.map(fromMqttPacket), v.name).toEqual([(events[0] as { packet: Model }).packet]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Malformed input: where mqtt-packet's parser and ours differ, by design or by gap.

interface Case { name: string; hex: string; ours: number; mqttPacket: "accepts" | "rejects"; rule: string }

const h = (s: string) => toHex(utf8Bytes(s));
/** A packet from its first byte and body (hex); the remaining length is computed. */
const pk = (byte1: string, body: string) => byte1 + " " + toHex(new Uint8Array([fromHex(body).length])) + " " + body;
const MQTT4 = "00 04 4D 51 54 54 04";

const CASES: Case[] = [
  // From the vectors' `malformed` (test/fixtures/mqtt-vectors.json), plus the rule each one breaks.
  { name: "remaining length with a fifth byte", hex: "30 FF FF FF FF 01", ours: E.E_REMAINING_LENGTH, mqttPacket: "rejects", rule: "section 2.2.3: at most 4 bytes" },
  { name: "packet type 0 (reserved)", hex: "00 00", ours: E.E_PACKET_TYPE_RESERVED, mqttPacket: "rejects", rule: "section 2.2.1" },
  { name: "packet type 15 (reserved)", hex: "F0 00", ours: E.E_PACKET_TYPE_RESERVED, mqttPacket: "rejects", rule: "section 2.2.1 (AUTH in MQTT 5)" },
  { name: "PUBLISH with QoS 3", hex: "36 05 00 01 61 00 01", ours: E.E_QOS_INVALID, mqttPacket: "rejects", rule: "[MQTT-3.3.1-4]" },
  { name: "SUBSCRIBE with fixed header flags 0000", hex: "80 06 00 01 00 01 61 00", ours: E.E_HEADER_FLAGS, mqttPacket: "rejects", rule: "[MQTT-3.8.1-1]" },
  { name: "PUBREL with fixed header flags 0000", hex: "60 02 00 01", ours: E.E_HEADER_FLAGS, mqttPacket: "rejects", rule: "[MQTT-3.6.1-1]" },
  { name: "CONNACK with remaining length 3", hex: "20 03 00 00 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "section 3.2: CONNACK remaining length is 2" },
  { name: "CONNACK with reserved acknowledge flag bits set", hex: "20 02 02 00", ours: E.E_CONNACK_FLAGS, mqttPacket: "rejects", rule: "section 3.2.2.1" },
  { name: "PUBLISH topic containing a wildcard", hex: "30 05 00 03 61 2F 2B", ours: E.E_TOPIC_WILDCARD, mqttPacket: "accepts", rule: "[MQTT-3.3.2-2] [MQTT-4.7.1-1]" },
  { name: "PUBLISH QoS 1 with packet id 0", hex: "32 05 00 01 61 00 00", ours: E.E_PACKET_ID, mqttPacket: "accepts", rule: "[MQTT-2.3.1-1]" },
  { name: "PUBLISH whose topic length runs past the packet", hex: "30 04 00 09 61 62", ours: E.E_FIELD_OVERRUN, mqttPacket: "rejects", rule: "section 1.5.3" },
  { name: "SUBACK with return code 3", hex: "90 03 00 01 03", ours: E.E_RETURN_CODE_INVALID, mqttPacket: "rejects", rule: "[MQTT-3.9.3-2]" },
  { name: "SUBSCRIBE with no topic filter", hex: "82 02 00 01", ours: E.E_SUBSCRIBE_EMPTY, mqttPacket: "accepts", rule: "[MQTT-3.8.3-3]" },
  { name: "SUBSCRIBE requesting QoS 3", hex: "82 06 00 01 00 01 61 03", ours: E.E_SUBSCRIBE_QOS, mqttPacket: "rejects", rule: "[MQTT-3.8.3-4]" },
  { name: "UNSUBSCRIBE with no topic filter", hex: "A2 02 00 01", ours: E.E_UNSUBSCRIBE_EMPTY, mqttPacket: "accepts", rule: "[MQTT-3.10.3-2]" },
  { name: "PINGRESP with remaining length 1", hex: "D0 01 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "section 3.13: PINGRESP has no variable header or payload" },
  { name: "topic with a U+0000 character", hex: "30 05 00 03 61 00 62", ours: E.E_UTF8_NULL, mqttPacket: "accepts", rule: "[MQTT-1.5.3-2]" },
  { name: "CONNECT with an unknown protocol name", hex: "10 0C 00 02 68 6A 04 02 00 3C 00 02 69 64", ours: E.E_PROTOCOL_NAME, mqttPacket: "rejects", rule: "[MQTT-3.1.2-1]" },
  // More.
  { name: "PUBLISH QoS 0 with DUP set", hex: "38 05 00 03 61 2F 62", ours: E.E_DUP_QOS0, mqttPacket: "accepts", rule: "[MQTT-3.3.1-2]" },
  { name: "PUBLISH with an empty topic name", hex: "30 03 00 00 78", ours: E.E_TOPIC_EMPTY, mqttPacket: "accepts", rule: "[MQTT-4.7.3-1]" },
  { name: "PUBLISH topic with '#'", hex: "30 05 00 03 61 2F 23", ours: E.E_TOPIC_WILDCARD, mqttPacket: "accepts", rule: "[MQTT-3.3.2-2] [MQTT-4.7.1-1]" },
  { name: "PUBLISH topic with overlong UTF-8 (C0 80)", hex: "30 04 00 02 C0 80", ours: E.E_UTF8_INVALID, mqttPacket: "accepts", rule: "[MQTT-1.5.3-1]" },
  { name: "PUBLISH topic with a UTF-16 surrogate (ED A0 80)", hex: "30 05 00 03 ED A0 80", ours: E.E_UTF8_INVALID, mqttPacket: "accepts", rule: "[MQTT-1.5.3-1]" },
  { name: "PUBLISH topic with a truncated sequence (E2 82)", hex: "30 04 00 02 E2 82", ours: E.E_UTF8_INVALID, mqttPacket: "accepts", rule: "[MQTT-1.5.3-1]" },
  { name: "PUBLISH QoS 1 with no room for the packet id (mqtt-packet emits messageId -1)", hex: "32 04 00 02 61 62", ours: E.E_FIELD_OVERRUN, mqttPacket: "accepts", rule: "section 3.3.2.2: QoS 1/2 carries a packet id" },
  { name: "PUBACK with packet id 0", hex: "40 02 00 00", ours: E.E_PACKET_ID, mqttPacket: "accepts", rule: "[MQTT-2.3.1-1]" },
  { name: "PUBACK with remaining length 3", hex: "40 03 00 01 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "section 3.4.1: remaining length 2" },
  { name: "PUBACK with remaining length 1 (mqtt-packet emits messageId -1)", hex: "40 01 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "section 3.4.1: remaining length 2" },
  { name: "PUBCOMP with flags 0010", hex: "72 02 00 01", ours: E.E_HEADER_FLAGS, mqttPacket: "rejects", rule: "[MQTT-2.2.2-1]" },
  { name: "UNSUBACK with remaining length 3", hex: "B0 03 00 01 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "rejects", rule: "section 3.11.1: remaining length 2" },
  { name: "PINGREQ with flags 0001", hex: "C1 00", ours: E.E_HEADER_FLAGS, mqttPacket: "rejects", rule: "[MQTT-2.2.2-1]" },
  { name: "DISCONNECT with remaining length 1", hex: "E0 01 00", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "section 3.14: DISCONNECT has no variable header or payload" },
  { name: "CONNACK refusing (rc 5) with session present", hex: "20 02 01 05", ours: E.E_CONNACK_SESSION_PRESENT, mqttPacket: "accepts", rule: "[MQTT-3.2.2-4]" },
  { name: "CONNACK with return code 6", hex: "20 02 00 06", ours: E.E_RETURN_CODE_INVALID, mqttPacket: "accepts", rule: "section 3.2.2.3: 6-255 reserved" },
  { name: "SUBACK with no return code", hex: "90 02 00 01", ours: E.E_LENGTH_MISMATCH, mqttPacket: "accepts", rule: "[MQTT-3.8.4-5]: one return code per filter, and a SUBSCRIBE has at least one [MQTT-3.8.3-3]" },
  { name: "SUBACK with packet id 0", hex: "90 03 00 00 00", ours: E.E_PACKET_ID, mqttPacket: "accepts", rule: "[MQTT-2.3.1-1]" },
  { name: "SUBSCRIBE with packet id 0", hex: "82 06 00 00 00 01 61 00", ours: E.E_PACKET_ID, mqttPacket: "accepts", rule: "[MQTT-2.3.1-1]" },
  { name: "SUBSCRIBE with reserved option bits (0x04)", hex: "82 06 00 01 00 01 61 04", ours: E.E_SUBSCRIBE_QOS, mqttPacket: "rejects", rule: "[MQTT-3.8.3-4]" },
  { name: "SUBSCRIBE filter 'a/#/b' ('#' not last)", hex: "82 0A 00 01 00 05 " + h("a/#/b") + " 00", ours: E.E_FILTER_HASH, mqttPacket: "accepts", rule: "[MQTT-4.7.1-2]" },
  { name: "SUBSCRIBE filter 'a#' ('#' sharing its level)", hex: "82 07 00 01 00 02 " + h("a#") + " 00", ours: E.E_FILTER_HASH, mqttPacket: "accepts", rule: "[MQTT-4.7.1-2]" },
  { name: "SUBSCRIBE filter 'a+' ('+' sharing its level)", hex: "82 07 00 01 00 02 " + h("a+") + " 00", ours: E.E_FILTER_PLUS, mqttPacket: "accepts", rule: "[MQTT-4.7.1-3]" },
  { name: "SUBSCRIBE with an empty filter", hex: "82 05 00 01 00 00 00", ours: E.E_TOPIC_EMPTY, mqttPacket: "accepts", rule: "[MQTT-4.7.3-1]" },
  { name: "SUBSCRIBE filter without its QoS byte", hex: "82 05 00 01 00 01 61", ours: E.E_FIELD_OVERRUN, mqttPacket: "rejects", rule: "section 3.8.3" },
  { name: "UNSUBSCRIBE filter 'a/#/b'", hex: "A2 09 00 01 00 05 " + h("a/#/b"), ours: E.E_FILTER_HASH, mqttPacket: "accepts", rule: "[MQTT-4.7.1-2]" },
  { name: "UNSUBSCRIBE with packet id 0", hex: "A2 05 00 00 00 01 61", ours: E.E_PACKET_ID, mqttPacket: "accepts", rule: "[MQTT-2.3.1-1]" },
  // CONNECT: "10 rl 00 04 MQTT 04 flags 00 3C" + payload.
  { name: "CONNECT with reserved flag bit 0 set", hex: "10 0E 00 04 4D 51 54 54 04 03 00 3C 00 02 69 64", ours: E.E_CONNECT_RESERVED, mqttPacket: "rejects", rule: "[MQTT-3.1.2-3]" },
  { name: "CONNECT with fixed header flags 0001", hex: "11 0E 00 04 4D 51 54 54 04 02 00 3C 00 02 69 64", ours: E.E_HEADER_FLAGS, mqttPacket: "rejects", rule: "[MQTT-2.2.2-1]" },
  { name: "CONNECT with password flag but no user name flag", hex: "10 12 00 04 4D 51 54 54 04 42 00 3C 00 02 69 64 00 02 70 77", ours: E.E_PASSWORD_WITHOUT_USERNAME, mqttPacket: "accepts", rule: "[MQTT-3.1.2-22]" },
  { name: "CONNECT with will QoS 3", hex: pk("10", MQTT4 + " 1E 00 3C 00 02 69 64 00 01 74 00 01 78"), ours: E.E_WILL_FLAGS, mqttPacket: "accepts", rule: "[MQTT-3.1.2-14]" },
  { name: "CONNECT with will retain but no will flag", hex: "10 0E 00 04 4D 51 54 54 04 22 00 3C 00 02 69 64", ours: E.E_WILL_FLAGS, mqttPacket: "rejects", rule: "[MQTT-3.1.2-15]" },
  { name: "CONNECT with will QoS 1 but no will flag", hex: "10 0E 00 04 4D 51 54 54 04 0A 00 3C 00 02 69 64", ours: E.E_WILL_FLAGS, mqttPacket: "rejects", rule: "[MQTT-3.1.2-13]" },
  { name: "CONNECT protocol name MQTT with level 3", hex: "10 0E 00 04 4D 51 54 54 03 02 00 3C 00 02 69 64", ours: E.E_PROTOCOL_LEVEL, mqttPacket: "accepts", rule: "[MQTT-3.1.2-1] [MQTT-3.1.2-2]" },
  { name: "CONNECT protocol name MQIsdp with level 4", hex: "10 10 00 06 4D 51 49 73 64 70 04 02 00 3C 00 02 69 64", ours: E.E_PROTOCOL_LEVEL, mqttPacket: "accepts", rule: "[MQTT-3.1.2-1] [MQTT-3.1.2-2]" },
  { name: "CONNECT level 5 (mqtt-packet parses it as MQTT 5)", hex: "10 0F 00 04 4D 51 54 54 05 02 00 3C 00 00 02 69 64", ours: E.E_PROTOCOL_LEVEL, mqttPacket: "accepts", rule: "[MQTT-3.1.2-2]: a 3.1.1 server answers CONNACK 0x01" },
  { name: "CONNECT level 0x84 (mqtt-packet: bridge mode)", hex: "10 0E 00 04 4D 51 54 54 84 02 00 3C 00 02 69 64", ours: E.E_PROTOCOL_LEVEL, mqttPacket: "accepts", rule: "[MQTT-3.1.2-2]" },
  { name: "CONNECT with bytes after the last field", hex: "10 0F 00 04 4D 51 54 54 04 02 00 3C 00 02 69 64 FF", ours: E.E_TRAILING_BYTES, mqttPacket: "accepts", rule: "section 3.1.3: the payload is exactly the fields the flags announce" },
  { name: "CONNECT client id with invalid UTF-8 (FF)", hex: "10 0E 00 04 4D 51 54 54 04 02 00 3C 00 02 69 FF", ours: E.E_UTF8_INVALID, mqttPacket: "accepts", rule: "[MQTT-1.5.3-1]" },
  { name: "CONNECT user name with U+0000", hex: "10 12 00 04 4D 51 54 54 04 82 00 3C 00 02 69 64 00 02 75 00", ours: E.E_UTF8_NULL, mqttPacket: "accepts", rule: "[MQTT-1.5.3-2]" },
  { name: "CONNECT will topic with a wildcard", hex: pk("10", MQTT4 + " 06 00 3C 00 02 69 64 00 01 23 00 01 78"), ours: E.E_TOPIC_WILDCARD, mqttPacket: "accepts", rule: "[MQTT-4.7.1-1]: the will topic is a topic name" },
  { name: "CONNECT with an empty will topic", hex: pk("10", MQTT4 + " 06 00 3C 00 02 69 64 00 00 00 01 78"), ours: E.E_TOPIC_EMPTY, mqttPacket: "accepts", rule: "[MQTT-4.7.3-1]" },
  { name: "CONNECT cut after the keep alive", hex: "10 0A 00 04 4D 51 54 54 04 02 00 3C", ours: E.E_FIELD_OVERRUN, mqttPacket: "rejects", rule: "[MQTT-3.1.3-3]: the client id is always present" },
];

function ourEvents(bytes: Uint8Array) {
  return decodeAll(bytes).map((e) => ("error" in e ? errorName(e.error) : "packet " + e.packet.type));
}

suite("malformed packets: mqtt-packet vs ours", () => {
  it("every `malformed` vector of the shared file is in the table", () => {
    const names = new Set(CASES.map((c) => c.name));
    for (const v of loadVectors().malformed) {
      expect(names.has(v.name), v.name).toBe(true);
      const c = CASES.find((x) => x.name === v.name);
      expect(toHex(fromHex(c!.hex)), v.name).toBe(toHex(fromHex(v.hex)));
    }
  });

  it.each(CASES)("$name: ours -> $ours; mqtt-packet $mqttPacket ($rule)", (c) => {
    const bytes = fromHex(c.hex);
    expect(ourEvents(bytes)).toEqual([errorName(c.ours)]);
    const mp = mpParse(bytes);
    const accepted = mp.errors.length === 0 && mp.packets.length === 1;
    expect(accepted ? "accepts" : "rejects", JSON.stringify(mp)).toBe(c.mqttPacket);
  });

  it("mqtt-packet's generator writes packets our encoders refuse", () => {
    // Each row: what mqtt-packet's generate() writes without complaint, and our encoder's code.
    const buf = new Uint8Array(64);
    const a = utf8Bytes("a/+");
    const t = utf8Bytes("a");
    const none = new Uint8Array(0);
    const rows: [string, any, number][] = [
      ["PUBLISH QoS 0 with DUP [MQTT-3.3.1-2]", { cmd: "publish", topic: "a", qos: 0, dup: true, payload: "" },
        encodePublish(buf, 0, 0, false, true, 0, t, 0, 1, none, 0, 0)],
      ["PUBLISH with a wildcard topic [MQTT-3.3.2-2]", { cmd: "publish", topic: "a/+", qos: 0, payload: "" },
        encodePublish(buf, 0, 0, false, false, 0, a, 0, a.length, none, 0, 0)],
      ["PUBLISH with an empty topic [MQTT-4.7.3-1]", { cmd: "publish", topic: "", qos: 0, payload: "" },
        encodePublish(buf, 0, 0, false, false, 0, none, 0, 0, none, 0, 0)],
      ["PUBLISH QoS 1 with packet id 0 [MQTT-2.3.1-1]", { cmd: "publish", topic: "a", qos: 1, messageId: 0, payload: "" },
        encodePublish(buf, 0, 1, false, false, 0, t, 0, 1, none, 0, 0)],
      ["PUBACK with packet id 0 [MQTT-2.3.1-1]", { cmd: "puback", messageId: 0 }, encodeAck(buf, 0, PUBACK, 0)],
    ];
    for (const [name, obj, code] of rows) {
      expect(mqttPacket.generate(obj, { protocolVersion: 4 }).length, name).toBeGreaterThan(0);
      expect(code, name).toBeLessThan(0);
    }
  });

  it("both refuse to write an empty client id without clean session [MQTT-3.1.3-7], or at level 3", () => {
    const o = connectOptions();
    o.clientId = new Uint8Array(0);
    o.cleanSession = false;
    const buf = new Uint8Array(32);
    expect(encodeConnect(buf, 0, o)).toBe(E.E_CLIENT_ID);
    o.cleanSession = true;
    o.protocolLevel = 3;
    expect(encodeConnect(buf, 0, o)).toBe(E.E_CLIENT_ID);
    expect(() => mqttPacket.generate({ cmd: "connect", clientId: "", clean: false, keepalive: 60 } as any)).toThrow(/clientId/);
    expect(() => mqttPacket.generate({ cmd: "connect", clientId: "", protocolId: "MQIsdp", protocolVersion: 3 } as any)).toThrow(/clientId/);
  });
});
