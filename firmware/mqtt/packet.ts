// The reused view of one decoded packet, and the parser that fills it from complete packet bytes.
import {
  OK, E_HEADER_FLAGS, E_QOS_INVALID, E_DUP_QOS0, E_PACKET_ID, E_LENGTH_MISMATCH, E_FIELD_OVERRUN,
  E_CONNACK_FLAGS, E_CONNACK_SESSION_PRESENT, E_RETURN_CODE_INVALID, E_PROTOCOL_NAME, E_PROTOCOL_LEVEL,
  E_CONNECT_RESERVED, E_WILL_FLAGS, E_PASSWORD_WITHOUT_USERNAME, E_TRAILING_BYTES, E_SUBSCRIBE_QOS,
  E_SUBSCRIBE_EMPTY, E_UNSUBSCRIBE_EMPTY, E_PACKET_TYPE_RESERVED, E_UNEXPECTED_PACKET,
} from "./errors";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT, SUBACK_FAILURE,
} from "./packet-types";
import { readU16, natives } from "./bytes";
import { validateTopicName, validateTopicFilter } from "./topic";
import { validateUtf8 } from "./utf8";

const NO_BYTES = new Uint8Array(0);

/**
 * One decoded packet. The decoder owns a single instance and refills it for every packet, so it is only
 * valid during the callback that receives it. Fields hold offsets into `buf`; absent fields have
 * offset -1. Only the fields of `type` are meaningful.
 */
export class Packet {
  // The fields of PUBLISH, the packet of every message, come first: the interpreter finds a property by
  // walking the object's properties in the order they were made.
  buf: Uint8Array = NO_BYTES;
  type = 0;
  qos = 0;
  retain = false;
  topicOff = -1;
  topicLen = 0;
  /**
   * The topic name as a string of 8-bit characters where the runtime makes one natively (Espruino), else
   * null (V8, where it would be garbage): matching and routing then compare strings, not bytes.
   */
  topicText: string | null = null;
  payloadOff = -1;
  payloadLen = 0;
  /** 0 where the type has none. */
  packetId = 0;
  dup = false;
  // The framing: a build without __MQTT_PACKET_FRAMING__ (build-flags.d.ts; the board's, which reads
  // none of them) leaves these four as they are for a well-formed packet.
  /** Fixed header bits 3-0. */
  flags = 0;
  /** Offset of the fixed header's first byte, and the whole packet's length in bytes. */
  packetOff = 0;
  length = 0;
  remainingLength = 0;
  // CONNACK
  sessionPresent = false;
  returnCode = 0;
  /**
   * SUBSCRIBE, UNSUBSCRIBE: `count` entries from `listOff` to `listEnd`, each a 2-byte length and the
   * filter, then (SUBSCRIBE) one QoS byte. SUBACK: `count` return codes, one byte each, at listOff.
   */
  listOff = -1;
  listEnd = -1;
  count = 0;
  // CONNECT (the will's topic and message use topicOff/Len and payloadOff/Len). Made in the constructor
  // only by a build that parses CONNECT (build-flags.d.ts): on the interpreter each property costs JsVars.
  protocolNameOff!: number;
  protocolNameLen!: number;
  protocolLevel!: number;
  connectFlags!: number;
  cleanSession!: boolean;
  keepAlive!: number;
  clientIdOff!: number;
  clientIdLen!: number;
  willFlag!: boolean;
  usernameOff!: number;
  usernameLen!: number;
  passwordOff!: number;
  passwordLen!: number;

  constructor() {
    if (typeof __MQTT_SERVER_PACKETS__ === "undefined" || __MQTT_SERVER_PACKETS__) {
      this.protocolNameOff = this.clientIdOff = this.usernameOff = this.passwordOff = -1;
      this.protocolNameLen = this.protocolLevel = this.connectFlags = this.keepAlive = 0;
      this.clientIdLen = this.usernameLen = this.passwordLen = 0;
      this.cleanSession = this.willFlag = false;
    }
  }
}

// The end of a 2-byte-length field starting at pos, or E_FIELD_OVERRUN when it runs past `end`.
function fieldEnd(buf: Uint8Array, pos: number, end: number): number {
  if (pos + 2 > end) return E_FIELD_OVERRUN;
  const e = pos + 2 + readU16(buf, pos);
  return e > end ? E_FIELD_OVERRUN : e;
}

// A topic name made only of printable ASCII other than '#' and '+' is valid, which one native regex test
// tells on Espruino, where a JS loop over its bytes costs ~47,000 instructions a byte. (Espruino's regex
// engine mishandles \x escapes in a class with other ranges; this form was checked in the interpreter.)
const PLAIN_TOPIC = /[^ -"$-*,-~]/;

/**
 * parsePacket(buf, start, headerLen, rl, p) -> OK or the code of the rule the packet breaks. The packet's
 * fixed header is at buf[start] and takes headerLen bytes; rl body bytes follow, all present.
 */
export function parsePacket(buf: Uint8Array, start: number, headerLen: number, rl: number, p: Packet): number {
  const h = buf[start];
  p.buf = buf;
  p.type = h >> 4;
  if (typeof __MQTT_PACKET_FRAMING__ === "undefined" || __MQTT_PACKET_FRAMING__) {
    p.flags = h & 15;
    p.packetOff = start;
    p.length = headerLen + rl;
    p.remainingLength = rl;
  }
  p.packetId = 0;
  const b = start + headerLen;
  // PUBLISH, the packet that carries the data, and a well-formed PUBACK, the other packet of every QoS 1
  // message, are parsed here; the rest share one switch, out of line. On the interpreter that switch cost
  // a PUBACK ~220,000 instructions (the call, and the cases read up to its own).
  if (p.type === PUBLISH) {
    // Locals for what is read three times or more; the rest is read back from the view. On the
    // interpreter a local costs ~9,500 instructions to make, and saves ~1,500 on each read.
    const qos = (h >> 1) & 3;
    p.qos = qos;
    p.retain = (h & 1) !== 0;
    p.dup = (h & 8) !== 0;
    if (qos === 3) return E_QOS_INVALID;
    if (qos === 0 && (h & 8) !== 0) return E_DUP_QOS0;
    const e = b + rl;
    // fieldEnd() and readU16() inline: two calls fewer on the message path.
    const topicLen = b + 2 > e ? -1 : (buf[b] << 8) | buf[b + 1];
    if (topicLen < 0 || b + 2 + topicLen > e) return E_FIELD_OVERRUN;
    p.topicOff = b + 2;
    p.topicLen = topicLen;
    // The runtime's native itself makes the string (no call of ours between); where it cannot (no flat
    // block free: undefined) or has none (V8), the topic is worked on as bytes. An empty topic ("") is
    // refused below either way.
    p.topicText = natives.toText === null ? null : natives.toText(buf.subarray(b + 2, b + 2 + topicLen)) || null;
    // One native regex test clears a topic of printable ASCII without '#' or '+'; others get the full check.
    if (p.topicText === null || topicLen === 0 || PLAIN_TOPIC.test(p.topicText)) {
      const code = validateTopicName(buf, b + 2, topicLen);
      if (code < 0) return code;
    }
    let pos = b + 2 + topicLen;
    if (qos > 0) {
      if (pos + 2 > e) return E_FIELD_OVERRUN;
      p.packetId = (buf[pos] << 8) | buf[pos + 1];
      if (p.packetId === 0) return E_PACKET_ID;
      pos += 2;
    }
    p.payloadOff = pos;
    p.payloadLen = e - pos;
    return OK;
  }
  // A PUBACK with its flags 0 (the header byte says both) and a 2-byte body.
  if (h === PUBACK << 4 && rl === 2) {
    p.packetId = (buf[b] << 8) | buf[b + 1];
    return p.packetId === 0 ? E_PACKET_ID : OK;
  }
  return parseControl(buf, b, b + rl, p.type, h & 15, p);
}

// A build without __MQTT_SERVER_PACKETS__ (build-flags.d.ts) refuses CONNECT, SUBSCRIBE and UNSUBSCRIBE
// as E_UNEXPECTED_PACKET: a client never receives them, and closes the link on them either way.
function parseControl(buf: Uint8Array, b: number, e: number, type: number, flags: number, p: Packet): number {
  const rl = e - b;
  switch (type) {
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      if (flags !== (type === PUBREL ? 2 : 0)) return E_HEADER_FLAGS;
      if (rl !== 2) return E_LENGTH_MISMATCH;
      // readU16 inline: one call fewer for every acknowledgement.
      p.packetId = (buf[b] << 8) | buf[b + 1];
      return p.packetId === 0 ? E_PACKET_ID : OK;
    case PINGREQ: case PINGRESP: case DISCONNECT:
      if (flags !== 0) return E_HEADER_FLAGS;
      return rl === 0 ? OK : E_LENGTH_MISMATCH;
    case CONNACK:
      return parseConnack(buf, b, rl, flags, p);
    case SUBSCRIBE: case UNSUBSCRIBE:
      return (typeof __MQTT_SERVER_PACKETS__ === "undefined" || __MQTT_SERVER_PACKETS__) ? parseFilterList(buf, b, e, type, flags, p) : E_UNEXPECTED_PACKET;
    case SUBACK:
      return parseSuback(buf, b, e, flags, p);
    case CONNECT:
      return (typeof __MQTT_SERVER_PACKETS__ === "undefined" || __MQTT_SERVER_PACKETS__) ? parseConnect(buf, b, e, flags, p) : E_UNEXPECTED_PACKET;
  }
  return E_PACKET_TYPE_RESERVED;
}

function parseConnack(buf: Uint8Array, b: number, rl: number, flags: number, p: Packet): number {
  if (flags !== 0) return E_HEADER_FLAGS;
  if (rl !== 2) return E_LENGTH_MISMATCH;
  const ack = buf[b];
  p.sessionPresent = (ack & 1) !== 0;
  p.returnCode = buf[b + 1];
  if ((ack & 0xfe) !== 0) return E_CONNACK_FLAGS;
  if (p.returnCode > 5) return E_RETURN_CODE_INVALID;
  if (p.sessionPresent && p.returnCode !== 0) return E_CONNACK_SESSION_PRESENT;
  return OK;
}

function parseFilterList(buf: Uint8Array, b: number, e: number, type: number, flags: number, p: Packet): number {
  if (flags !== 2) return E_HEADER_FLAGS;
  if (e - b < 2) return E_FIELD_OVERRUN;
  p.packetId = readU16(buf, b);
  if (p.packetId === 0) return E_PACKET_ID;
  const sub = type === SUBSCRIBE;
  let pos = b + 2;
  p.listOff = pos;
  p.listEnd = e;
  p.count = 0;
  while (pos < e) {
    const fe = fieldEnd(buf, pos, e);
    if (fe < 0) return fe;
    const code = validateTopicFilter(buf, pos + 2, fe - pos - 2);
    if (code !== OK) return code;
    pos = fe;
    if (sub) {
      if (pos >= e) return E_FIELD_OVERRUN;
      // Bits 7-2 are reserved and QoS 3 does not exist [MQTT-3.8.3-4].
      if (buf[pos] > 2) return E_SUBSCRIBE_QOS;
      pos++;
    }
    p.count++;
  }
  if (p.count === 0) return sub ? E_SUBSCRIBE_EMPTY : E_UNSUBSCRIBE_EMPTY;
  return OK;
}

function parseSuback(buf: Uint8Array, b: number, e: number, flags: number, p: Packet): number {
  if (flags !== 0) return E_HEADER_FLAGS;
  if (e - b < 3) return E_LENGTH_MISMATCH;
  p.packetId = readU16(buf, b);
  if (p.packetId === 0) return E_PACKET_ID;
  p.listOff = b + 2;
  p.listEnd = e;
  p.count = e - b - 2;
  for (let i = b + 2; i < e; i++) {
    const c = buf[i];
    if (c !== 0 && c !== 1 && c !== 2 && c !== SUBACK_FAILURE) return E_RETURN_CODE_INVALID;
  }
  return OK;
}

// Whether the protocol name is "MQTT" or "MQIsdp", compared as bytes so nothing is allocated.
function isName(buf: Uint8Array, off: number, len: number): boolean {
  if (len === 4) return buf[off] === 0x4d && buf[off + 1] === 0x51 && buf[off + 2] === 0x54 && buf[off + 3] === 0x54;
  return len === 6 && buf[off] === 0x4d && buf[off + 1] === 0x51 && buf[off + 2] === 0x49 &&
    buf[off + 3] === 0x73 && buf[off + 4] === 0x64 && buf[off + 5] === 0x70;
}

function parseConnect(buf: Uint8Array, b: number, e: number, flags: number, p: Packet): number {
  if (flags !== 0) return E_HEADER_FLAGS;
  p.topicOff = p.payloadOff = p.usernameOff = p.passwordOff = -1;
  p.topicLen = p.payloadLen = p.usernameLen = p.passwordLen = 0;
  let fe = fieldEnd(buf, b, e);
  if (fe < 0) return fe;
  p.protocolNameOff = b + 2;
  p.protocolNameLen = fe - b - 2;
  if (fe + 4 > e) return E_FIELD_OVERRUN;
  const level = buf[fe];
  p.protocolLevel = level;
  if (!isName(buf, p.protocolNameOff, p.protocolNameLen)) return E_PROTOCOL_NAME;
  // A server answers an unknown level with CONNACK 1 [MQTT-3.1.2-2], so it gets its own code.
  if (level !== (p.protocolNameLen === 4 ? 4 : 3)) return E_PROTOCOL_LEVEL;
  const cf = buf[fe + 1];
  p.connectFlags = cf;
  p.cleanSession = (cf & 0x02) !== 0;
  p.willFlag = (cf & 0x04) !== 0;
  p.qos = (cf >> 3) & 3;
  p.retain = (cf & 0x20) !== 0;
  p.keepAlive = readU16(buf, fe + 2);
  if ((cf & 1) !== 0) return E_CONNECT_RESERVED;
  if (p.qos === 3 || (!p.willFlag && (p.qos !== 0 || p.retain))) return E_WILL_FLAGS;
  if ((cf & 0x40) !== 0 && (cf & 0x80) === 0) return E_PASSWORD_WITHOUT_USERNAME;
  let pos = fe + 4;
  fe = fieldEnd(buf, pos, e);
  if (fe < 0) return fe;
  p.clientIdOff = pos + 2;
  p.clientIdLen = fe - pos - 2;
  let code = validateUtf8(buf, p.clientIdOff, p.clientIdLen);
  if (code !== OK) return code;
  pos = fe;
  if (p.willFlag) {
    fe = fieldEnd(buf, pos, e);
    if (fe < 0) return fe;
    p.topicOff = pos + 2;
    p.topicLen = fe - pos - 2;
    code = validateTopicName(buf, p.topicOff, p.topicLen);
    if (code !== OK) return code;
    pos = fe;
    fe = fieldEnd(buf, pos, e);
    if (fe < 0) return fe;
    p.payloadOff = pos + 2;
    p.payloadLen = fe - pos - 2;
    pos = fe;
  }
  if ((cf & 0x80) !== 0) {
    fe = fieldEnd(buf, pos, e);
    if (fe < 0) return fe;
    p.usernameOff = pos + 2;
    p.usernameLen = fe - pos - 2;
    code = validateUtf8(buf, p.usernameOff, p.usernameLen);
    if (code !== OK) return code;
    pos = fe;
  }
  if ((cf & 0x40) !== 0) {
    fe = fieldEnd(buf, pos, e);
    if (fe < 0) return fe;
    p.passwordOff = pos + 2;
    p.passwordLen = fe - pos - 2;
    pos = fe;
  }
  return pos === e ? OK : E_TRAILING_BYTES;
}

/** entryLength(p, pos) -> the byte length of the filter of the SUBSCRIBE/UNSUBSCRIBE entry at pos. */
export function entryLength(p: Packet, pos: number): number {
  return readU16(p.buf, pos);
}

/** nextEntry(p, pos) -> the offset of the entry after the one at pos (p.listEnd after the last). */
export function nextEntry(p: Packet, pos: number): number {
  return pos + 2 + readU16(p.buf, pos) + (p.type === SUBSCRIBE ? 1 : 0);
}
