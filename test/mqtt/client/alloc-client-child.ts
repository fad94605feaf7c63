// Child process for the client's allocation check (alloc.test.ts runs it with `node --import tsx`).
// After start-up and warm-up it runs publish QoS 1 + PUBACK and receive QoS 1 PUBLISH (+ our PUBACK)
// cycles over an allocation-free transport, with tick() every cycle, while a PerformanceObserver counts
// GC events. Any allocation on those paths fills the young generation and shows up as GC events.
// argv[2]: "client" (the check), "wallclock" (the check with Date.now()-sized, fractional clock values,
// as a real clock gives) or "control" (the same loop plus a deliberate allocation per cycle, to prove the
// observer sees GC). argv[3]: cycles in the window. Prints one JSON line.
import { PerformanceObserver, performance } from "node:perf_hooks";
import type { Transport, TransportEvents, Clock } from "../../../firmware/platform";
import { MqttClient, ClientEvents } from "../../../firmware/mqtt/client";
import type { Packet } from "../../../firmware/mqtt/packet";
import { encodeConnack, encodeSuback, encodeAck, encodePublish, PUBACK, utf8Bytes } from "../../../firmware/mqtt";

const mode = process.argv[2] === "control" || process.argv[2] === "wallclock" ? process.argv[2] : "client";
const wallclock = mode === "wallclock";
const CYCLES = Number(process.argv[3] ?? 250_000);
const WARMUP = 60_000;

/** Remembers only what the loop needs from each write: type and packet id. No allocation. */
class LoopTransport implements Transport {
  events: TransportEvents | null = null;
  writes = 0;
  lastType = 0;
  lastId = 0;
  open(events: TransportEvents): void {
    this.events = events;
  }
  write(buf: Uint8Array, off: number, len: number): boolean {
    this.writes++;
    const type = buf[off] >> 4;
    this.lastType = type;
    if (type === PUBACK && len === 4) this.lastId = (buf[off + 2] << 8) | buf[off + 3];
    return true;
  }
  close(): void {}
}

class StepClock implements Clock {
  t = wallclock ? 1_700_000_000_123.25 : 1000;
  now(): number {
    return this.t;
  }
}

class Counters implements ClientEvents {
  published = 0;
  messages = 0;
  payloadBytes = 0;
  errors = 0;
  onPublished(): void {
    this.published++;
  }
  onMessage(sub: number, p: Packet): void {
    if (sub === 0) this.messages++;
    this.payloadBytes += p.payloadLen;
  }
  onError(): void {
    this.errors++;
  }
}

const transport = new LoopTransport();
const clock = new StepClock();
const ev = new Counters();
const client = new MqttClient({ clientId: "alloc", keepAliveSec: 60, random: () => 0.5 }, transport, clock, ev);

// Broker packets, built once; ids are patched in place.
const connack = new Uint8Array(4);
encodeConnack(connack, 0, false, 0);
const subackBuf = new Uint8Array(5);
const puback = new Uint8Array(4);
encodeAck(puback, 0, PUBACK, 1);
const topicIn = utf8Bytes("relay/1/set");
const payloadIn = utf8Bytes("{\"on\":true,\"ms\":1500}");
const incoming = new Uint8Array(64);
const incomingLen = encodePublish(incoming, 0, 1, false, false, 1, topicIn, 0, topicIn.length, payloadIn, 0, payloadIn.length);
const idAt = 2 + 2 + topicIn.length; // fixed header (2) + topic length (2) + topic
const topicOut = utf8Bytes("relay/1/state");
const payloadOut = utf8Bytes("{\"on\":true,\"t\":21.5}");

client.start();
transport.events!.onOpen();
client.onData(connack, 0, 4);
if (!client.isConnected()) throw new Error("not connected");
const subIndex = client.subscribe(utf8Bytes("relay/+/set"), 1);
encodeSuback(subackBuf, 0, 1, [1], 0, 1);
client.onData(subackBuf, 0, 5);
if (subIndex !== 0 || transport.lastType !== 8) throw new Error("subscribe failed");

let inId = 0;
let junk: unknown[] = [];
let failures = 0;

function cycles(n: number, allocate: boolean): void {
  for (let i = 0; i < n; i++) {
    // Out: publish QoS 1, the broker's PUBACK (whole, in one data event).
    const id = client.publish(topicOut, payloadOut, 0, payloadOut.length, 1, false);
    if (id <= 0) failures++;
    puback[2] = id >> 8;
    puback[3] = id & 0xff;
    client.onData(puback, 0, 4);
    // In: a QoS 1 PUBLISH, every other one split in two data events (reassembled in the RX buffer).
    inId = inId >= 0xffff ? 1 : inId + 1;
    incoming[idAt] = inId >> 8;
    incoming[idAt + 1] = inId & 0xff;
    if ((i & 1) === 0) client.onData(incoming, 0, incomingLen);
    else {
      client.onData(incoming, 0, 7);
      client.onData(incoming, 7, incomingLen - 7);
    }
    if (transport.lastType !== PUBACK || transport.lastId !== inId) failures++;
    clock.t += wallclock ? 0.75 : 1;
    client.tick();
    if (allocate) {
      junk.push({ i, s: [i, i + 1] });
      if (junk.length > 1000) junk = [];
    }
  }
}

async function main(): Promise<void> {
  cycles(WARMUP, false);
  const gcStarts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  obs.observe({ entryTypes: ["gc"] });
  await new Promise((r) => setTimeout(r, 50));
  const p0 = ev.published;
  const m0 = ev.messages;
  const start = performance.now();
  cycles(CYCLES, mode === "control");
  const end = performance.now();
  await new Promise((r) => setTimeout(r, 100));
  for (const e of obs.takeRecords()) gcStarts.push(e.startTime);
  obs.disconnect();
  const gc = gcStarts.filter((t) => t >= start && t <= end).length;
  console.log(JSON.stringify({
    mode, cycles: CYCLES, gc, published: ev.published - p0, messages: ev.messages - m0, failures, errors: ev.errors,
    stillConnected: client.isConnected(), writes: transport.writes, ms: Math.round(end - start),
  }));
}

void main();
