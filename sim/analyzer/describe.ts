// The protocol analyzer's view of a packet: one plain JSON-ready object per packet, every field named and
// laid out in wire order, the way protocol notes lay a packet out field by field. Pure functions over the
// decoder's reused Packet view (they copy what they need, so the result outlives the view); used by the
// `npm run decode` command line and meant for the simulator's live trace.
import {
  Packet, PACKET_NAMES, CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK,
  UNSUBSCRIBE, UNSUBACK, SUBACK_FAILURE, OK, validateUtf8, utf8Read, errorName, errorRule, entryLength,
  nextEntry,
} from "../../firmware/mqtt";

/** A described packet or error: JSON-ready, keys in the order they are printed. */
export type Description = Record<string, unknown>;

/** CONNACK return codes (section 3.2.2.3) as the analyzer prints them. */
export const CONNACK_MEANINGS = [
  "accepted",
  "unacceptable protocol version",
  "identifier rejected",
  "server unavailable",
  "bad user name or password",
  "not authorized",
];

/** hex(buf, off, len) -> "00 FF 80": upper case, one space between bytes ("" for none). */
export function hex(buf: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = off; i < off + len; i++) {
    if (i > off) s += " ";
    s += (buf[i] < 16 ? "0" : "") + buf[i].toString(16).toUpperCase();
  }
  return s;
}

/**
 * printableText(buf, off, len) -> the bytes as a string when they are well-formed UTF-8 without control
 * characters (tab, LF and CR allowed), else null.
 */
export function printableText(buf: Uint8Array, off: number, len: number): string | null {
  if (validateUtf8(buf, off, len) !== OK) return null;
  const s = utf8Read(buf, off, len);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return null;
  }
  return s;
}

/** What a SUBACK return code grants (section 3.9.3). */
export function subackMeaning(code: number): string {
  if (code === SUBACK_FAILURE) return "failure";
  return code <= 2 ? "granted QoS " + code : "invalid";
}

function text(p: Packet, off: number, len: number): string {
  return utf8Read(p.buf, off, len);
}

// Binary fields (password, will message): { name: text } when printable, else { nameHex: "..." }.
function binary(d: Description, name: string, p: Packet, off: number, len: number): void {
  const t = printableText(p.buf, off, len);
  if (t !== null) d[name] = t;
  else d[name + "Hex"] = hex(p.buf, off, len);
}

function flagBits(flags: number): string {
  let s = "";
  for (let bit = 3; bit >= 0; bit--) s += (flags >> bit) & 1;
  return s;
}

/**
 * describePacket(p, offset?) -> the packet's fields; `offset` (where the packet starts in the input) comes
 * first when given. p must be a packet the decoder accepted.
 */
/**
 * maskSecrets(d, p): a CONNECT's password in a description becomes its length, "(6 bytes)": what the
 * tools print ends up in terminals, CI logs and bug reports.
 */
export function maskSecrets(d: Description, p: Packet): Description {
  if (p.type !== CONNECT || p.passwordOff < 0) return d;
  delete d.passwordHex;
  d.password = `(${p.passwordLen} byte${p.passwordLen === 1 ? "" : "s"})`;
  return d;
}

export function describePacket(p: Packet, offset?: number): Description {
  const d: Description = {};
  if (offset !== undefined) d.offset = offset;
  d.type = PACKET_NAMES[p.type];
  d.headerByte = "0x" + hex(p.buf, p.packetOff, 1);
  d.flags = flagBits(p.flags);
  if (p.type === PUBLISH) {
    d.dup = p.dup;
    d.qos = p.qos;
    d.retain = p.retain;
  }
  d.remainingLength = p.remainingLength;
  d.length = p.length;
  switch (p.type) {
    case CONNECT: describeConnect(d, p); break;
    case CONNACK:
      d.sessionPresent = p.sessionPresent;
      d.returnCode = p.returnCode;
      d.returnCodeMeaning = CONNACK_MEANINGS[p.returnCode];
      break;
    case PUBLISH: {
      d.topic = text(p, p.topicOff, p.topicLen);
      if (p.qos > 0) d.packetId = p.packetId;
      d.payload = printableText(p.buf, p.payloadOff, p.payloadLen);
      d.payloadHex = hex(p.buf, p.payloadOff, p.payloadLen);
      d.payloadLength = p.payloadLen;
      break;
    }
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
      d.packetId = p.packetId;
      break;
    case SUBSCRIBE: case UNSUBSCRIBE: {
      d.packetId = p.packetId;
      const list: unknown[] = [];
      for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) {
        const filter = text(p, pos + 2, entryLength(p, pos));
        list.push(p.type === SUBSCRIBE ? { filter, qos: p.buf[pos + 2 + entryLength(p, pos)] } : filter);
      }
      if (p.type === SUBSCRIBE) d.subscriptions = list;
      else d.filters = list;
      break;
    }
    case SUBACK: {
      d.packetId = p.packetId;
      const codes: unknown[] = [];
      for (let i = 0; i < p.count; i++) {
        const c = p.buf[p.listOff + i];
        codes.push({ code: c, meaning: subackMeaning(c) });
      }
      d.returnCodes = codes;
      break;
    }
    // PINGREQ, PINGRESP, DISCONNECT: the fixed header is all there is.
  }
  return d;
}

function describeConnect(d: Description, p: Packet): void {
  const cf = p.connectFlags;
  d.protocolName = text(p, p.protocolNameOff, p.protocolNameLen);
  d.protocolLevel = p.protocolLevel;
  d.connectFlags = {
    byte: "0x" + hex(p.buf, p.protocolNameOff + p.protocolNameLen + 1, 1),
    username: (cf & 0x80) !== 0,
    password: (cf & 0x40) !== 0,
    willRetain: (cf & 0x20) !== 0,
    willQos: (cf >> 3) & 3,
    will: (cf & 0x04) !== 0,
    cleanSession: (cf & 0x02) !== 0,
    reserved: cf & 1,
  };
  d.keepAlive = p.keepAlive;
  d.clientId = text(p, p.clientIdOff, p.clientIdLen);
  if (p.willFlag) {
    const will: Description = { topic: text(p, p.topicOff, p.topicLen) };
    binary(will, "payload", p, p.payloadOff, p.payloadLen);
    will.qos = p.qos;
    will.retain = p.retain;
    d.will = will;
  }
  if (p.usernameOff >= 0) d.username = text(p, p.usernameOff, p.usernameLen);
  if (p.passwordOff >= 0) binary(d, "password", p, p.passwordOff, p.passwordLen);
}

/** describeError(code, offset) -> {offset, error, code, rule} for a packet that broke a rule. */
export function describeError(code: number, offset: number): Description {
  return { offset, error: errorName(code), code, rule: errorRule(code) };
}
