// The streaming Decoder: framing across chunks, the RX buffer limit, reset(), the reused Packet view, and
// the rules parsePacket enforces on bytes from the network.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  Decoder, Packet, PacketSink, MIN_RX_SIZE, CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, SUBSCRIBE,
  UNSUBSCRIBE, SUBACK, CONNACK, PINGREQ, DISCONNECT, PACKET_NAMES, errorName, allErrorCodes,
  E_RX_OVERFLOW, E_REMAINING_LENGTH, E_CONNECT_RESERVED, E_WILL_FLAGS, E_PASSWORD_WITHOUT_USERNAME, E_PROTOCOL_LEVEL,
  E_PROTOCOL_NAME, E_HEADER_FLAGS, E_TRAILING_BYTES, E_FIELD_OVERRUN, E_UTF8_NULL, E_UTF8_INVALID, E_TOPIC_WILDCARD,
  E_TOPIC_EMPTY, E_DUP_QOS0, E_PACKET_ID, E_LENGTH_MISMATCH, E_SUBSCRIBE_QOS, E_FILTER_PLUS, E_FILTER_HASH,
  E_CONNACK_SESSION_PRESENT, E_RETURN_CODE_INVALID,
} from "../../firmware/mqtt";
import { loadVectors, fromHex, toHex, textBytes } from "../helpers/vectors";
import { Event, Recorder, concat, decodeIn } from "./codec-support";

const vectors = loadVectors();
const PING = fromHex("C0 00");
const vec = (prefix: string) => {
  const v = vectors.valid.find((x) => x.name.startsWith(prefix));
  if (!v) throw new Error("no vector " + prefix);
  return fromHex(v.hex);
};
const CONNECT_WILL_MQISDP = vec("CONNECT, MQTT 3.1 (protocol name MQIsdp");
const CONNECT_PLAIN = vec("CONNECT to a cloud platform");
const PUBLISH_200 = vec("PUBLISH QoS 0 with a 200-byte payload");
const PUBLISH_QOS1 = vec("PUBLISH QoS 1, packet id 1");
const SUBSCRIBE_3 = vec("SUBSCRIBE: three filters");
const PUBACK_1 = vec("PUBACK");

const kinds = (events: Event[]) => events.map((e) => (e.kind === "packet" ? e.packet.type : errorName(e.code)));

// A PUBLISH QoS 0 to "t" whose whole length is `total` bytes (total 5..129).
function publishOfLength(total: number): Uint8Array {
  const rl = total - 2;
  return concat(fromHex("30"), Uint8Array.of(rl), fromHex("00 01 74"), textBytes("A x " + (rl - 3)));
}

// A PUBLISH QoS 1 to `topic` with packet id `id` and `n` payload bytes.
function publishQos1(topic: string, id: number, n: number): Uint8Array {
  const t = textBytes(topic);
  const rl = 2 + t.length + 2 + n;
  const len = rl < 128 ? Uint8Array.of(rl) : Uint8Array.of((rl & 127) | 128, rl >> 7);
  return concat(Uint8Array.of(0x32), len, Uint8Array.of(t.length >> 8, t.length & 255), t, Uint8Array.of(id >> 8, id & 255), new Uint8Array(n));
}

describe("framing", () => {
  // A chunk that holds exactly one packet with a one-byte remaining length is parsed in place at once;
  // a second byte with its continuation bit set must never pass for such a length.
  it("a chunk of 130 bytes whose second byte is 0x80 is the start of a 131-byte packet, not a whole one", () => {
    const body = concat(fromHex("00 01 74"), textBytes("x".repeat(125)));
    const pkt = concat(fromHex("30 80 01"), body);
    expect(pkt.length).toBe(131);
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    d.feed(pkt, 0, 130);
    expect(rec.events).toEqual([]);
    expect(d.pending()).toBe(130);
    d.feed(pkt, 130, 1);
    expect(rec.events.map((e) => e.kind === "packet" && e.remainingLength)).toEqual([128]);
  });

  it("delivers two packets that arrive in one chunk, in order", () => {
    const events = decodeIn(concat(PUBLISH_QOS1, PUBACK_1), [1000]);
    expect(events.map((e) => e.kind === "packet" && e.bytes)).toEqual([toHex(PUBLISH_QOS1), toHex(PUBACK_1)]);
  });

  const stream = concat(CONNECT_WILL_MQISDP, PUBLISH_200, SUBSCRIBE_3, PING, PUBACK_1, PUBLISH_QOS1);
  const whole = decodeIn(stream, [stream.length]);

  it("decodes a stream of several packets fed at once", () => {
    expect(kinds(whole)).toEqual(["CONNECT", "PUBLISH", "SUBSCRIBE", "PINGREQ", "PUBACK", "PUBLISH"]);
  });

  it("gives the same packets for the stream split in two at every position", () => {
    for (let k = 0; k <= stream.length; k++) {
      const rec = new Recorder();
      const d = new Decoder(1024, rec);
      d.feed(stream, 0, k);
      d.feed(stream, k, stream.length - k);
      expect(rec.events, "split at " + k).toEqual(whole);
      expect(d.pending()).toBe(0);
    }
  });

  it("gives the same packets for any chunking, down to one byte at a time", () => {
    expect(decodeIn(stream, [1])).toEqual(whole);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      expect(decodeIn(stream, sizes)).toEqual(whole);
    }));
  });

  it("reports how many bytes of an unfinished packet it holds with pending()", () => {
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    expect(d.pending()).toBe(0);
    for (let i = 0; i < PUBLISH_200.length; i++) {
      d.feed(PUBLISH_200, i, 1);
      expect(d.pending()).toBe(i + 1 < PUBLISH_200.length ? i + 1 : 0);
    }
    expect(kinds(rec.events)).toEqual(["PUBLISH"]);
  });

  it("hands every packet and error over as the same reused Packet view (nothing allocated per packet)", () => {
    const rec = new Recorder();
    const d = new Decoder(16, rec);
    const s = concat(PING, PUBACK_1, fromHex("40 02 00 00"), PUBLISH_200, SUBSCRIBE_3);
    d.feed(s, 0, s.length);
    d.feed(PUBACK_1, 0, 1);
    d.feed(PUBACK_1, 1, 3);
    expect(kinds(rec.events)).toEqual(["PINGREQ", "PUBACK", "PACKET_ID", "RX_OVERFLOW", "RX_OVERFLOW", "PUBACK"]);
    expect(rec.views).toHaveLength(6);
    for (const v of rec.views) expect(v).toBe(d.packet);
  });

  it("raises an rx size below the minimum to MIN_RX_SIZE, so a 4-byte remaining length still fits", () => {
    const d = new Decoder(0, new Recorder());
    expect(d.rx.length).toBe(MIN_RX_SIZE);
    expect(MIN_RX_SIZE).toBe(5);
  });

  it("reports a fifth remaining-length byte as E_REMAINING_LENGTH with no length", () => {
    const events = decodeIn(fromHex("30 80 80 80 80 01"), [1]);
    expect(events).toEqual([{ kind: "error", code: E_REMAINING_LENGTH, type: PUBLISH, flags: 0, remainingLength: -1 }]);
  });
});

describe("packets larger than the rx buffer", () => {
  it("decodes a packet exactly as long as rx, and reports one byte longer as E_RX_OVERFLOW", () => {
    for (const chunk of [1, 3, 1000]) {
      expect(kinds(decodeIn(publishOfLength(16), [chunk], 16))).toEqual(["PUBLISH"]);
      expect(decodeIn(publishOfLength(17), [chunk], 16)).toEqual([
        { kind: "error", code: E_RX_OVERFLOW, type: PUBLISH, flags: 0, remainingLength: 15 },
      ]);
    }
  });

  it("skips an oversize packet across several chunks and still decodes the packet after it", () => {
    const s = concat(PUBLISH_200, PUBLISH_QOS1, PING);
    for (const chunk of [1, 7, 50, s.length]) {
      const events = decodeIn(s, [chunk], 64);
      expect(events[0]).toEqual({ kind: "error", code: E_RX_OVERFLOW, type: PUBLISH, flags: 0, remainingLength: 203 });
      expect(events.slice(1)).toEqual(decodeIn(concat(PUBLISH_QOS1, PING), [1000]));
    }
  });

  // What a client needs to acknowledge a message it cannot read: the topic and packet id come before the
  // payload, so they are read into rx as far as it holds them [MQTT-3.3.2-1].
  it("an oversize PUBLISH is reported with its topic, packet id and whole payload length, however split", () => {
    const topic = "devices/esp32-01/relay/pump/set";
    const pkt = publishQos1(topic, 7, 600);
    for (const chunk of [1, 2, 5, 40, 536, pkt.length]) {
      const seen: { code: number; topic: string; id: number; len: number; qos: number }[] = [];
      const d = new Decoder(64, {
        onPacket() { throw new Error("not whole"); },
        onDecodeError(code, p) {
          seen.push({ code, topic: Buffer.from(p.buf.subarray(p.topicOff, p.topicOff + p.topicLen)).toString(), id: p.packetId, len: p.payloadLen, qos: p.qos });
        },
      });
      for (let i = 0; i < pkt.length; i += chunk) d.feed(pkt, i, Math.min(chunk, pkt.length - i));
      expect(seen, "chunks of " + chunk).toEqual([{ code: E_RX_OVERFLOW, topic, id: 7, len: 600, qos: 1 }]);
      expect(d.pending()).toBe(0);
    }
  });

  it("an oversize PUBLISH whose topic does not fit rx is reported without topic or packet id", () => {
    const pkt = publishQos1("t".repeat(80), 7, 10);
    let seen: { code: number; off: number; id: number } | null = null;
    const d = new Decoder(64, {
      onPacket() { throw new Error("not whole"); },
      onDecodeError(code, p) { seen = { code, off: p.topicOff, id: p.packetId }; },
    });
    d.feed(pkt, 0, pkt.length);
    expect(seen).toEqual({ code: E_RX_OVERFLOW, off: -1, id: 0 });
    expect(d.pending()).toBe(0);
  });

  it("counts skipped bytes in pending() until the packet's end", () => {
    const rec = new Recorder();
    const d = new Decoder(64, rec);
    for (let i = 0; i < PUBLISH_200.length; i++) {
      d.feed(PUBLISH_200, i, 1);
      expect(d.pending()).toBe(i + 1 < PUBLISH_200.length ? i + 1 : 0);
    }
    expect(kinds(rec.events)).toEqual(["RX_OVERFLOW"]);
  });
});

describe("reset()", () => {
  it("drops a partial packet, so the next bytes start a new one", () => {
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    d.feed(PUBLISH_QOS1, 0, 10);
    expect(d.pending()).toBe(10);
    d.reset();
    expect(d.pending()).toBe(0);
    d.feed(PING, 0, 2);
    expect(kinds(rec.events)).toEqual(["PINGREQ"]);
  });

  it("drops a partial remaining length", () => {
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    d.feed(fromHex("30 80"), 0, 2);
    d.reset();
    d.feed(PUBACK_1, 0, PUBACK_1.length);
    expect(kinds(rec.events)).toEqual(["PUBACK"]);
  });

  it("ends the skip of an oversize packet", () => {
    const rec = new Recorder();
    const d = new Decoder(16, rec);
    d.feed(PUBLISH_200, 0, 20);
    expect(d.pending()).toBe(20);
    d.reset();
    expect(d.pending()).toBe(0);
    d.feed(PING, 0, 2);
    expect(kinds(rec.events)).toEqual(["RX_OVERFLOW", "PINGREQ"]);
  });

  // Whether the first packet is decoded in place (whole chunk) or reassembled in rx (split), a reset from
  // the sink stops the rest of that chunk; the next feed decodes normally.
  it.each([
    ["decoded in place", [concat(PING, PING, PUBACK_1, PUBLISH_QOS1)]],
    ["reassembled in rx", [fromHex("C0"), concat(fromHex("00"), PING, PUBACK_1, PUBLISH_QOS1)]],
    ["reassembled, multi-byte", [PUBLISH_QOS1.subarray(0, 5), concat(PUBLISH_QOS1.subarray(5), PING, PUBACK_1)]],
  ])("a sink that calls reset() in onPacket stops the rest of the chunk (%s)", (_, chunks) => {
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    rec.after = () => d.reset();
    for (const c of chunks) d.feed(c, 0, c.length);
    expect(rec.events).toHaveLength(1);
    expect(d.pending()).toBe(0);
    rec.after = null;
    d.feed(PUBACK_1, 0, PUBACK_1.length);
    expect(kinds(rec.events).slice(1)).toEqual(["PUBACK"]);
  });

  it("a sink that calls reset() in onDecodeError stops the rest of the chunk", () => {
    const rec = new Recorder();
    const d = new Decoder(1024, rec);
    rec.after = (e) => { if (e.kind === "error") d.reset(); };
    const s = concat(fromHex("40 02 00 00"), PING, PUBACK_1);
    d.feed(s, 0, s.length);
    expect(kinds(rec.events)).toEqual(["PACKET_ID"]);
  });

  it("a sink that calls reset() on E_RX_OVERFLOW abandons the skip; the rest of the chunk is not decoded", () => {
    const rec = new Recorder();
    const d = new Decoder(16, rec);
    rec.after = (e) => { if (e.kind === "error") d.reset(); };
    const s = concat(PUBLISH_200, PING);
    d.feed(s, 0, s.length);
    expect(kinds(rec.events)).toEqual(["RX_OVERFLOW"]);
    expect(d.pending()).toBe(0);
    d.feed(PING, 0, 2);
    expect(kinds(rec.events)).toEqual(["RX_OVERFLOW", "PINGREQ"]);
  });
});

describe("CONNECT fields", () => {
  // A snapshot of the raw Packet fields, taken inside the callback.
  function connectFields(p: Packet) {
    const s = (off: number, len: number) => (off < 0 ? null : toHex(p.buf.subarray(off, off + len)));
    return {
      type: p.type, protocolName: s(p.protocolNameOff, p.protocolNameLen), protocolLevel: p.protocolLevel,
      connectFlags: p.connectFlags, cleanSession: p.cleanSession, keepAlive: p.keepAlive, willFlag: p.willFlag,
      willQos: p.qos, willRetain: p.retain, clientId: s(p.clientIdOff, p.clientIdLen), willTopic: s(p.topicOff, p.topicLen),
      willPayload: s(p.payloadOff, p.payloadLen), username: s(p.usernameOff, p.usernameLen), password: s(p.passwordOff, p.passwordLen),
    };
  }
  const hex = (s: string) => toHex(textBytes(s));

  it("decodes an MQIsdp level 3 CONNECT with a retained QoS 1 will, then a CONNECT without a will in the same view", () => {
    const got: ReturnType<typeof connectFields>[] = [];
    const sink: PacketSink = { onPacket: (p) => got.push(connectFields(p)), onDecodeError: (c) => got.push({ error: c } as any) };
    const d = new Decoder(256, sink);
    const s = concat(CONNECT_WILL_MQISDP, CONNECT_PLAIN);
    for (const chunks of [[s.length], [1]]) {
      got.length = 0;
      for (let off = 0; off < s.length; off += chunks[0]) d.feed(s, off, Math.min(chunks[0], s.length - off));
      expect(got).toEqual([
        {
          type: CONNECT, protocolName: hex("MQIsdp"), protocolLevel: 3, connectFlags: 0xee, cleanSession: true,
          keepAlive: 120, willFlag: true, willQos: 1, willRetain: true, clientId: hex("7y0wQ8VNJ4lmBEi2RHOSN"),
          willTopic: hex("Aaa"), willPayload: hex("i am a last will message"), username: hex("Aomi"), password: hex("123456"),
        },
        {
          type: CONNECT, protocolName: hex("MQTT"), protocolLevel: 4, connectFlags: 0xc2, cleanSession: true,
          keepAlive: 120, willFlag: false, willQos: 0, willRetain: false, clientId: hex("901505824"),
          willTopic: null, willPayload: null, username: hex("491644"), password: hex("123456"),
        },
      ]);
    }
  });

  it("accepts a binary password and a binary will payload (neither is UTF-8 text)", () => {
    const p = connectPacket({ flags: 0xc6, payload: "00 02 69 64  00 01 77  00 03 00 FF C0  00 01 75  00 03 00 FF ED" });
    const events = decodeIn(p, [p.length]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "packet", packet: { type: "CONNECT", will: { payloadHex: "00 FF C0" } } });
  });
});

// A CONNECT with the given protocol name, level, connect flags, keep alive 60 and payload bytes.
function connectPacket(o: { name?: string; level?: number; flags?: number; payload?: string; header?: number }): Uint8Array {
  const name = textBytes(o.name ?? "MQTT");
  const body = concat(Uint8Array.of(0, name.length), name, Uint8Array.of(o.level ?? 4, o.flags ?? 0x02, 0, 60),
    fromHex(o.payload ?? "00 02 69 64"));
  return concat(Uint8Array.of(o.header ?? 0x10, body.length), body);
}

// [case, packet bytes, expected code]
const DECODE_ERRORS: [string, Uint8Array, number][] = [
  // CONNECT
  ["CONNECT reserved flag bit 0 set [MQTT-3.1.2-3]", connectPacket({ flags: 0x03 }), E_CONNECT_RESERVED],
  ["CONNECT will QoS 1 without the will flag [MQTT-3.1.2-11] [MQTT-3.1.2-13]", connectPacket({ flags: 0x0a }), E_WILL_FLAGS],
  ["CONNECT will QoS 2 without the will flag [MQTT-3.1.2-13]", connectPacket({ flags: 0x12 }), E_WILL_FLAGS],
  ["CONNECT will retain without the will flag [MQTT-3.1.2-11] [MQTT-3.1.2-15]", connectPacket({ flags: 0x22 }), E_WILL_FLAGS],
  ["CONNECT will QoS 3 [MQTT-3.1.2-14]", connectPacket({ flags: 0x1e, payload: "00 02 69 64 00 01 77 00 00" }), E_WILL_FLAGS],
  ["CONNECT password flag without the user name flag [MQTT-3.1.2-22]", connectPacket({ flags: 0x42, payload: "00 02 69 64 00 01 70" }), E_PASSWORD_WITHOUT_USERNAME],
  ["CONNECT protocol level 5 [MQTT-3.1.2-2]", connectPacket({ level: 5 }), E_PROTOCOL_LEVEL],
  ["CONNECT protocol level 3 with name MQTT [MQTT-3.1.2-2]", connectPacket({ level: 3 }), E_PROTOCOL_LEVEL],
  ["CONNECT protocol level 4 with name MQIsdp [MQTT-3.1.2-2]", connectPacket({ name: "MQIsdp", level: 4 }), E_PROTOCOL_LEVEL],
  ["CONNECT protocol name 'mqtt' [MQTT-3.1.2-1]", connectPacket({ name: "mqtt" }), E_PROTOCOL_NAME],
  ["CONNECT protocol name 'MQTTX' [MQTT-3.1.2-1]", connectPacket({ name: "MQTTX" }), E_PROTOCOL_NAME],
  ["CONNECT header flags 0001 [MQTT-2.2.2-1]", connectPacket({ header: 0x11 }), E_HEADER_FLAGS],
  ["CONNECT with a byte after the last field", connectPacket({ payload: "00 02 69 64 FF" }), E_TRAILING_BYTES],
  ["CONNECT with a password but no password flag", connectPacket({ flags: 0x82, payload: "00 02 69 64 00 01 75 00 01 70" }), E_TRAILING_BYTES],
  ["CONNECT will flag but no will fields", connectPacket({ flags: 0x06 }), E_FIELD_OVERRUN],
  ["CONNECT user name flag but no user name", connectPacket({ flags: 0x82 }), E_FIELD_OVERRUN],
  ["CONNECT client id length past the end", connectPacket({ payload: "00 09 69 64" }), E_FIELD_OVERRUN],
  ["CONNECT ending after the protocol name", fromHex("10 06 00 04 4D 51 54 54"), E_FIELD_OVERRUN],
  ["CONNECT client id with U+0000 [MQTT-1.5.3-2]", connectPacket({ payload: "00 02 69 00" }), E_UTF8_NULL],
  ["CONNECT user name with a surrogate [MQTT-1.5.3-1]", connectPacket({ flags: 0x82, payload: "00 02 69 64 00 03 ED A0 80" }), E_UTF8_INVALID],
  ["CONNECT will topic with a wildcard [MQTT-3.3.2-2]", connectPacket({ flags: 0x06, payload: "00 02 69 64 00 01 23 00 00" }), E_TOPIC_WILDCARD],
  ["CONNECT empty will topic [MQTT-4.7.3-1]", connectPacket({ flags: 0x06, payload: "00 02 69 64 00 00 00 00" }), E_TOPIC_EMPTY],
  // PUBLISH
  ["PUBLISH DUP with QoS 0 [MQTT-3.3.1-2]", fromHex("38 04 00 01 61 62"), E_DUP_QOS0],
  ["PUBLISH QoS 2 packet id 0 [MQTT-2.3.1-1]", fromHex("34 05 00 01 61 00 00"), E_PACKET_ID],
  ["PUBLISH QoS 1 without room for the packet id", fromHex("32 04 00 01 61 00"), E_FIELD_OVERRUN],
  ["PUBLISH empty topic [MQTT-4.7.3-1]", fromHex("30 02 00 00"), E_TOPIC_EMPTY],
  ["PUBLISH topic '#' [MQTT-3.3.2-2]", fromHex("30 03 00 01 23"), E_TOPIC_WILDCARD],
  ["PUBLISH topic with invalid UTF-8 [MQTT-1.5.3-1]", fromHex("30 04 00 02 61 FF"), E_UTF8_INVALID],
  // Acknowledgements and empty packets
  ["PUBACK packet id 0 [MQTT-2.3.1-1]", fromHex("40 02 00 00"), E_PACKET_ID],
  ["PUBREC packet id 0 [MQTT-2.3.1-1]", fromHex("50 02 00 00"), E_PACKET_ID],
  ["PUBREL packet id 0 [MQTT-2.3.1-1]", fromHex("62 02 00 00"), E_PACKET_ID],
  ["PUBCOMP packet id 0 [MQTT-2.3.1-1]", fromHex("70 02 00 00"), E_PACKET_ID],
  ["UNSUBACK packet id 0 [MQTT-2.3.1-1]", fromHex("B0 02 00 00"), E_PACKET_ID],
  ["PUBACK header flags 0010 [MQTT-2.2.2-1]", fromHex("42 02 00 01"), E_HEADER_FLAGS],
  ["PUBACK remaining length 3", fromHex("40 03 00 01 00"), E_LENGTH_MISMATCH],
  ["PUBCOMP remaining length 1", fromHex("70 01 00"), E_LENGTH_MISMATCH],
  ["PINGREQ header flags 0001 [MQTT-2.2.2-1]", fromHex("C1 00"), E_HEADER_FLAGS],
  ["DISCONNECT remaining length 1", fromHex("E0 01 00"), E_LENGTH_MISMATCH],
  // SUBSCRIBE, UNSUBSCRIBE, SUBACK
  ["SUBSCRIBE packet id 0 [MQTT-2.3.1-1]", fromHex("82 06 00 00 00 01 61 00"), E_PACKET_ID],
  ["SUBSCRIBE requested QoS 0x04, a reserved bit [MQTT-3.8.3-4]", fromHex("82 06 00 01 00 01 61 04"), E_SUBSCRIBE_QOS],
  ["SUBSCRIBE requested QoS 0x81 [MQTT-3.8.3-4]", fromHex("82 06 00 01 00 01 61 81"), E_SUBSCRIBE_QOS],
  ["SUBSCRIBE second entry without its QoS byte", fromHex("82 09 00 01 00 01 61 00 00 01 62"), E_FIELD_OVERRUN],
  ["SUBSCRIBE with only one byte of packet id", fromHex("82 01 00"), E_FIELD_OVERRUN],
  ["SUBSCRIBE filter 'a+' [MQTT-4.7.1-3]", fromHex("82 07 00 01 00 02 61 2B 00"), E_FILTER_PLUS],
  ["SUBSCRIBE filter '#/a' [MQTT-4.7.1-2]", fromHex("82 08 00 01 00 03 23 2F 61 00"), E_FILTER_HASH],
  ["SUBSCRIBE filter with U+0000 [MQTT-4.7.3-2]", fromHex("82 06 00 01 00 01 00 00"), E_UTF8_NULL],
  ["UNSUBSCRIBE header flags 0000 [MQTT-3.10.1-1]", fromHex("A0 05 00 01 00 01 61"), E_HEADER_FLAGS],
  ["UNSUBSCRIBE packet id 0 [MQTT-2.3.1-1]", fromHex("A2 05 00 00 00 01 61"), E_PACKET_ID],
  ["UNSUBSCRIBE empty filter [MQTT-4.7.3-1]", fromHex("A2 04 00 01 00 00"), E_TOPIC_EMPTY],
  ["SUBACK with no return codes", fromHex("90 02 00 01"), E_LENGTH_MISMATCH],
  ["SUBACK packet id 0 [MQTT-2.3.1-1]", fromHex("90 03 00 00 00"), E_PACKET_ID],
  ["SUBACK header flags 0010 [MQTT-2.2.2-1]", fromHex("92 03 00 01 00"), E_HEADER_FLAGS],
  // CONNACK
  ["CONNACK session present with refusal code 1 [MQTT-3.2.2-4]", fromHex("20 02 01 01"), E_CONNACK_SESSION_PRESENT],
  ["CONNACK session present with refusal code 5 [MQTT-3.2.2-4]", fromHex("20 02 01 05"), E_CONNACK_SESSION_PRESENT],
  ["CONNACK return code 6", fromHex("20 02 00 06"), E_RETURN_CODE_INVALID],
  ["CONNACK header flags 0001 [MQTT-2.2.2-1]", fromHex("21 02 00 00"), E_HEADER_FLAGS],
];

describe("decode errors", () => {
  it.each(DECODE_ERRORS)("%s", (_, bytes, code) => {
    const s = concat(bytes, PING);
    const events = decodeIn(s, [s.length]);
    // Framing is intact after a rule-breaking packet: the PINGREQ after it still decodes.
    expect(kinds(events)).toEqual([errorName(code), "PINGREQ"]);
    expect(events[0]).toMatchObject({ type: bytes[0] >> 4, flags: bytes[0] & 15, remainingLength: bytes.length - 2 });
    expect(decodeIn(s, [1])).toEqual(events);
  });

  it("the valid counterparts decode (the table's packets break only the rule they name)", () => {
    const ok = [
      connectPacket({}), connectPacket({ flags: 0x0e, payload: "00 02 69 64 00 01 77 00 00" }),
      connectPacket({ flags: 0xc2, payload: "00 02 69 64 00 01 75 00 01 70" }), connectPacket({ name: "MQIsdp", level: 3 }),
      fromHex("30 04 00 01 61 62"), fromHex("3C 07 00 01 61 00 01 62 63"), fromHex("82 06 00 01 00 01 61 02"),
      fromHex("A2 05 00 01 00 01 61"), fromHex("90 03 00 01 80"), fromHex("20 02 01 00"), fromHex("20 02 00 05"),
    ];
    const types = [CONNECT, CONNECT, CONNECT, CONNECT, PUBLISH, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, SUBACK, CONNACK, CONNACK];
    const events = decodeIn(concat(...ok), [1]);
    expect(events.map((e) => e.kind)).toEqual(ok.map(() => "packet"));
    expect(kinds(events)).toEqual(types.map((t) => PACKET_NAMES[t]));
  });

  it("covers every ack type and DISCONNECT in the table", () => {
    const seen = new Set(DECODE_ERRORS.map(([, b]) => b[0] >> 4));
    for (const t of [PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, PINGREQ, DISCONNECT]) expect(seen.has(t)).toBe(true);
  });
});

describe("arbitrary input", () => {
  const known = new Set(allErrorCodes());
  const pieces = fc.array(
    fc.oneof(
      fc.constantFrom(...vectors.valid.map((v) => fromHex(v.hex)), ...vectors.malformed.map((m) => fromHex(m.hex)),
        ...DECODE_ERRORS.map(([, b]) => b)),
      fc.uint8Array({ maxLength: 8 }),
    ),
    { maxLength: 10 },
  ).map((parts) => concat(...parts));

  it("never throws, reports only known codes, and gives the same events for any chunking", () => {
    fc.assert(fc.property(pieces, fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(5, 16, 64, 1024), (s, sizes, rx) => {
        let whole: Event[] = [];
        expect(() => { whole = decodeIn(s, [Math.max(1, s.length)], rx); }).not.toThrow();
        for (const e of whole) if (e.kind === "error") expect(known.has(e.code)).toBe(true);
        expect(decodeIn(s, [1], rx)).toEqual(whole);
        expect(decodeIn(s, sizes, rx)).toEqual(whole);
      }), { numRuns: 1500 });
  });
});
