// Runs INSIDE the Espruino interpreter (bundled by test/espruino/interpreter.test.ts): the codec and the
// client on the real runtime. Cases come from Node at bundle time (__CASES__), so both interpreters must
// agree byte for byte and code for code. Written for Espruino: ES5 only, no Node APIs.
import { Decoder, PacketSink } from "../../firmware/mqtt/decoder";
import { Packet, entryLength, nextEntry } from "../../firmware/mqtt/packet";
import {
  connectOptions, encodeConnect, encodeConnack, encodePublish, encodeAck, encodeEmpty, encodeSubscribe,
  encodeUnsubscribe, encodeSuback,
} from "../../firmware/mqtt/encode";
import {
  CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT,
} from "../../firmware/mqtt/packet-types";
import { setByteCopy, nativeCopy, setNatives, loopAscii } from "../../firmware/mqtt/bytes";
import { filterMatcher } from "../../firmware/mqtt/topic";
import { parseCommandText } from "../../firmware/device/command";
import { espruinoNatives } from "../../firmware/espruino/natives";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import { MqttClient } from "../../firmware/mqtt/client";
import type { Transport, TransportEvents } from "../../firmware/platform";
import { writeAckBytes } from "../../firmware/platform";

declare const __CASES__: string;
/** [filter, topic, matches], filter and topic as 8-bit strings of their UTF-8 bytes. */
declare const __MATCHES__: string;
/** [payload as an 8-bit string, parseCommand's result in Node]. */
declare const __COMMANDS__: string;
declare function quit(): void;

interface Case { name: string; hex: string; code: number }

let pass = 0;
let fail = 0;
function report(ok: boolean, name: string, detail: string): void {
  if (ok) pass++;
  else fail++;
  console.log("SELFTEST " + (ok ? "ok " : "FAIL ") + name + (ok ? "" : ": " + detail));
}

function fromHex(hex: string): Uint8Array {
  const parts = hex.split(" ");
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = parseInt(parts[i], 16);
  return out;
}

function toHex(b: Uint8Array, off: number, end: number): string {
  let s = "";
  for (let i = off; i < end; i++) s += (i > off ? " " : "") + (b[i] < 16 ? "0" : "") + b[i].toString(16).toUpperCase();
  return s;
}

// Not p.buf.slice(): on Espruino a typed array's slice returns a plain Array.
function copy(p: Packet, off: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(p.buf.subarray(off, off + len), 0);
  return out;
}

// Encodes the packet the view describes again, with our encoders.
function reencode(p: Packet, out: Uint8Array): number {
  const t = p.type;
  if (t === CONNECT) {
    const o = connectOptions();
    o.protocolLevel = p.protocolLevel;
    o.cleanSession = p.cleanSession;
    o.keepAlive = p.keepAlive;
    o.clientId = copy(p, p.clientIdOff, p.clientIdLen);
    if (p.willFlag) {
      o.willTopic = copy(p, p.topicOff, p.topicLen);
      o.willPayload = copy(p, p.payloadOff, p.payloadLen);
      o.willQos = p.qos;
      o.willRetain = p.retain;
    }
    if (p.usernameOff >= 0) o.username = copy(p, p.usernameOff, p.usernameLen);
    if (p.passwordOff >= 0) o.password = copy(p, p.passwordOff, p.passwordLen);
    return encodeConnect(out, 0, o);
  }
  if (t === CONNACK) return encodeConnack(out, 0, p.sessionPresent, p.returnCode);
  if (t === PUBLISH) {
    return encodePublish(out, 0, p.qos, p.retain, p.dup, p.packetId, p.buf, p.topicOff, p.topicLen, p.buf, p.payloadOff, p.payloadLen);
  }
  if (t === PUBACK || t === PUBREC || t === PUBREL || t === PUBCOMP || t === UNSUBACK) return encodeAck(out, 0, t, p.packetId);
  if (t === PINGREQ || t === PINGRESP || t === DISCONNECT) return encodeEmpty(out, 0, t);
  if (t === SUBACK) {
    const codes: number[] = [];
    for (let i = 0; i < p.count; i++) codes.push(p.buf[p.listOff + i]);
    return encodeSuback(out, 0, p.packetId, codes, 0, codes.length);
  }
  const filters: Uint8Array[] = [];
  const qos: number[] = [];
  for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) {
    const len = entryLength(p, pos);
    filters.push(copy(p, pos + 2, len));
    if (t === SUBSCRIBE) qos.push(p.buf[pos + 2 + len]);
  }
  if (t === SUBSCRIBE) return encodeSubscribe(out, 0, p.packetId, filters, qos, 0, filters.length);
  if (t === UNSUBSCRIBE) return encodeUnsubscribe(out, 0, p.packetId, filters, 0, filters.length);
  return -999;
}

function codecCases(cases: Case[]): void {
  const out = new Uint8Array(1024);
  let code = 0;
  let got = "";
  const sink: PacketSink = {
    onPacket: function (p: Packet) {
      code = 0;
      const n = reencode(p, out);
      got = n < 0 ? "encode error " + n : toHex(out, 0, n);
    },
    onDecodeError: function (c: number) {
      if (code === 0 && got === "") code = c;
    },
  };
  const d = new Decoder(1024, sink);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const bytes = fromHex(c.hex);
    code = 0;
    got = "";
    d.reset();
    d.feed(bytes, 0, bytes.length);
    if (c.code === 0) report(got === c.hex, c.name, "re-encoded " + got);
    else report(code === c.code, c.name, "code " + code + ", expected " + c.code);
    // The same bytes one at a time must give the same outcome.
    const first = got + "/" + code;
    code = 0;
    got = "";
    d.reset();
    for (let k = 0; k < bytes.length; k++) d.feed(bytes, k, 1);
    report(got + "/" + code === first, c.name + " (byte by byte)", got + "/" + code + " vs " + first);
  }
}

// A transport whose broker side is this script: it answers CONNECT, SUBSCRIBE and QoS 1 PUBLISH.
function clientRun(): void {
  const reply = new Uint8Array(256);
  let lastSent = -1;
  let ev: TransportEvents | null = null;
  const transport: Transport = {
    open: function (events: TransportEvents) {
      ev = events;
      events.onOpen();
    },
    writeAck: function (first: number, id: number) {
      return writeAckBytes(transport, first, id);
    },
    write: function (buf: Uint8Array, off: number) {
      const type = buf[off] >> 4;
      lastSent = type;
      const e = ev as TransportEvents;
      if (type === CONNECT) e.onData(reply, 0, encodeConnack(reply, 0, false, 0));
      else if (type === SUBSCRIBE) e.onData(reply, 0, encodeSuback(reply, 0, (buf[off + 2] << 8) | buf[off + 3], [1], 0, 1));
      else if (type === PUBLISH && (buf[off] & 6) === 2) {
        // The packet id follows the topic: 1 header byte + 1 length byte for these small packets.
        const tl = (buf[off + 2] << 8) | buf[off + 3];
        const id = (buf[off + 4 + tl] << 8) | buf[off + 5 + tl];
        e.onData(reply, 0, encodeAck(reply, 0, PUBACK, id));
      }
      return true;
    },
    close: function () {
      if (ev) ev.onClose(0);
    },
  };
  let now = 0;
  let published = 0;
  let messages = 0;
  const client = new MqttClient({ clientId: "espruino-selftest", keepAliveSec: 30 }, transport, { now: function () { return now; } }, {
    onPublished: function () { published++; },
    onMessage: function () { messages++; },
  });
  const topic = utf8Bytes("devices/esp32-01/sensor/light/stat");
  const payload = utf8Bytes("{\"v\":12.5,\"unit\":\"%\",\"t\":123456789}xx");
  const incoming = new Uint8Array(128);
  const inLen = encodePublish(incoming, 0, 1, false, false, 7, topic, 0, topic.length, payload, 0, payload.length);
  client.subscribe(utf8Bytes("devices/+/sensor/#"), 1);
  client.start();
  report(client.isConnected(), "client connects", "state " + client.state);
  const cycle = function () {
    client.publish(topic, payload, 0, payload.length, 1, false);
    (ev as TransportEvents).onData(incoming, 0, inLen);
    now += 10;
    client.tick();
  };
  const mem = (process as unknown as { memory(): { usage: number } }).memory;
  const n = 200;
  const windows = 5;
  // Every variable exists before the first reading, so only the client can change the count.
  const usage = new Uint16Array(windows + 1);
  let i = 0;
  let w = 0;
  let t0 = 0.5;
  let dt = 0.5;
  for (i = 0; i < 20; i++) cycle();
  usage[0] = mem().usage;
  t0 = getTime();
  for (w = 1; w <= windows; w++) {
    for (i = 0; i < n; i++) cycle();
    usage[w] = mem().usage;
  }
  dt = getTime() - t0;
  const total = n * windows + 20;
  report(published === total && messages === total, "client QoS 1 both ways", published + " published, " + messages + " received");
  // A per-cycle leak shows as >= n JsVars a window. Counters growing past Espruino's inline-int range
  // take a var each, once: a handful in all.
  let worst = 0;
  for (w = 1; w <= windows; w++) if (usage[w] - usage[w - 1] > worst) worst = usage[w] - usage[w - 1];
  let list = "";
  for (w = 0; w <= windows; w++) list += (w > 0 ? " " : "") + usage[w];
  report(worst <= 4 && usage[windows] - usage[0] <= 10, "client steady state does not grow memory (JsVars in use every " + n + " cycles: " + list + ")", "leak");
  console.log("SELFTEST info client cycle (publish QoS 1 + PUBACK + receive QoS 1 + PUBACK) " + Math.round(dt / (n * windows) * 1e6) + " us");
  client.stop();
  report(lastSent === DISCONNECT, "client stop sends DISCONNECT", "last packet type " + lastSent);
}

function codecSpeed(): void {
  const topic = utf8Bytes("devices/esp32-01/sensor/light/stat");
  const payload = utf8Bytes("{\"v\":12.5,\"unit\":\"%\",\"t\":123456789}xx");
  const tx = new Uint8Array(256);
  let ids = 0;
  const d = new Decoder(256, { onPacket: function (p: Packet) { ids += p.packetId; }, onDecodeError: function () { ids = -1; } });
  const n = 200;
  const t0 = getTime();
  for (let i = 1; i <= n; i++) {
    const e = encodePublish(tx, 0, 1, false, false, i, topic, 0, topic.length, payload, 0, payload.length);
    d.feed(tx, 0, e);
  }
  const dt = getTime() - t0;
  report(ids === (n * (n + 1)) / 2, "codec encode+decode loop", "ids " + ids);
  console.log("SELFTEST info codec encode+decode QoS 1 PUBLISH " + Math.round(dt / n * 1e6) + " us");
}

// Filters as the client matches received topics where strings are native: one RegExp (or string) each,
// built only from forms Espruino's regex engine handles; the verdicts come from Node's byte matcher.
function matcherCases(): void {
  const cases = JSON.parse(__MATCHES__) as [string, string, boolean][];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const m = filterMatcher(c[0]);
    const got = typeof m === "string" ? m === c[1] : m.test(c[1]);
    report(got === c[2], "filter " + c[0] + " vs " + c[1], "matched " + got);
  }
}

function commandCases(): void {
  const cases = JSON.parse(__COMMANDS__) as [string, number][];
  for (let i = 0; i < cases.length; i++) {
    const got = parseCommandText(cases[i][0]);
    report(got === cases[i][1], "command " + JSON.stringify(cases[i][0]), "parsed " + got);
  }
}

// The native ascii() writes what the portable loop writes: a text that fits, 8-bit characters, and one
// that does not fit (cut where the buffer ends, as the loop leaves it) instead of set()'s RangeError.
function asciiCases(): void {
  const texts = ["{\"uptime\":", "\xe9\xff\x00A", "0123456789"];
  for (let i = 0; i < texts.length; i++) {
    const a = new Uint8Array(8);
    const b = new Uint8Array(8);
    const endA = espruinoNatives.ascii(a, 1, texts[i]);
    const endB = loopAscii(b, 1, texts[i]);
    report(endA === endB && a.join(",") === b.join(","), "ascii " + JSON.stringify(texts[i]), a.join(",") + " end " + endA + " vs " + b.join(",") + " end " + endB);
  }
}

function main(): void {
  const cases = JSON.parse(__CASES__) as Case[];
  codecCases(cases);
  codecSpeed();
  // What the board's main does: native bulk copies instead of byte loops...
  setByteCopy(nativeCopy);
  codecCases(cases);
  clientRun();
  // ...and received topics screened and matched as strings: every vector must decode the same. (The
  // client on string natives runs in the firmware's own interpreter test: a second client here would
  // not fit beside the first in 16,383 JsVars.)
  setNatives(espruinoNatives);
  codecCases(cases);
  matcherCases();
  commandCases();
  asciiCases();
  console.log("SELFTEST DONE pass=" + pass + " fail=" + fail);
}

try {
  main();
} catch (e) {
  console.log("SELFTEST FAIL exception: " + e);
  console.log("SELFTEST DONE pass=" + pass + " fail=" + (fail + 1));
}
if (typeof quit === "function") quit();
