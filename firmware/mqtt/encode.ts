// Encoders for every MQTT 3.1.1 control packet. Each writes one packet into a caller-owned Uint8Array at
// `off` and returns the end offset, or a negative code from errors.ts; nothing is allocated and nothing
// is written past buf.length. On an error, bytes from `off` on may have been written.
import {
  OK, E_BUFFER_TOO_SMALL, E_STRING_TOO_LONG, E_PACKET_TOO_LARGE, E_QOS_INVALID, E_PACKET_ID,
  E_SUBSCRIBE_EMPTY, E_UNSUBSCRIBE_EMPTY, E_RETURN_CODE_INVALID, E_PROTOCOL_LEVEL, E_WILL_FLAGS,
  E_PASSWORD_WITHOUT_USERNAME, E_DUP_QOS0, E_CONNACK_SESSION_PRESENT, E_BAD_ARGUMENT, E_CLIENT_ID,
} from "./errors";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT, MAX_REMAINING_LENGTH, SUBACK_FAILURE,
} from "./packet-types";
import { copyBytes, remainingLengthSize, writeRemainingLength } from "./bytes";
import { validateTopicName, validateTopicFilter } from "./topic";
import { validateUtf8 } from "./utf8";

const NAME_MQTT = [0x4d, 0x51, 0x54, 0x54];
const NAME_MQISDP = [0x4d, 0x51, 0x49, 0x73, 0x64, 0x70];

/** What CONNECT carries; byte fields are whole Uint8Arrays, encoded once at start-up. */
export interface ConnectOptions {
  /** 4 for MQTT 3.1.1 ("MQTT"), 3 for MQTT 3.1 ("MQIsdp"). */
  protocolLevel: number;
  cleanSession: boolean;
  /** Seconds, 0-65535; 0 turns keep alive off. */
  keepAlive: number;
  clientId: Uint8Array;
  willTopic: Uint8Array | null;
  willPayload: Uint8Array | null;
  willQos: number;
  willRetain: boolean;
  username: Uint8Array | null;
  password: Uint8Array | null;
}

/** connectOptions() -> a ConnectOptions with MQTT 3.1.1 defaults, to fill in at start-up. */
export function connectOptions(): ConnectOptions {
  return {
    protocolLevel: 4, cleanSession: true, keepAlive: 60, clientId: new Uint8Array(0),
    willTopic: null, willPayload: null, willQos: 0, willRetain: false, username: null, password: null,
  };
}

// Whether n is a whole number from 0 up (NaN, fractions and negatives are not). Every encode checks its
// offsets with this, so the usual 32-bit case is settled by one integer compare before Math.floor.
function isIndex(n: number): boolean {
  return (n >>> 0) === n || isWhole(n);
}

function isWhole(n: number): boolean {
  return n >= 0 && n === Math.floor(n);
}

// Whether [off, off+len) is a whole-number range inside a.
function inside(a: { length: number }, off: number, len: number): boolean {
  return isIndex(off) && isIndex(len) && off + len <= a.length;
}

// Writes the fixed header; returns the offset of the variable header or a negative code.
function header(buf: Uint8Array, off: number, byte1: number, rl: number): number {
  if (!isIndex(off)) return E_BAD_ARGUMENT;
  if (rl > MAX_REMAINING_LENGTH) return E_PACKET_TOO_LARGE;
  if (off + 1 + remainingLengthSize(rl) + rl > buf.length) return E_BUFFER_TOO_SMALL;
  buf[off] = byte1;
  return writeRemainingLength(buf, off + 1, rl);
}

// v is 0-65535, so v >> 8 needs no mask.
function writeU16(buf: Uint8Array, off: number, v: number): number {
  buf[off] = v >> 8;
  buf[off + 1] = v & 0xff;
  return off + 2;
}

// A 2-byte length then the bytes; the caller checked room and length.
function writeField(buf: Uint8Array, off: number, src: Uint8Array, sOff: number, len: number): number {
  off = writeU16(buf, off, len);
  copyBytes(buf, off, src, sOff, len);
  return off + len;
}

function validId(id: number): boolean {
  return id >= 1 && id <= 0xffff && id === (id | 0);
}

/**
 * connectLength(o) -> the CONNECT's remaining length, or an error code (level, will, password, UTF-8,
 * lengths): what encodeConnect checks, so a client can size its buffer before the first connect.
 */
export function connectLength(o: ConnectOptions): number {
  const name = o.protocolLevel === 4 ? NAME_MQTT : o.protocolLevel === 3 ? NAME_MQISDP : null;
  if (name === null) return E_PROTOCOL_LEVEL;
  if (!(o.keepAlive >= 0 && o.keepAlive <= 0xffff) || o.keepAlive !== (o.keepAlive | 0)) return E_BAD_ARGUMENT;
  const will = o.willTopic !== null;
  if (o.willQos < 0 || o.willQos > 2 || o.willQos !== (o.willQos | 0)) return E_QOS_INVALID;
  if (!will && (o.willQos !== 0 || o.willRetain || o.willPayload !== null)) return E_WILL_FLAGS;
  if (o.password !== null && o.username === null) return E_PASSWORD_WITHOUT_USERNAME;
  if (o.clientId.length === 0 && (!o.cleanSession || o.protocolLevel === 3)) return E_CLIENT_ID;
  let code = validateUtf8(o.clientId, 0, o.clientId.length);
  if (code !== OK) return code;
  let rl = 2 + name.length + 4 + 2 + o.clientId.length;
  if (o.clientId.length > 0xffff) return E_STRING_TOO_LONG;
  if (will) {
    const t = o.willTopic as Uint8Array;
    code = validateTopicName(t, 0, t.length);
    if (code !== OK) return code;
    const pl = o.willPayload === null ? 0 : o.willPayload.length;
    if (pl > 0xffff) return E_STRING_TOO_LONG;
    rl += 4 + t.length + pl;
  }
  if (o.username !== null) {
    if (o.username.length > 0xffff) return E_STRING_TOO_LONG;
    code = validateUtf8(o.username, 0, o.username.length);
    if (code !== OK) return code;
    rl += 2 + o.username.length;
  }
  if (o.password !== null) {
    if (o.password.length > 0xffff) return E_STRING_TOO_LONG;
    rl += 2 + o.password.length;
  }
  return rl;
}

/** encodeConnect(buf, off, o) -> end offset or an error code (as connectLength, or the buffer's size). */
export function encodeConnect(buf: Uint8Array, off: number, o: ConnectOptions): number {
  const rl = connectLength(o);
  if (rl < 0) return rl;
  const name = o.protocolLevel === 4 ? NAME_MQTT : NAME_MQISDP;
  const will = o.willTopic !== null;
  let p = header(buf, off, CONNECT << 4, rl);
  if (p < 0) return p;
  p = writeU16(buf, p, name.length);
  for (let i = 0; i < name.length; i++) buf[p++] = name[i];
  buf[p++] = o.protocolLevel;
  buf[p++] = (o.username !== null ? 0x80 : 0) | (o.password !== null ? 0x40 : 0) | (o.willRetain ? 0x20 : 0) |
    (o.willQos << 3) | (will ? 0x04 : 0) | (o.cleanSession ? 0x02 : 0);
  p = writeU16(buf, p, o.keepAlive);
  p = writeField(buf, p, o.clientId, 0, o.clientId.length);
  if (will) {
    const t = o.willTopic as Uint8Array;
    p = writeField(buf, p, t, 0, t.length);
    if (o.willPayload === null) p = writeU16(buf, p, 0);
    else p = writeField(buf, p, o.willPayload, 0, o.willPayload.length);
  }
  if (o.username !== null) p = writeField(buf, p, o.username, 0, o.username.length);
  if (o.password !== null) p = writeField(buf, p, o.password, 0, o.password.length);
  return p;
}

/** encodeConnack(buf, off, sessionPresent, returnCode) -> end offset, or an error for a code over 5. */
export function encodeConnack(buf: Uint8Array, off: number, sessionPresent: boolean, returnCode: number): number {
  if (returnCode < 0 || returnCode > 5 || returnCode !== (returnCode | 0)) return E_RETURN_CODE_INVALID;
  if (sessionPresent && returnCode !== 0) return E_CONNACK_SESSION_PRESENT;
  const p = header(buf, off, CONNACK << 4, 2);
  if (p < 0) return p;
  buf[p] = sessionPresent ? 1 : 0;
  buf[p + 1] = returnCode;
  return p + 2;
}

/**
 * encodePublish(buf, off, qos, retain, dup, packetId, topic, tOff, tLen, payload, pOff, pLen) -> end
 * offset or an error (QoS, DUP on QoS 0, packet id, topic name rules, size). packetId is ignored at QoS 0.
 */
export function encodePublish(
  buf: Uint8Array, off: number, qos: number, retain: boolean, dup: boolean, packetId: number,
  topic: Uint8Array, tOff: number, tLen: number, payload: Uint8Array, pOff: number, pLen: number,
): number {
  if (qos !== 0 && qos !== 1 && qos !== 2) return E_QOS_INVALID;
  if (qos === 0 && dup) return E_DUP_QOS0;
  if (qos > 0 && !validId(packetId)) return E_PACKET_ID;
  if (!inside(topic, tOff, tLen) || !inside(payload, pOff, pLen)) return E_BAD_ARGUMENT;
  const rl = 2 + tLen + (qos > 0 ? 2 : 0) + pLen;
  let p = header(buf, off, (PUBLISH << 4) | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0), rl);
  if (p < 0) return p;
  p = writeU16(buf, p, tLen);
  // Copied natively, then checked where it landed: cheaper than a byte loop doing both.
  copyBytes(buf, p, topic, tOff, tLen);
  const code = validateTopicName(buf, p, tLen);
  if (code < 0) return code;
  p += tLen;
  if (qos > 0) p = writeU16(buf, p, packetId);
  copyBytes(buf, p, payload, pOff, pLen);
  return p + pLen;
}

/**
 * writePublish(buf, off, byte1, packetId, topic, payload, pOff, pLen) -> end offset or E_BUFFER_TOO_SMALL:
 * the client's PUBLISH. byte1 is the fixed header byte; packetId is written when byte1 says QoS 1 or 2.
 * The topic is trusted: a whole, valid topic name, checked once when its bytes were made (a device's
 * topics are fixed at start-up), so a publish is a few native copies (docs/espruino.md, "Cost model").
 */
export function writePublish(
  buf: Uint8Array, off: number, byte1: number, packetId: number, topic: Uint8Array, payload: Uint8Array,
  pOff: number, pLen: number,
): number {
  const tLen = topic.length;
  const qos = byte1 & 6;
  const rl = (qos === 0 ? 2 : 4) + tLen + pLen;
  let p = off + 2;
  if (rl < 128 && p + rl <= buf.length) buf[off + 1] = rl;
  else {
    if (rl > MAX_REMAINING_LENGTH || off + 1 + remainingLengthSize(rl) + rl > buf.length) return E_BUFFER_TOO_SMALL;
    p = writeRemainingLength(buf, off + 1, rl);
  }
  buf[off] = byte1;
  buf[p] = tLen >> 8;
  buf[p + 1] = tLen & 255;
  buf.set(topic, p + 2);
  p += 2 + tLen;
  if (qos !== 0) {
    buf[p] = packetId >> 8;
    buf[p + 1] = packetId & 255;
    p += 2;
  }
  if (pOff === 0 && pLen === payload.length) buf.set(payload, p);
  else copyBytes(buf, p, payload, pOff, pLen);
  return p + pLen;
}

/** encodeAck(buf, off, type, packetId) -> end offset; type is PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK. */
export function encodeAck(buf: Uint8Array, off: number, type: number, packetId: number): number {
  if (type !== PUBACK && type !== PUBREC && type !== PUBREL && type !== PUBCOMP && type !== UNSUBACK) {
    return E_BAD_ARGUMENT;
  }
  if (!validId(packetId)) return E_PACKET_ID;
  // PUBREL's reserved flags are 0010 [MQTT-3.6.1-1].
  const p = header(buf, off, (type << 4) | (type === PUBREL ? 2 : 0), 2);
  if (p < 0) return p;
  return writeU16(buf, p, packetId);
}

/** encodeEmpty(buf, off, type) -> end offset; type is PINGREQ, PINGRESP or DISCONNECT. */
export function encodeEmpty(buf: Uint8Array, off: number, type: number): number {
  if (type !== PINGREQ && type !== PINGRESP && type !== DISCONNECT) return E_BAD_ARGUMENT;
  return header(buf, off, type << 4, 0);
}

/**
 * encodeSubscribe(buf, off, packetId, filters, qos, first, count) -> end offset or an error; subscribes
 * filters[first .. first+count) each at qos[i] (same index as its filter).
 */
export function encodeSubscribe(
  buf: Uint8Array, off: number, packetId: number, filters: Uint8Array[], qos: ArrayLike<number>,
  first: number, count: number,
): number {
  return encodeFilterList(buf, off, SUBSCRIBE, packetId, filters, qos, first, count);
}

/** encodeUnsubscribe(buf, off, packetId, filters, first, count) -> end offset or an error. */
export function encodeUnsubscribe(
  buf: Uint8Array, off: number, packetId: number, filters: Uint8Array[], first: number, count: number,
): number {
  return encodeFilterList(buf, off, UNSUBSCRIBE, packetId, filters, null, first, count);
}

// SUBSCRIBE and UNSUBSCRIBE share their layout but for the QoS byte after each filter.
function encodeFilterList(
  buf: Uint8Array, off: number, type: number, packetId: number, filters: Uint8Array[],
  qos: ArrayLike<number> | null, first: number, count: number,
): number {
  if (count === 0) return type === SUBSCRIBE ? E_SUBSCRIBE_EMPTY : E_UNSUBSCRIBE_EMPTY;
  if (!inside(filters, first, count) || (qos !== null && !inside(qos, first, count))) return E_BAD_ARGUMENT;
  if (!validId(packetId)) return E_PACKET_ID;
  let rl = 2;
  for (let i = first; i < first + count; i++) {
    const f = filters[i];
    const code = validateTopicFilter(f, 0, f.length);
    if (code !== OK) return code;
    if (qos !== null && qos[i] !== 0 && qos[i] !== 1 && qos[i] !== 2) return E_QOS_INVALID;
    rl += 2 + f.length + (qos !== null ? 1 : 0);
  }
  let p = header(buf, off, (type << 4) | 2, rl);
  if (p < 0) return p;
  p = writeU16(buf, p, packetId);
  for (let i = first; i < first + count; i++) {
    p = writeField(buf, p, filters[i], 0, filters[i].length);
    if (qos !== null) buf[p++] = qos[i];
  }
  return p;
}

/** encodeSuback(buf, off, packetId, codes, first, count) -> end offset; codes are 0, 1, 2 or 0x80. */
export function encodeSuback(
  buf: Uint8Array, off: number, packetId: number, codes: ArrayLike<number>, first: number, count: number,
): number {
  // A SUBACK answers a SUBSCRIBE, which has at least one filter [MQTT-3.8.3-3].
  if (count === 0 || !inside(codes, first, count)) return E_BAD_ARGUMENT;
  if (!validId(packetId)) return E_PACKET_ID;
  for (let i = first; i < first + count; i++) {
    const c = codes[i];
    if (c !== 0 && c !== 1 && c !== 2 && c !== SUBACK_FAILURE) return E_RETURN_CODE_INVALID;
  }
  let p = header(buf, off, SUBACK << 4, 2 + count);
  if (p < 0) return p;
  p = writeU16(buf, p, packetId);
  for (let i = first; i < first + count; i++) buf[p++] = codes[i];
  return p;
}
