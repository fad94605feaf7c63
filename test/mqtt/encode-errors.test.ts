// Every way an encoder refuses to write a packet, and the error table those codes come from.
import { describe, expect, it } from "vitest";
import * as errors from "../../firmware/mqtt/errors";
import {
  OK, E_BUFFER_TOO_SMALL, E_STRING_TOO_LONG, E_PACKET_TOO_LARGE, E_QOS_INVALID, E_PACKET_ID, E_TOPIC_EMPTY,
  E_TOPIC_WILDCARD, E_FILTER_HASH, E_FILTER_PLUS, E_UTF8_INVALID, E_UTF8_NULL, E_SUBSCRIBE_EMPTY,
  E_UNSUBSCRIBE_EMPTY, E_RETURN_CODE_INVALID, E_PROTOCOL_LEVEL, E_BAD_ARGUMENT, E_DUP_QOS0, E_WILL_FLAGS,
  E_PASSWORD_WITHOUT_USERNAME, E_CONNACK_SESSION_PRESENT, E_LENGTH_MISMATCH, errorName, errorRule, allErrorCodes,
} from "../../firmware/mqtt/errors";
import {
  CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, MAX_REMAINING_LENGTH, ConnectOptions, connectOptions,
  encodeConnect, encodeConnack, encodePublish, encodeAck, encodeEmpty, encodeSubscribe, encodeUnsubscribe,
  encodeSuback, utf8Bytes,
} from "../../firmware/mqtt";
import { loadVectors, fromHex } from "../helpers/vectors";
import { encodeNeutral, guarded, typeOf } from "./codec-support";

const name = (code: number) => (code >= 0 ? "OK" : errorName(code));
const text = (s: string) => utf8Bytes(s);
const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

describe("E_BUFFER_TOO_SMALL", () => {
  const valid = loadVectors().valid;

  it("the valid vectors cover every packet type", () => {
    const types = new Set(valid.map((v) => typeOf(v.packet.type)));
    expect([...types].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  describe.each(valid)("$name", (v) => {
    const exact = fromHex(v.hex).length;

    it("every buffer size from 0 to exact-1 is refused, at offset 0 and 3, with nothing written past the end", () => {
      for (const off of [0, 3]) {
        for (let size = 0; size < exact; size++) {
          const g = guarded(off + size);
          expect(name(encodeNeutral(v.packet, g.buf, off))).toBe(name(E_BUFFER_TOO_SMALL));
          expect(g.strayWrites).toEqual([]);
          expect(g.untouched()).toBe(true);
        }
      }
    });

    it("the exact size is accepted, with nothing written past the end", () => {
      const g = guarded(exact);
      expect(encodeNeutral(v.packet, g.buf, 0)).toBe(exact);
      expect(g.untouched()).toBe(true);
    });
  });
});

// A CONNECT with client id "id" and whatever `change` sets.
function connect(change: (o: ConnectOptions) => void): (buf: Uint8Array) => number {
  const o = connectOptions();
  o.clientId = text("id");
  change(o);
  return (buf) => encodeConnect(buf, 0, o);
}

// One payload as long as the largest remaining length allows, shared: V8 commits its pages only when
// written, and the size checks must refuse it before any byte is copied.
let huge: Uint8Array | null = null;

function publish(qos: number, dup: boolean, id: number, topic: Uint8Array, payloadLen = 2): (buf: Uint8Array) => number {
  return (buf) => {
    const payload = payloadLen <= 16 ? bytes(payloadLen) : (huge ??= new Uint8Array(MAX_REMAINING_LENGTH));
    return encodePublish(buf, 0, qos, false, dup, id, topic, 0, topic.length, payload, 0, payloadLen);
  };
}

function subscribe(filters: string[], qos: number[], id = 1): (buf: Uint8Array) => number {
  return (buf) => encodeSubscribe(buf, 0, id, filters.map(text), qos, 0, filters.length);
}

function unsubscribe(filters: string[], id = 1): (buf: Uint8Array) => number {
  return (buf) => encodeUnsubscribe(buf, 0, id, filters.map(text), 0, filters.length);
}

const TOO_LONG = 65536;

// [case, encode into buf, expected code, buffer size (default: large enough for any valid packet here)]
const ERRORS: [string, (buf: Uint8Array) => number, number, number?][] = [
  // CONNECT
  ["CONNECT client id of 65,536 bytes [MQTT-1.5.3]", connect((o) => { o.clientId = bytes(TOO_LONG); }), E_STRING_TOO_LONG],
  ["CONNECT username of 65,536 bytes [MQTT-1.5.3]", connect((o) => { o.username = bytes(TOO_LONG); }), E_STRING_TOO_LONG],
  ["CONNECT password of 65,536 bytes", connect((o) => { o.username = text("u"); o.password = bytes(TOO_LONG); }), E_STRING_TOO_LONG],
  ["CONNECT will payload of 65,536 bytes", connect((o) => { o.willTopic = text("w"); o.willPayload = bytes(TOO_LONG); }), E_STRING_TOO_LONG],
  ["CONNECT will topic of 65,536 bytes [MQTT-4.7.3-3]", connect((o) => { o.willTopic = bytes(TOO_LONG); }), E_STRING_TOO_LONG],
  ["CONNECT protocol level 5 [MQTT-3.1.2-2]", connect((o) => { o.protocolLevel = 5; }), E_PROTOCOL_LEVEL],
  ["CONNECT protocol level 0 [MQTT-3.1.2-2]", connect((o) => { o.protocolLevel = 0; }), E_PROTOCOL_LEVEL],
  ["CONNECT password without username [MQTT-3.1.2-22]", connect((o) => { o.password = text("p"); }), E_PASSWORD_WITHOUT_USERNAME],
  ["CONNECT will QoS 1 without a will [MQTT-3.1.2-13]", connect((o) => { o.willQos = 1; }), E_WILL_FLAGS],
  ["CONNECT will retain without a will [MQTT-3.1.2-15]", connect((o) => { o.willRetain = true; }), E_WILL_FLAGS],
  ["CONNECT will payload without a will topic [MQTT-3.1.2-11]", connect((o) => { o.willPayload = text("x"); }), E_WILL_FLAGS],
  ["CONNECT will QoS 3 [MQTT-3.1.2-14]", connect((o) => { o.willTopic = text("w"); o.willQos = 3; }), E_QOS_INVALID],
  ["CONNECT will topic with a wildcard [MQTT-3.3.2-2]", connect((o) => { o.willTopic = text("w/+"); }), E_TOPIC_WILDCARD],
  ["CONNECT empty will topic [MQTT-4.7.3-1]", connect((o) => { o.willTopic = text(""); }), E_TOPIC_EMPTY],
  ["CONNECT keep alive 70000", connect((o) => { o.keepAlive = 70000; }), E_BAD_ARGUMENT],
  ["CONNECT keep alive 65536", connect((o) => { o.keepAlive = 65536; }), E_BAD_ARGUMENT],
  ["CONNECT keep alive -1", connect((o) => { o.keepAlive = -1; }), E_BAD_ARGUMENT],
  ["CONNECT keep alive 1.5", connect((o) => { o.keepAlive = 1.5; }), E_BAD_ARGUMENT],
  ["CONNECT client id with U+0000 [MQTT-1.5.3-2]", connect((o) => { o.clientId = fromHex("61 00"); }), E_UTF8_NULL],
  ["CONNECT client id with a surrogate [MQTT-1.5.3-1]", connect((o) => { o.clientId = fromHex("ED A0 80"); }), E_UTF8_INVALID],
  ["CONNECT username with an overlong form [MQTT-1.5.3-1]", connect((o) => { o.username = fromHex("C0 80"); }), E_UTF8_INVALID],
  // CONNACK
  ["CONNACK return code 6", (buf) => encodeConnack(buf, 0, false, 6), E_RETURN_CODE_INVALID],
  ["CONNACK return code -1", (buf) => encodeConnack(buf, 0, false, -1), E_RETURN_CODE_INVALID],
  ["CONNACK session present with refusal code 1 [MQTT-3.2.2-4]", (buf) => encodeConnack(buf, 0, true, 1), E_CONNACK_SESSION_PRESENT],
  ["CONNACK session present with refusal code 5 [MQTT-3.2.2-4]", (buf) => encodeConnack(buf, 0, true, 5), E_CONNACK_SESSION_PRESENT],
  // PUBLISH
  ["PUBLISH QoS 3 [MQTT-3.3.1-4]", publish(3, false, 1, text("t")), E_QOS_INVALID],
  ["PUBLISH QoS -1 [MQTT-3.3.1-4]", publish(-1, false, 1, text("t")), E_QOS_INVALID],
  ["PUBLISH DUP on QoS 0 [MQTT-3.3.1-2]", publish(0, true, 0, text("t")), E_DUP_QOS0],
  ["PUBLISH QoS 1 packet id 0 [MQTT-2.3.1-1]", publish(1, false, 0, text("t")), E_PACKET_ID],
  ["PUBLISH QoS 2 packet id 65536 [MQTT-2.3.1-1]", publish(2, false, 65536, text("t")), E_PACKET_ID],
  ["PUBLISH QoS 1 packet id 1.5", publish(1, false, 1.5, text("t")), E_PACKET_ID],
  ["PUBLISH topic with '+' [MQTT-3.3.2-2]", publish(0, false, 0, text("a/+")), E_TOPIC_WILDCARD],
  ["PUBLISH topic with '#' [MQTT-3.3.2-2]", publish(1, false, 1, text("a/#")), E_TOPIC_WILDCARD],
  ["PUBLISH empty topic [MQTT-4.7.3-1]", publish(0, false, 0, text("")), E_TOPIC_EMPTY],
  ["PUBLISH topic with U+0000 [MQTT-4.7.3-2]", publish(0, false, 0, fromHex("61 00")), E_UTF8_NULL],
  ["PUBLISH topic with invalid UTF-8 [MQTT-1.5.3-1]", publish(0, false, 0, fromHex("61 FF")), E_UTF8_INVALID],
  ["PUBLISH remaining length 268,435,456 (section 2.2.3), small buffer",
    publish(0, false, 0, text("t"), MAX_REMAINING_LENGTH - 3 + 1), E_PACKET_TOO_LARGE, 16],
  ["PUBLISH remaining length 268,435,456, zero-size buffer",
    publish(0, false, 0, text("t"), MAX_REMAINING_LENGTH - 3 + 1), E_PACKET_TOO_LARGE, 0],
  ["PUBLISH remaining length 268,435,455 (the maximum) in a small buffer",
    publish(0, false, 0, text("t"), MAX_REMAINING_LENGTH - 3), E_BUFFER_TOO_SMALL, 16],
  // Acknowledgements and empty packets
  ...[PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK].flatMap((t): [string, (buf: Uint8Array) => number, number][] => [
    [`encodeAck type ${t} packet id 0 [MQTT-2.3.1-1]`, (buf) => encodeAck(buf, 0, t, 0), E_PACKET_ID],
    [`encodeAck type ${t} packet id 65536 [MQTT-2.3.1-1]`, (buf) => encodeAck(buf, 0, t, 65536), E_PACKET_ID],
  ]),
  ["encodeAck with type PUBLISH", (buf) => encodeAck(buf, 0, PUBLISH, 1), E_BAD_ARGUMENT],
  ["encodeEmpty with type CONNECT", (buf) => encodeEmpty(buf, 0, CONNECT), E_BAD_ARGUMENT],
  // SUBSCRIBE
  ["SUBSCRIBE with no filters [MQTT-3.8.3-3]", subscribe([], []), E_SUBSCRIBE_EMPTY],
  ["SUBSCRIBE packet id 0 [MQTT-2.3.1-1]", subscribe(["a"], [0], 0), E_PACKET_ID],
  ["SUBSCRIBE packet id 65536 [MQTT-2.3.1-1]", subscribe(["a"], [0], 65536), E_PACKET_ID],
  ["SUBSCRIBE filter with '#' not last [MQTT-4.7.1-2]", subscribe(["a/#/b"], [0]), E_FILTER_HASH],
  ["SUBSCRIBE filter with '#' sharing a level [MQTT-4.7.1-2]", subscribe(["a#"], [0]), E_FILTER_HASH],
  ["SUBSCRIBE filter 'sport+' [MQTT-4.7.1-3]", subscribe(["sport+"], [0]), E_FILTER_PLUS],
  ["SUBSCRIBE bad second filter [MQTT-4.7.1-3]", subscribe(["a/+", "b/+c"], [0, 1]), E_FILTER_PLUS],
  ["SUBSCRIBE empty filter [MQTT-4.7.3-1]", subscribe([""], [0]), E_TOPIC_EMPTY],
  ["SUBSCRIBE filter of 65,536 bytes [MQTT-4.7.3-3]", subscribe(["a".repeat(TOO_LONG)], [0]), E_STRING_TOO_LONG],
  ["SUBSCRIBE requested QoS 3 [MQTT-3.8.3-4]", subscribe(["a"], [3]), E_QOS_INVALID],
  ["SUBSCRIBE requested QoS 4 (a reserved bit) [MQTT-3.8.3-4]", subscribe(["a", "b"], [0, 4]), E_QOS_INVALID],
  // UNSUBSCRIBE
  ["UNSUBSCRIBE with no filters [MQTT-3.10.3-2]", unsubscribe([]), E_UNSUBSCRIBE_EMPTY],
  ["UNSUBSCRIBE packet id 0 [MQTT-2.3.1-1]", unsubscribe(["a"], 0), E_PACKET_ID],
  ["UNSUBSCRIBE filter 'a/b+' [MQTT-4.7.1-3]", unsubscribe(["a/b+"]), E_FILTER_PLUS],
  ["UNSUBSCRIBE filter '#/a' [MQTT-4.7.1-2]", unsubscribe(["#/a"]), E_FILTER_HASH],
  // SUBACK
  ["SUBACK return code 3 [MQTT-3.9.3-2]", (buf) => encodeSuback(buf, 0, 1, [0, 3], 0, 2), E_RETURN_CODE_INVALID],
  ["SUBACK return code 0x81 [MQTT-3.9.3-2]", (buf) => encodeSuback(buf, 0, 1, [0x81], 0, 1), E_RETURN_CODE_INVALID],
  ["SUBACK packet id 0 [MQTT-2.3.1-1]", (buf) => encodeSuback(buf, 0, 0, [0], 0, 1), E_PACKET_ID],
  ["SUBACK with no return codes [MQTT-3.8.3-3]", (buf) => encodeSuback(buf, 0, 1, [], 0, 0), E_BAD_ARGUMENT],
];

describe("encoder errors", () => {
  it.each(ERRORS)("%s", (_, encode, code, size) => {
    const g = guarded(size ?? 140000);
    expect(name(encode(g.buf))).toBe(name(code));
    expect(g.untouched()).toBe(true);
  });
});

// The limits themselves are accepted: every ERRORS row is an error because it crosses one.
const LIMITS: [string, (buf: Uint8Array) => number][] = [
  ["CONNECT client id of 65,535 bytes", connect((o) => { o.clientId = bytes(65535); })],
  ["CONNECT username and password of 65,535 bytes", connect((o) => { o.username = bytes(65535); o.password = bytes(65535); })],
  ["CONNECT will topic and payload of 65,535 bytes", connect((o) => { o.willTopic = bytes(65535); o.willPayload = bytes(65535); })],
  ["CONNECT will QoS 2 retained", connect((o) => { o.willTopic = text("w"); o.willQos = 2; o.willRetain = true; })],
  ["CONNECT protocol level 3", connect((o) => { o.protocolLevel = 3; })],
  ["CONNECT keep alive 0", connect((o) => { o.keepAlive = 0; })],
  ["CONNECT keep alive 65535", connect((o) => { o.keepAlive = 65535; })],
  ...[0, 1, 2, 3, 4, 5].map((c): [string, (buf: Uint8Array) => number] => [`CONNACK return code ${c}`, (buf) => encodeConnack(buf, 0, false, c)]),
  ["CONNACK session present when accepted", (buf) => encodeConnack(buf, 0, true, 0)],
  ["PUBLISH QoS 1 packet id 1", publish(1, false, 1, text("t"))],
  ["PUBLISH QoS 2 DUP packet id 65535", publish(2, true, 65535, text("t"))],
  ["PUBLISH QoS 0 ignores the packet id", publish(0, false, 0, text("t"))],
  ["PUBLISH topic of 65,535 bytes", publish(0, false, 0, bytes(65535))],
  ["SUBSCRIBE QoS 0, 1 and 2", subscribe(["a", "+/b", "#"], [0, 1, 2])],
  ["SUBSCRIBE filter of 65,535 bytes", subscribe(["a".repeat(65535)], [0])],
  ["UNSUBSCRIBE packet id 65535", unsubscribe(["a/#"], 65535)],
  ["SUBACK codes 0, 1, 2 and 0x80", (buf) => encodeSuback(buf, 0, 1, [0, 1, 2, 0x80], 0, 4)],
];

describe("encoder limits", () => {
  it.each(LIMITS)("%s is accepted", (_, encode) => {
    const g = guarded(140000);
    expect(name(encode(g.buf))).toBe("OK");
    expect(g.untouched()).toBe(true);
  });
});

describe("the error table (errors.ts)", () => {
  const exported = Object.entries(errors).filter(([k]) => k.startsWith("E_")) as [string, number][];

  it("exports OK = 0 and negative, distinct E_ codes", () => {
    expect(OK).toBe(0);
    expect(exported.length).toBeGreaterThan(0);
    for (const [, code] of exported) expect(code).toBeLessThan(0);
    expect(new Set(exported.map(([, c]) => c)).size).toBe(exported.length);
  });

  it.each(exported)("%s has its own name and a rule text", (key, code) => {
    expect(errorName(code)).toBe(key.slice(2));
    expect(errorRule(code)).not.toMatch(/^unknown error code/);
    expect(errorRule(code).length).toBeGreaterThan(10);
  });

  it("names are unique and allErrorCodes() is exactly the exported E_ codes", () => {
    const names = exported.map(([, c]) => errorName(c));
    expect(new Set(names).size).toBe(names.length);
    expect([...allErrorCodes()].sort((a, b) => a - b)).toEqual(exported.map(([, c]) => c).sort((a, b) => a - b));
  });

  it("statement ids in rule texts are well-formed", () => {
    for (const [, code] of exported) {
      for (const id of errorRule(code).match(/\[MQTT-[^\]]*\]/g) ?? []) expect(id).toMatch(/^\[MQTT-\d+\.\d+(\.\d+)*(-\d+)?\]$/);
    }
  });

  it("unknown codes are reported as such", () => {
    expect(errorName(-999)).toBe("UNKNOWN(-999)");
    expect(errorRule(-999)).toBe("unknown error code -999");
  });
});
