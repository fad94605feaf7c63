// Codec benchmark: encode + decode cycles per second of one QoS 1 PUBLISH (34-byte topic, 40-byte JSON
// payload), our allocation-free codec against mqtt-packet, in the same process. Rounds of each alternate
// and the medians are compared; GC events (PerformanceObserver "gc") are counted inside our timed windows,
// which must see none. Ends with: `codec: ours N ops/s, mqtt-packet M ops/s, ratio Rx, gc G`.
import { PerformanceObserver, performance } from "node:perf_hooks";
import mqtt from "mqtt-packet";
import type { IPublishPacket } from "mqtt-packet";
import { Decoder, encodePublish, errorName, Packet, PacketSink, PUBLISH, utf8Bytes } from "../../firmware/mqtt";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300);
const BATCH = 2000;

/** s cut or padded (with '/x') to exactly n bytes of ASCII. */
function fit(s: string, n: number): string {
  while (s.length < n) s += s.length % 2 === 0 ? "/" : "x";
  return s.slice(0, n);
}

export const TOPIC = fit("devices/esp32-01/sensor/light/state", 34);
export const PAYLOAD = '{"light":73.25,"unit":"%","ts":12345678}';

// ---- ours: encodePublish into a fixed TX buffer, then Decoder.feed; the sink checks every packet.

class CheckingSink implements PacketSink {
  expectedId = 0;
  got = 0;
  bad = 0;
  lastError = 0;
  onPacket(p: Packet): void {
    if (p.type === PUBLISH && p.packetId === this.expectedId && p.payloadLen === 40 && p.topicLen === 34) this.got++;
    else this.bad++;
  }
  onDecodeError(code: number): void {
    this.bad++;
    this.lastError = code;
  }
}

const topicBytes = utf8Bytes(TOPIC);
const payloadBytes = utf8Bytes(PAYLOAD);
const tx = new Uint8Array(256);
const sink = new CheckingSink();
const decoder = new Decoder(256, sink);
let ourId = 0;
let encodeError = 0;

function oursBatch(n: number): void {
  for (let i = 0; i < n; i++) {
    ourId = ourId === 65535 ? 1 : ourId + 1;
    const end = encodePublish(tx, 0, 1, false, false, ourId, topicBytes, 0, 34, payloadBytes, 0, 40);
    if (end < 0) {
      encodeError = end;
      return;
    }
    sink.expectedId = ourId;
    decoder.feed(tx, 0, end);
  }
}

// ---- mqtt-packet: generate + parse with one reused parser and one reused packet object.

const parser = mqtt.parser({ protocolVersion: 4 });
const theirPacket: IPublishPacket = {
  cmd: "publish", qos: 1, dup: false, retain: false, messageId: 1, topic: TOPIC, payload: Buffer.from(PAYLOAD),
};
let theirGot = 0;
let theirBad = 0;
parser.on("packet", (p: any) => {
  if (p.cmd === "publish" && p.messageId === theirPacket.messageId && p.payload.length === 40) theirGot++;
  else theirBad++;
});
parser.on("error", () => { theirBad++; });

function theirsBatch(n: number): void {
  for (let i = 0; i < n; i++) {
    const id = theirPacket.messageId as number;
    theirPacket.messageId = id === 65535 ? 1 : id + 1;
    parser.parse(mqtt.generate(theirPacket));
  }
}

// ---- timing

interface Window { start: number; end: number }

/** Runs batch until ms have passed; returns ops/s and the timed window. */
function timed(batch: (n: number) => void, ms: number): { opsPerSec: number; window: Window } {
  let ops = 0;
  const start = performance.now();
  let now = start;
  do {
    batch(BATCH);
    ops += BATCH;
    now = performance.now();
  } while (now - start < ms);
  return { opsPerSec: ops / ((now - start) / 1000), window: { start, end: now } };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

function checkOurs(expected: number): void {
  if (encodeError !== 0) throw new Error("encodePublish failed: " + errorName(encodeError));
  if (sink.bad !== 0 || sink.got !== expected) {
    throw new Error(
      "decoder: " + sink.bad + " bad packets (last error " + errorName(sink.lastError) + "), " + sink.got + "/" + expected + " good",
    );
  }
}

export async function run(): Promise<string> {
  const gcStarts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  obs.observe({ entryTypes: ["gc"] });

  // Correctness first: one cycle of each must round-trip.
  oursBatch(1);
  checkOurs(1);
  theirsBatch(1);
  if (theirGot !== 1 || theirBad !== 0) throw new Error("mqtt-packet round trip failed");

  // Warm-up: let both reach optimized code before anything is timed.
  timed(oursBatch, WARMUP_MS);
  timed(theirsBatch, WARMUP_MS);
  await settle();

  const ours: number[] = [];
  const theirs: number[] = [];
  const windows: Window[] = [];
  const theirWindows: Window[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    sink.got = 0;
    const a = timed(oursBatch, ROUND_MS);
    checkOurs(Math.round(a.opsPerSec * (a.window.end - a.window.start) / 1000));
    ours.push(a.opsPerSec);
    windows.push(a.window);
    await settle();
    const b = timed(theirsBatch, ROUND_MS);
    theirs.push(b.opsPerSec);
    theirWindows.push(b.window);
    await settle();
  }
  if (theirBad !== 0) throw new Error("mqtt-packet reported " + theirBad + " bad packets");

  // GC entries are delivered asynchronously: give the observer a moment, then take what is left.
  await settle();
  for (const e of obs.takeRecords()) gcStarts.push(e.startTime);
  obs.disconnect();
  const gcIn = (w: Window): number => gcStarts.filter((t) => t >= w.start && t <= w.end).length;

  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  console.log(
    "codec: QoS 1 PUBLISH, topic " + topicBytes.length + " B, payload " + payloadBytes.length + " B; " +
    ROUNDS + " rounds of " + ROUND_MS + " ms each, alternating",
  );
  for (let r = 0; r < ROUNDS; r++) {
    console.log(
      "  round " + (r + 1) + ": ours " + fmt(ours[r]) + " ops/s (gc " + gcIn(windows[r]) + "), mqtt-packet " +
      fmt(theirs[r]) + " ops/s (gc " + gcIn(theirWindows[r]) + ")",
    );
  }
  const n = Math.round(median(ours));
  const m = Math.round(median(theirs));
  let gc = 0;
  for (const w of windows) gc += gcIn(w);
  return "codec: ours " + n + " ops/s, mqtt-packet " + m + " ops/s, ratio " + (n / m).toFixed(1) + "x, gc " + gc;
}
