// Child process of alloc.test.ts: the codec's hot paths, each a phase of the allocation harness
// (test/support/alloc-harness.ts: GC events and young-generation bytes in the window). Prints one JSON line.
// Run through runAllocChild("test/mqtt/alloc-child.ts", [divisor]).
import { measurePhases, printReport } from "../support/alloc-harness";
import mqttPacket from "mqtt-packet";
import { Decoder, type PacketSink } from "../../firmware/mqtt/decoder";
import { Packet, entryLength, nextEntry } from "../../firmware/mqtt/packet";
import { encodePublish, encodeAck, encodeSubscribe } from "../../firmware/mqtt/encode";
import { topicMatches } from "../../firmware/mqtt/topic";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import { PUBLISH, PUBACK, SUBSCRIBE } from "../../firmware/mqtt/packet-types";
import { TOPIC, PAYLOAD_LEN, payloadByte, CYCLES, MASK, MATCH_PAIRS, SUB_FILTERS } from "./alloc-shared";

// ---- Everything is created once, here. ----
const topic = utf8Bytes(TOPIC);
if (topic.length !== 34) throw new Error("topic must be 34 bytes");
const payload = new Uint8Array(PAYLOAD_LEN);
for (let k = 0; k < PAYLOAD_LEN; k++) payload[k] = payloadByte(k);
const out = new Uint8Array(256);

class PublishSink implements PacketSink {
  expectId = 0;
  sum = 0;
  bad = 0;
  onPacket(p: Packet): void {
    if (p.type !== PUBLISH || p.packetId !== this.expectId || p.payloadLen !== PAYLOAD_LEN) this.bad++;
    const b = p.buf;
    let s = 0;
    for (let i = p.payloadOff, e = p.payloadOff + p.payloadLen; i < e; i++) s += b[i];
    this.sum = (this.sum + s) & MASK;
  }
  onDecodeError(): void {
    this.bad++;
  }
}
class AckSink implements PacketSink {
  expectId = 0;
  sum = 0;
  bad = 0;
  onPacket(p: Packet): void {
    if (p.type !== PUBACK || p.packetId !== this.expectId) this.bad++;
    this.sum = (this.sum + p.packetId) & MASK;
  }
  onDecodeError(): void {
    this.bad++;
  }
}
class SubscribeSink implements PacketSink {
  sum = 0;
  bad = 0;
  onPacket(p: Packet): void {
    if (p.type !== SUBSCRIBE || p.count !== SUB_FILTERS.length) this.bad++;
    let s = 0;
    for (let pos = p.listOff; pos < p.listEnd; pos = nextEntry(p, pos)) {
      const n = entryLength(p, pos);
      s += n + p.buf[pos + 2 + n];
    }
    this.sum = (this.sum + s) & MASK;
  }
  onDecodeError(): void {
    this.bad++;
  }
}

const pubSink = new PublishSink();
const pubDec = new Decoder(256, pubSink);
const splitSink = new PublishSink();
const splitDec = new Decoder(256, splitSink);
const ackSink = new AckSink();
const ackDec = new Decoder(64, ackSink);
const subSink = new SubscribeSink();
const subDec = new Decoder(256, subSink);

const mtTopics = MATCH_PAIRS.map((x) => utf8Bytes(x[0]));
const mtFilters = MATCH_PAIRS.map((x) => utf8Bytes(x[1]));
const mtExpect = MATCH_PAIRS.map((x) => x[2]);
const mtState = { bad: 0 };

const subFilters = SUB_FILTERS.map((x) => utf8Bytes(x[0]));
const subQos = SUB_FILTERS.map((x) => x[1]);
const subBytes = new Uint8Array(128);
const subLen = encodeSubscribe(subBytes, 0, 77, subFilters, subQos, 0, subFilters.length);
if (subLen < 0) throw new Error("encodeSubscribe " + subLen);

// ---- The loops. Each returns its checksum; `bad` counters must stay 0. ----
function runPublish(n: number): number {
  pubSink.sum = 0;
  let id = 0;
  for (let i = 0; i < n; i++) {
    id = id === 65535 ? 1 : id + 1;
    payload[0] = i & 0xff;
    pubSink.expectId = id;
    const end = encodePublish(out, 0, 1, false, false, id, topic, 0, topic.length, payload, 0, PAYLOAD_LEN);
    if (end < 0) pubSink.bad++;
    else pubDec.feed(out, 0, end);
  }
  return pubSink.sum;
}

// The same, but every packet arrives in two chunks, so it is reassembled in the decoder's rx buffer.
function runPublishSplit(n: number): number {
  splitSink.sum = 0;
  let id = 0;
  for (let i = 0; i < n; i++) {
    id = id === 65535 ? 1 : id + 1;
    payload[0] = i & 0xff;
    splitSink.expectId = id;
    const end = encodePublish(out, 0, 1, false, false, id, topic, 0, topic.length, payload, 0, PAYLOAD_LEN);
    if (end < 0) splitSink.bad++;
    else {
      splitDec.feed(out, 0, 10);
      splitDec.feed(out, 10, end - 10);
    }
  }
  return splitSink.sum;
}

function runPuback(n: number): number {
  ackSink.sum = 0;
  let id = 0;
  for (let i = 0; i < n; i++) {
    id = id === 65535 ? 1 : id + 1;
    ackSink.expectId = id;
    const end = encodeAck(out, 100, PUBACK, id);
    if (end < 0) ackSink.bad++;
    else ackDec.feed(out, 100, end - 100);
  }
  return ackSink.sum;
}

function runTopicMatches(n: number): number {
  let sum = 0;
  const len = mtTopics.length;
  for (let i = 0, k = 0; i < n; i++) {
    const t = mtTopics[k];
    const f = mtFilters[k];
    const m = topicMatches(t, 0, t.length, f, 0, f.length);
    if (m !== mtExpect[k]) mtState.bad++;
    if (m) sum++;
    if (++k === len) k = 0;
  }
  return sum;
}

function runSubscribe(n: number): number {
  subSink.sum = 0;
  for (let i = 0; i < n; i++) subDec.feed(subBytes, 0, subLen);
  return subSink.sum;
}

// The control: mqtt-packet allocates objects and Buffers for every packet, so GC must show up.
const mpPayload = Buffer.from(payload);
const mpParser = mqttPacket.parser({ protocolVersion: 4 });
const mpState = { sum: 0, bad: 0 };
mpParser.on("packet", (p: any) => {
  mpState.sum = (mpState.sum + p.payload.length) & MASK;
});
mpParser.on("error", () => {
  mpState.bad++;
});
function runControl(n: number): number {
  mpState.sum = 0;
  for (let i = 0; i < n; i++) {
    const bytes = mqttPacket.generate({ cmd: "publish", topic: TOPIC, payload: mpPayload, qos: 1, messageId: (i % 65535) + 1, dup: false, retain: false });
    mpParser.parse(bytes);
  }
  return mpState.sum;
}

// ---- Measurement: each loop is a phase of the shared allocation harness. ----
// argv[2]: a divisor of every cycle count (slow variants measure fewer cycles; bytes need no more).
const div = Number(process.argv[2] ?? 1);
measurePhases([
  { name: "publish", ops: CYCLES.publish / div, run: runPublish, counters: () => ({ bad: pubSink.bad }) },
  { name: "publishSplit", ops: CYCLES.publishSplit / div, run: runPublishSplit, counters: () => ({ bad: splitSink.bad }) },
  { name: "puback", ops: CYCLES.puback / div, run: runPuback, counters: () => ({ bad: ackSink.bad }) },
  { name: "topicMatches", ops: CYCLES.topicMatches / div, run: runTopicMatches, counters: () => ({ bad: mtState.bad }) },
  { name: "subscribe", ops: CYCLES.subscribe / div, run: runSubscribe, counters: () => ({ bad: subSink.bad }) },
  // Last: warmed up like the others, then measured the same way; it must show GC.
  { name: "control", ops: CYCLES.control / div, run: runControl, counters: () => ({ bad: mpState.bad }), warmupCalls: Math.ceil(40 / div) },
], { warmupCalls: Math.ceil(300 / div) }).then((report) => {
  // Warm-up mistakes count too: every bad counter must stay 0 over the whole run.
  const warmBad = pubSink.bad + splitSink.bad + ackSink.bad + mtState.bad + subSink.bad + mpState.bad;
  printReport({ ...report, bad: warmBad });
}, (e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
