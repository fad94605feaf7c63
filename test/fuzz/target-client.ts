// Fuzz target "client": the MQTT client alone on the fake transport and clock, connected with two
// subscriptions (QoS 1 and QoS 2) and four messages of its own in flight (QoS 1 and 2), so that mutated
// acknowledgements meet real slots. Besides what every connected target is checked for (connected.ts), a
// data event must not make it acknowledge what it was not sent (a PUBACK, PUBREC or PUBCOMP for a packet
// id no PUBLISH or PUBREL of this connection carried), deliver a QoS 2 message twice before its PUBREL
// [MQTT-4.3.3-2], hand over a message view outside its buffer, or give a message to a subscription whose
// filter its topic does not match.
import { MqttClient, type ClientEvents } from "../../firmware/mqtt/client";
import type { Packet } from "../../firmware/mqtt/packet";
import { setNatives, portableNatives } from "../../firmware/mqtt/bytes";
import { SUB_ACTIVE, SUB_PENDING } from "../../firmware/mqtt/states";
import { utf8Bytes, PUBREL } from "../../firmware/mqtt";
import { FakeClock, FakeTransport } from "../support/fake-transport";
import { stringNatives } from "../support/natives";
import { ConnectedRun } from "./connected";
import { KILL, type Frame, type Verdict } from "./frames";
import { RelayOracle } from "./relay-oracle";
import { publish, suback, pingresp, type Stream, type Vocabulary } from "./streams";
import type { StreamResult } from "./report";

const TICK_MS = 100;
const FILTERS: Array<[string, number]> = [["a/+", 1], ["c/#", 2]];
const PROBE_ID0 = 60001;

/** What the client's streams talk about: its subscriptions' topics, others, ids of its own flows. */
export function clientVocabulary(): Vocabulary {
  return {
    topics: ["a/b", "a/x", "c", "c/d/e", "c/"],
    otherTopics: ["x/y", "a/b/c", "a", "A/b", "/a/b", "$SYS/a/b", "b/a", "a/\u00e9", "a/b\u0001"],
    payloads: ["hello", "", "1", "{\"v\":1}", "ON"],
    idPool: 12,
    weights: [45, 35, 12, 8],
  };
}

/** Whether a topic matches a filter of FILTERS ('+' one level, '#' the rest), as MQTT 4.7 says. */
function matches(topic: string, filter: string): boolean {
  if (topic.startsWith("$")) return false;
  const t = topic.split("/");
  const f = filter.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return t.length === f.length;
}

/** runClientStream(stream) -> what the client did wrong with it. */
export function runClientStream(stream: Stream): StreamResult {
  setNatives(stream.strings ? stringNatives : portableNatives);
  try {
    return new ClientRun(stream).run();
  } finally {
    setNatives(portableNatives);
  }
}

interface Delivered {
  qos: number;
  id: number;
}

/** The fuzzed client's keep alive. */
const KEEP_ALIVE_SEC = 30;

class ClientRun extends ConnectedRun implements ClientEvents {
  private readonly clock = new FakeClock(10_000);
  private readonly mqtt: MqttClient;
  private readonly delivered: Delivered[] = [];
  private answered = 0;
  private sentMark = 0;
  private sessions = 0;
  private probeId = PROBE_ID0;
  /** This connection's packet ids: QoS 1 and QoS 2 PUBLISH, PUBREL. */
  private q1 = new Set<number>();
  private q2 = new Set<number>();
  private rel = new Set<number>();
  /** This session's QoS 2 deliveries and PUBRELs by packet id. */
  private q2Delivered = new Map<number, number>();
  private q2Released = new Map<number, number>();

  constructor(stream: Stream) {
    const transport = new FakeTransport();
    super(stream, transport, new RelayOracle([], { setTopics: [], maxPayload: 0, acceptRetained: false }, 0), "client");
    this.mqtt = new MqttClient({
      // At least what the probe (a 14-byte PUBLISH) needs.
      clientId: "fuzz", keepAliveSec: KEEP_ALIVE_SEC, maxQos: 2, inflight: 4, rxBytes: Math.max(16, stream.rx), maxPacketBytes: 512, subscriptions: 4,
      random: () => 0,
    }, transport, this.clock, this);
  }

  // ---- ClientEvents ----

  onMessage(sub: number, p: Packet): void {
    this.took(sub, p, p.payloadLen);
  }

  onOversize(sub: number, p: Packet): void {
    this.took(sub, p, Math.min(p.payloadLen, p.buf.length - p.payloadOff));
  }

  private took(sub: number, p: Packet, inBuffer: number): void {
    const b = p.buf;
    if (!(p.topicOff >= 0 && p.topicOff + p.topicLen <= b.length && p.payloadOff >= 0 && p.payloadOff + inBuffer <= b.length)) {
      this.forbidden(`a message view outside its ${b.length}-byte buffer: topic [${p.topicOff}, +${p.topicLen}), payload [${p.payloadOff}, +${p.payloadLen})`);
      return;
    }
    const topic = Buffer.from(b.subarray(p.topicOff, p.topicOff + p.topicLen)).toString("utf8");
    // The first subscription that delivers (granted, or awaiting its SUBACK) and whose filter matches.
    const s = this.mqtt.subs;
    const want = FILTERS.findIndex(([f], i) =>
      ((s.state[i] === SUB_ACTIVE && s.granted[i] !== 0x80) || s.state[i] === SUB_PENDING) && matches(topic, f));
    if (sub !== want) this.forbidden(`message on "${topic}" went to subscription ${sub}, not ${want}`);
    this.delivered.push({ qos: p.qos, id: p.packetId });
  }

  // ---- ConnectedRun ----

  protected client(): MqttClient {
    return this.mqtt;
  }

  protected deliver(chunk: Uint8Array): void {
    this.sentMark = this.transport.sent.length;
    this.delivered.length = 0;
    this.transport.deliver(chunk);
  }

  protected start(): void {
    this.mqtt.start();
  }

  protected sessionBegan(): void {
    this.q1 = new Set();
    this.q2 = new Set();
    this.rel = new Set();
    this.q2Delivered = new Map();
    this.q2Released = new Map();
    if (this.sessions++ > 0) return;
    // Once: the subscriptions (made again by the client after each reconnect) and four messages in flight.
    this.mqtt.subscribeAll(FILTERS.map(([f]) => utf8Bytes(f)), FILTERS.map(([, q]) => q));
    for (const qos of [1, 1, 2, 2]) {
      const payload = utf8Bytes("m");
      this.mqtt.publish(utf8Bytes("up/" + qos), payload, 0, payload.length, qos, false);
    }
  }

  protected runFor(ms: number): void {
    for (let t = 0; t < ms; t += TICK_MS) {
      this.clock.advance(TICK_MS);
      this.mqtt.tick();
      this.respond();
    }
  }

  protected runUntilOpening(maxMs: number): void {
    for (let t = 0; !this.transport.pending; t += TICK_MS) {
      if (t >= maxMs) throw new Error(`no new connection within ${maxMs} ms`);
      this.runFor(TICK_MS);
    }
  }

  /** SUBACK for each SUBSCRIBE and PINGRESP for each PINGREQ; its own messages stay unacknowledged. */
  protected respond(): void {
    const sent = this.transport.sent;
    while (this.answered < sent.length) {
      const p = sent[this.answered++];
      if (!this.transport.isOpen) continue;
      if (p.type === "SUBSCRIBE") this.onData(suback(p.packetId, p.filters.map((f: { qos: number }) => f.qos)));
      else if (p.type === "PINGREQ") this.onData(pingresp());
    }
  }

  protected keepAliveMs(): number {
    return KEEP_ALIVE_SEC * 1000;
  }

  protected probePackets(): Uint8Array[] {
    return [publish({ qos: 1, id: this.probeId++, topic: utf8Bytes("a/b"), payload: utf8Bytes("probe") })];
  }

  protected probeTaken(sentBefore: number): boolean {
    const id = this.probeId - 1;
    return this.transport.sent.slice(sentBefore).some((p) => p.type === "PUBACK" && p.packetId === id);
  }

  protected bits(): number {
    return 0;
  }

  protected retainedRoot(): { root: object; boundary: object[] } {
    return { root: this.mqtt, boundary: [this.transport, this.clock, this] };
  }

  protected checkEvent(frames: Frame[], verdicts: Verdict[]): void {
    // The field the device reads on every command in place of isConnected() must never disagree with it.
    if ((this.mqtt.ready === 1) !== this.mqtt.isConnected()) {
      this.forbidden(`ready is ${this.mqtt.ready} while isConnected() is ${this.mqtt.isConnected()}`);
    }
    for (let k = 0; k < frames.length; k++) {
      const v = verdicts[k];
      if (v.link === KILL) continue;
      if (v.publish !== null && v.publish.qos === 1) this.q1.add(v.publish.packetId);
      if (v.publish !== null && v.publish.qos === 2) this.q2.add(v.publish.packetId);
      if (frames[k].type === PUBREL) {
        this.rel.add(v.ackId);
        this.q2Released.set(v.ackId, (this.q2Released.get(v.ackId) ?? 0) + 1);
      }
    }
    for (const p of this.transport.sent.slice(this.sentMark)) {
      const ok = p.type === "PUBACK" ? this.q1.has(p.packetId) : p.type === "PUBREC" ? this.q2.has(p.packetId)
        : p.type === "PUBCOMP" ? this.rel.has(p.packetId) : true;
      if (!ok) this.forbidden(`${p.type} for packet id ${p.packetId}, which no packet of this connection carried`);
    }
    for (const d of this.delivered) {
      if (d.qos !== 2) continue;
      const n = (this.q2Delivered.get(d.id) ?? 0) + 1;
      this.q2Delivered.set(d.id, n);
      if (n > 1 + (this.q2Released.get(d.id) ?? 0)) this.forbidden(`QoS 2 message ${d.id} delivered ${n} times before its PUBREL [MQTT-4.3.3-2]`);
    }
    this.delivered.length = 0;
  }
}
