// Child process of alloc.test.ts: proves the hot paths allocate nothing, by counting V8 GC events
// (PerformanceObserver 'gc' entries) that start inside each measured window. Prints one JSON line.
// Run: node --import tsx test/mqtt/alloc-child.ts
import { PerformanceObserver, performance, type PerformanceEntry } from "node:perf_hooks";
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

// ---- Measurement. ----
const gcEntries: PerformanceEntry[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase { cycles: number; gcEvents: number; checksum: number; bad: number; ms: number; t0: number; t1: number }

async function main(): Promise<void> {
  const loops: [string, (n: number) => number, number, () => number][] = [
    ["publish", runPublish, CYCLES.publish, () => pubSink.bad],
    ["publishSplit", runPublishSplit, CYCLES.publishSplit, () => splitSink.bad],
    ["puback", runPuback, CYCLES.puback, () => ackSink.bad],
    ["topicMatches", runTopicMatches, CYCLES.topicMatches, () => mtState.bad],
    ["subscribe", runSubscribe, CYCLES.subscribe, () => subSink.bad],
  ];
  // Warm up every loop first, so the optimizing compiler has finished before any window opens.
  for (const [, fn] of loops) fn(CYCLES.warmup);
  for (const [, fn] of loops) fn(CYCLES.warmup);
  const warmBad = loops.reduce((n, l) => n + l[3](), 0);
  await sleep(100);

  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcEntries.push(e);
  });
  obs.observe({ entryTypes: ["gc"] });
  await sleep(50);

  const phases: Record<string, Phase> = {};
  for (const [name, fn, n, bad] of loops) {
    const bad0 = bad();
    const t0 = performance.now();
    const checksum = fn(n);
    const t1 = performance.now();
    phases[name] = { cycles: n, gcEvents: 0, checksum, bad: bad() - bad0, ms: Math.round(t1 - t0), t0, t1 };
    await sleep(20);
  }
  // The control, last: warmed up like the others, then measured the same way.
  runControl(20_000);
  await sleep(20);
  const c0 = performance.now();
  const controlSum = runControl(CYCLES.control);
  const c1 = performance.now();
  phases.control = { cycles: CYCLES.control, gcEvents: 0, checksum: controlSum, bad: mpState.bad, ms: Math.round(c1 - c0), t0: c0, t1: c1 };

  // Let the buffered entries arrive.
  await sleep(100);
  obs.disconnect();
  for (const ph of Object.values(phases)) {
    ph.gcEvents = gcEntries.filter((e) => e.startTime >= ph.t0 && e.startTime <= ph.t1).length;
  }
  const pub = phases.publish;
  const report = {
    cycles: pub.cycles,
    gcEvents: pub.gcEvents,
    gcTotal: gcEntries.length,
    checksum: pub.checksum,
    bad: pub.bad + warmBad,
    node: process.version,
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { cycles: v.cycles, gcEvents: v.gcEvents, checksum: v.checksum, bad: v.bad, ms: v.ms }])),
  };
  process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
