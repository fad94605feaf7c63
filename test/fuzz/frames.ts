// The fuzz run's own reading of a byte stream from a broker, written from the MQTT 3.1.1 text and not from
// the engine, so the engine can be judged against it:
// - Framer: where each packet starts and ends (fixed header, remaining length), and when a streaming
//   decoder with an RX buffer of a given size has said all it will about it;
// - classify(): what a client in session must do with one packet: go on, close the link, or either
//   (where the specification leaves it to the receiver), and what a PUBLISH carried.
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ,
  PINGRESP, DISCONNECT,
} from "../../firmware/mqtt/packet-types";

/** One packet as framed from the stream; `bytes` holds at most the RX buffer's worth of it. */
export interface Frame {
  /** Offset of its first byte in its connection's stream. */
  start: number;
  /** Stream offset at which a decoder with this RX size has reported it (delivered or refused). */
  eventAt: number;
  type: number;
  flags: number;
  /** Fixed header bytes (2-5); 5 for a remaining length that never ends. */
  headerLen: number;
  /** -1: the remaining length took more than four bytes [MQTT-2.2.3]. */
  rl: number;
  /** headerLen + rl (5 for a broken remaining length). */
  total: number;
  /** Larger than the RX buffer: read as far as it holds, the rest skipped. */
  oversize: boolean;
  /** The packet's bytes: all of it, or (oversize) the first rx bytes. */
  bytes: Uint8Array;
}

/**
 * Frames one connection's byte stream incrementally: push(chunk) -> the frames a decoder with an RX buffer
 * of `rx` bytes has reported by the end of that chunk, in order.
 */
export class Framer {
  private buf: number[] = [];
  private start = 0;
  private fed = 0;
  /** The frame being read, once its header is complete. */
  private cur: Frame | null = null;
  /** Bytes of an oversize frame still to skip. */
  private skip = 0;

  constructor(readonly rx: number) {}

  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      this.fed++;
      if (this.skip > 0) {
        if (--this.skip === 0) this.next();
        continue;
      }
      this.buf.push(b);
      if (this.cur === null) {
        this.header(out);
        continue;
      }
      const f = this.cur;
      const have = this.buf.length;
      if (!f.oversize && have === f.total) {
        f.bytes = Uint8Array.from(this.buf);
        out.push(f);
        this.next();
      } else if (f.oversize && have === this.rx) {
        f.bytes = Uint8Array.from(this.buf);
        out.push(f);
        this.skip = f.total - this.rx;
        this.buf = [];
        if (this.skip === 0) this.next();
      }
    }
    return out;
  }

  /** pending() -> bytes of an unfinished packet taken so far (as Decoder.pending() counts them). */
  pending(): number {
    if (this.skip > 0 && this.cur) return this.cur.total - this.skip;
    return this.buf.length;
  }

  // The header grew by one byte: is it complete, broken, or still growing?
  private header(out: Frame[]): void {
    const n = this.buf.length;
    if (n < 2) return;
    const last = this.buf[n - 1];
    if ((last & 0x80) !== 0) {
      if (n === 5) {
        // Four length bytes and a fifth would be needed: the stream has no framing left; the next byte
        // starts a new packet.
        out.push({
          start: this.start, eventAt: this.fed, type: this.buf[0] >> 4, flags: this.buf[0] & 15, headerLen: 5, rl: -1,
          total: 5, oversize: false, bytes: Uint8Array.from(this.buf),
        });
        this.next();
      }
      return;
    }
    let rl = 0;
    for (let k = n - 1; k >= 1; k--) rl = rl * 128 + (this.buf[k] & 0x7f);
    const total = n + rl;
    const f: Frame = {
      start: this.start, eventAt: 0, type: this.buf[0] >> 4, flags: this.buf[0] & 15, headerLen: n, rl, total,
      oversize: total > this.rx, bytes: new Uint8Array(0),
    };
    if (!f.oversize) {
      this.cur = f;
      f.eventAt = this.start + total;
      if (rl === 0) {
        f.bytes = Uint8Array.from(this.buf);
        out.push(f);
        this.next();
      }
      return;
    }
    if (f.type === PUBLISH) {
      // Read as far as the RX buffer holds (its topic and packet id come first), then skipped.
      this.cur = f;
      f.eventAt = this.start + this.rx;
      if (n === this.rx) {
        f.bytes = Uint8Array.from(this.buf);
        out.push(f);
        this.skip = rl;
        this.buf = [];
      }
      return;
    }
    // Any other packet too large to hold is refused at its header and skipped.
    f.eventAt = this.fed;
    f.bytes = Uint8Array.from(this.buf);
    out.push(f);
    this.cur = f;
    this.skip = rl;
    this.buf = [];
    if (rl === 0) this.next();
  }

  private next(): void {
    this.cur = null;
    this.buf = [];
    this.skip = 0;
    this.start = this.fed;
  }
}

// ---------------------------------------------------------------------------------------------------
// What a client in session does with a packet from the server.

export const ALIVE = 0;
export const KILL = 1;
/** The specification lets the receiver choose (a MAY), or the rule is the engine's to make. */
export const EITHER = 2;

export interface PublishInfo {
  qos: number;
  dup: boolean;
  retain: boolean;
  packetId: number;
  topic: Uint8Array;
  /** The whole payload, or null when the packet was larger than the RX buffer. */
  payload: Uint8Array | null;
}

export interface Verdict {
  link: number;
  /** Why the link must close (the rule), for reports. */
  why: string;
  /** A PUBLISH the client hands to its application (link not KILL). */
  publish: PublishInfo | null;
  /** The packet id of a PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK or UNSUBACK that the client takes. */
  ackId: number;
}

export interface ClientRules {
  /** The highest QoS the client subscribed with: a QoS 2 PUBLISH above it is a protocol error. */
  maxQos: number;
}

const kill = (why: string): Verdict => ({ link: KILL, why, publish: null, ackId: 0 });
const alive = (ackId = 0): Verdict => ({ link: ALIVE, why: "", publish: null, ackId });

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];

/** classify(frame, rules) -> what a client in session (CONNACK accepted) must do with this packet. */
export function classify(f: Frame, rules: ClientRules): Verdict {
  if (f.rl < 0) return kill("remaining length over four bytes [MQTT-2.2.3]");
  if (f.type === PUBLISH) return classifyPublish(f, rules);
  if (f.oversize) return kill("a packet larger than the receive buffer that cannot be read in part");
  const b = f.bytes;
  const h = f.headerLen;
  switch (f.type) {
    case PUBACK: case PUBREC: case PUBCOMP: case UNSUBACK: case PUBREL: {
      if (f.flags !== (f.type === PUBREL ? 2 : 0)) return kill("reserved header flags [MQTT-2.2.2-2]");
      if (f.rl !== 2) return kill("an acknowledgement's remaining length is 2");
      const id = u16(b, h);
      return id === 0 ? kill("packet identifier 0 [MQTT-2.3.1-1]") : alive(id);
    }
    case SUBACK: {
      if (f.flags !== 0) return kill("reserved header flags [MQTT-2.2.2-2]");
      if (f.rl < 3) return kill("SUBACK without a return code");
      const id = u16(b, h);
      if (id === 0) return kill("packet identifier 0 [MQTT-2.3.1-1]");
      for (let i = h + 2; i < f.total; i++) {
        const c = b[i];
        if (c !== 0 && c !== 1 && c !== 2 && c !== 0x80) return kill("SUBACK return code [MQTT-3.9.3-2]");
      }
      return alive(id);
    }
    case PINGRESP:
      if (f.flags !== 0) return kill("reserved header flags [MQTT-2.2.2-2]");
      return f.rl === 0 ? alive() : kill("PINGRESP has no body");
    case CONNACK:
      return kill("a second CONNACK [MQTT-3.2.0-1]");
    case CONNECT: case SUBSCRIBE: case UNSUBSCRIBE: case PINGREQ: case DISCONNECT:
      return kill("a packet only a server receives");
    default:
      return kill("reserved packet type");
  }
}

function classifyPublish(f: Frame, rules: ClientRules): Verdict {
  const b = f.bytes;
  const h = f.headerLen;
  const qos = (f.flags >> 1) & 3;
  const dup = (f.flags & 8) !== 0;
  if (qos === 3) return kill("PUBLISH QoS 3 [MQTT-3.3.1-4]");
  if (qos === 0 && dup) return kill("DUP on QoS 0 [MQTT-3.3.1-2]");
  const idLen = qos > 0 ? 2 : 0;
  if (f.oversize) {
    // Only what the RX buffer holds can be read: without its topic and packet id it cannot be
    // acknowledged, which a QoS 0 message does not need.
    if (h + 2 > b.length || h + 2 + u16(b, h) + idLen > b.length) {
      return qos > 0 ? kill("an oversize QoS 1/2 PUBLISH whose packet id is past the buffer") : alive();
    }
  }
  if (f.rl < 2) return kill("PUBLISH without a topic length");
  const tl = u16(b, h);
  if (2 + tl + idLen > f.rl) return kill("PUBLISH fields run past its length");
  const topic = b.subarray(h + 2, h + 2 + tl);
  const packetId = qos > 0 ? u16(b, h + 2 + tl) : 0;
  if (qos > 0 && packetId === 0) return kill("packet identifier 0 [MQTT-2.3.1-1]");
  const t = topicValidity(topic);
  if (t === KILL) return kill("topic name: empty, a wildcard, U+0000 or ill-formed UTF-8 [MQTT-4.7.3-1] [MQTT-3.3.2-2] [MQTT-1.5.3-1]");
  if (qos > rules.maxQos) return kill("QoS above every subscription's [MQTT-3.8.4-6]");
  const payload = f.oversize ? null : b.subarray(h + 2 + tl + idLen, f.total);
  return {
    link: t === EITHER ? EITHER : ALIVE, why: "", ackId: 0,
    publish: { qos, dup, retain: (f.flags & 1) !== 0, packetId, topic, payload },
  };
}

/**
 * topicValidity(bytes) -> ALIVE for a good topic name; KILL where MQTT says MUST (empty, '+' or '#', U+0000,
 * ill-formed UTF-8: a bad sequence, an overlong form, a surrogate, above U+10FFFF); EITHER where it says
 * MAY (control characters U+0001-U+001F and U+007F-U+009F, non-characters) [MQTT-1.5.3].
 */
export function topicValidity(t: Uint8Array): number {
  if (t.length === 0) return KILL;
  let result = ALIVE;
  for (let i = 0; i < t.length;) {
    const b = t[i];
    if (b === 0 || b === 0x2b || b === 0x23) return KILL;
    if (b < 0x80) {
      if (b < 0x20 || b === 0x7f) result = EITHER;
      i++;
      continue;
    }
    // A lead byte and its continuation bytes; 0x80-0xBF cannot lead, 0xF5-0xFF never occur.
    const n = b > 0xf4 ? -1 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (n < 0 || i + n >= t.length) return KILL;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = t[i + k];
      if ((c & 0xc0) !== 0x80) return KILL;
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return KILL;
    if (cp <= 0x9f || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) result = EITHER;
    i += n + 1;
  }
  return result;
}

const TYPE_NAMES = ["RESERVED0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK",
  "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "RESERVED15"];

/** describeFrame(f, v) -> `PUBLISH q1 #7 dup "a/b" "ON\x0b"`: what a report shows of a packet (bytes outside ASCII as \xHH). */
export function describeFrame(f: Frame, v: Verdict): string {
  const text = (b: Uint8Array) => {
    let t = "";
    for (const c of b.subarray(0, 40)) t += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : "\\x" + c.toString(16).padStart(2, "0");
    return `"${t}"${b.length > 40 ? "..." : ""}`;
  };
  let s = TYPE_NAMES[f.type] + (f.oversize ? ` (${f.total} bytes, oversize)` : "");
  const p = v.publish;
  if (p) s += ` q${p.qos}${p.qos > 0 ? " #" + p.packetId : ""}${p.dup ? " dup" : ""}${p.retain ? " retain" : ""} ${text(p.topic)} ${p.payload ? text(p.payload) : "(payload skipped)"}`;
  else if (v.ackId > 0) s += " #" + v.ackId;
  return s + (v.link === KILL ? ` (must close: ${v.why})` : v.link === EITHER ? " (may close)" : "");
}
