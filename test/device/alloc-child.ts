// Child process for the device's allocation check (alloc.test.ts runs it with `node --import tsx`).
// A Device on allocation-free fakes of every seam runs, per cycle: a QoS 1 TOGGLE command (state
// published QoS 1 retained, PUBACKed), an interlocked relay switched, a pulse relay's ON and its timed
// OFF, a refused command (error JSON) every 4th cycle, a digital edge (report), counter pulses, an analog
// input that moves (sampled and reported), and tick() with the clock 100 ms on (counter reports each
// second, telemetry each second). A PerformanceObserver counts GC events in the measured window.
// argv[2]: "device" (the check) or "control" (the same plus a deliberate allocation per cycle, to prove
// the observer sees GC). argv[3]: cycles. Prints one JSON line.
import { PerformanceObserver, performance } from "node:perf_hooks";
import v8 from "node:v8";
import type { Transport, TransportEvents, Clock, Pins, Timers, Storage, System } from "../../firmware/platform";
import { Device, DeviceEvents } from "../../firmware/device/device";
import type { DeviceConfig } from "../../firmware/device/config";
import { encodeConnack, encodeSuback, encodeAck, encodePublish, PUBACK, PUBLISH, SUBSCRIBE, utf8Bytes } from "../../firmware/mqtt";

const mode = process.argv[2] === "control" ? "control" : "device";
const CYCLES = Number(process.argv[3] ?? 120_000);
const WARMUP = 40_000;

/** Notes the packet ids of QoS 1 PUBLISH packets (to acknowledge) and of a SUBSCRIBE; allocates nothing. */
class LoopTransport implements Transport {
  events: TransportEvents | null = null;
  readonly toAck = new Uint16Array(64);
  ackCount = 0;
  subscribeId = 0;
  writes = 0;
  open(events: TransportEvents): void {
    this.events = events;
  }
  write(buf: Uint8Array, off: number, len: number): boolean {
    this.writes++;
    const type = buf[off] >> 4;
    if (type === SUBSCRIBE) this.subscribeId = (buf[off + 2] << 8) | buf[off + 3];
    if (type === PUBLISH && ((buf[off] >> 1) & 3) === 1) {
      let p = off + 1;
      while (buf[p] & 0x80) p++;
      p++;
      const tLen = (buf[p] << 8) | buf[p + 1];
      p += 2 + tLen;
      this.toAck[this.ackCount++] = (buf[p] << 8) | buf[p + 1];
    }
    void len;
    return true;
  }
  close(): void {}
}

class StepClock implements Clock {
  t = 1_700_000_000_123.25; // Date.now()-sized and fractional, as a real clock gives
  now(): number {
    return this.t;
  }
}

/** Timers in fixed arrays: one-shot only, as the device uses them (pulses). */
class FixedTimers implements Timers {
  readonly at = new Float64Array(16);
  readonly id = new Float64Array(16);
  readonly fns: ((() => void) | null)[] = [];
  private next = 1;
  constructor(private readonly clock: StepClock) {
    for (let i = 0; i < 16; i++) this.fns.push(null);
  }
  every(): number {
    throw new Error("not used");
  }
  after(ms: number, fn: () => void): number {
    for (let i = 0; i < 16; i++) {
      if (this.fns[i] !== null) continue;
      this.fns[i] = fn;
      this.at[i] = this.clock.t + ms;
      this.id[i] = this.next++;
      return this.id[i];
    }
    throw new Error("timers full");
  }
  cancel(id: number): void {
    for (let i = 0; i < 16; i++) if (this.fns[i] !== null && this.id[i] === id) this.fns[i] = null;
  }
  fire(): void {
    for (let i = 0; i < 16; i++) {
      const fn = this.fns[i];
      if (fn !== null && this.at[i] <= this.clock.t) {
        this.fns[i] = null;
        fn();
      }
    }
  }
}

class LoopPins implements Pins {
  readonly levels: Record<string, boolean> = {};
  readonly watchFns: ((level: boolean, t: number) => void)[] = [];
  analogValue = 0.25;
  mode(): void {}
  write(pin: string, level: boolean): void {
    this.levels[pin] = level;
  }
  read(pin: string): boolean {
    return this.levels[pin] === true;
  }
  analog(): number {
    return this.analogValue;
  }
  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, t: number) => void): number {
    this.watchFns.push(fn);
    return this.watchFns.length;
  }
  unwatch(): void {}
}

class LoopStorage implements Storage {
  readonly data: Record<string, string> = {};
  writes = 0;
  read(key: string): string | null {
    return key in this.data ? this.data[key] : null;
  }
  write(key: string, value: string): boolean {
    this.data[key] = value;
    this.writes++;
    return true;
  }
}

const system: System = { freeMemory: () => 9000, mac: () => "24:0a:c4:00:00:01", rssi: () => -61, ip: () => "192.168.1.23" };

const config: DeviceConfig = {
  id: "esp32-01",
  wifi: { ssid: "n", password: "p" },
  mqtt: { host: "h", port: 1883, tls: false, clientId: "esp32-01", username: null, password: null, keepAlive: 60, cleanSession: true },
  topics: {
    prefix: "devices/esp32-01", status: "{prefix}/status", relaySet: "{prefix}/relay/{name}/set",
    relayState: "{prefix}/relay/{name}/state", sensorState: "{prefix}/sensor/{name}/state",
    telemetry: "{prefix}/telemetry", error: "{prefix}/error",
  },
  telemetry: { periodSec: 1 },
  relays: [
    { name: "fan", pin: "D27", activeLow: true, powerOn: "restore", failsafe: { state: "off", afterSec: 60 }, pulseMs: 0, interlock: null, deviceClass: null },
    { name: "v1", pin: "D12", activeLow: false, powerOn: "off", failsafe: null, pulseMs: 0, interlock: "valves", deviceClass: null },
    { name: "v2", pin: "D13", activeLow: false, powerOn: "off", failsafe: null, pulseMs: 0, interlock: "valves", deviceClass: null },
    { name: "bell", pin: "D14", activeLow: false, powerOn: "off", failsafe: null, pulseMs: 50, interlock: null, deviceClass: null },
  ],
  sensors: [
    { name: "door", type: "digital", pin: "D4", pull: "up", invert: true, debounceMs: 50, scale: 1, unit: "", delta: 0, periodMs: 0, edge: "both", decimals: 0, deviceClass: null },
    { name: "light", type: "analog", pin: "D34", pull: "none", invert: false, debounceMs: 0, scale: 100, unit: "%", delta: 2, periodMs: 100, edge: "both", decimals: 1, deviceClass: null },
    { name: "water", type: "counter", pin: "D5", pull: "up", invert: false, debounceMs: 5, scale: 0.00222, unit: "L", delta: 0, periodMs: 0, edge: "falling", decimals: 3, deviceClass: null },
  ],
  discovery: { enabled: true, prefix: "homeassistant", mode: "device" },
  commands: { acceptRetained: false, maxPayload: 16 },
};

class Counters implements DeviceEvents {
  relayChanges = 0;
  sensorChanges = 0;
  refused = 0;
  qos0 = 0;
  qos1 = 0;
  onRelay(): void {
    this.relayChanges++;
  }
  onSensor(): void {
    this.sensorChanges++;
  }
  onCommandRefused(): void {
    this.refused++;
  }
  onPublish(t: Uint8Array, p: Uint8Array, off: number, len: number, qos: number): void {
    if (qos === 0) this.qos0++;
    else this.qos1++;
  }
}

const transport = new LoopTransport();
const clock = new StepClock();
const timers = new FixedTimers(clock);
const pins = new LoopPins();
const storage = new LoopStorage();
const ev = new Counters();
const device = new Device(config, { transport, clock, pins, timers, storage, system, random: () => 0.5 }, ev);

// Broker packets, built once; packet ids are patched in place.
function command(topic: string, payload: string): { buf: Uint8Array; len: number; idAt: number } {
  const t = utf8Bytes(topic);
  const p = utf8Bytes(payload);
  const buf = new Uint8Array(128);
  const len = encodePublish(buf, 0, 1, false, false, 1, t, 0, t.length, p, 0, p.length);
  return { buf, len, idAt: 2 + 2 + t.length };
}
const toggleFan = command("devices/esp32-01/relay/fan/set", "toggle");
const v1On = command("devices/esp32-01/relay/v1/set", "ON");
const v2On = command("devices/esp32-01/relay/v2/set", "1");
const bellOn = command("devices/esp32-01/relay/bell/set", "On");
const bad = command("devices/esp32-01/relay/fan/set", "FOO \"x\"");
const puback = new Uint8Array(4);
const connack = new Uint8Array(4);
encodeConnack(connack, 0, false, 0);
const subackBuf = new Uint8Array(5);

device.start();
transport.events!.onOpen();
device.client.onData(connack, 0, 4);
encodeSuback(subackBuf, 0, transport.subscribeId, [1], 0, 1);
device.client.onData(subackBuf, 0, 5);
ackAll();
if (!device.isConnected()) throw new Error("not connected");

let inId = 0;
let failures = 0;
let junk: unknown[] = [];
let level = false;

function ackAll(): void {
  // PUBACKs free in-flight slots, which lets the outbox publish more: loop until all are answered.
  while (transport.ackCount > 0) {
    const id = transport.toAck[--transport.ackCount];
    encodeAck(puback, 0, PUBACK, id);
    device.client.onData(puback, 0, 4);
  }
}

function deliver(c: { buf: Uint8Array; len: number; idAt: number }): void {
  inId = inId >= 0xffff ? 1 : inId + 1;
  c.buf[c.idAt] = inId >> 8;
  c.buf[c.idAt + 1] = inId & 0xff;
  device.client.onData(c.buf, 0, c.len);
  ackAll();
}

function cycles(n: number, allocate: boolean): void {
  for (let i = 0; i < n; i++) {
    const before = ev.relayChanges;
    deliver(toggleFan);
    if (ev.relayChanges !== before + 1) failures++;
    deliver((i & 1) === 0 ? v1On : v2On);
    if ((i & 3) === 0) deliver(bad);
    if ((i & 1) === 0) deliver(bellOn);
    level = !level;
    pins.watchFns[0](level, 0); // door
    pins.watchFns[1](false, 0); // water meter
    pins.watchFns[1](false, 0);
    pins.analogValue = (i & 7) < 4 ? 0.25 : 0.75;
    clock.t += 100;
    timers.fire();
    device.tick();
    ackAll();
    if (allocate) {
      junk.push({ i, s: [i, i + 1] });
      if (junk.length > 1000) junk = [];
    }
  }
}

function newSpaceUsed(): number {
  const spaces = v8.getHeapSpaceStatistics();
  for (let i = 0; i < spaces.length; i++) if (spaces[i].space_name === "new_space") return spaces[i].space_used_size;
  return 0;
}

async function main(): Promise<void> {
  // Many short calls, not one long one: a single long call is optimized on-stack only, and the next call
  // would then run unoptimized code (which boxes this loop's doubles) until TurboFan is done with it.
  for (let k = 0; k < WARMUP / 100; k++) cycles(100, false);
  const gcStarts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  obs.observe({ entryTypes: ["gc"] });
  await new Promise((r) => setTimeout(r, 50));
  const c0 = { relay: ev.relayChanges, sensor: ev.sensorChanges, refused: ev.refused, qos0: ev.qos0, qos1: ev.qos1 };
  const s = device.client.stats;
  const e0 = s.errors;
  const start = performance.now();
  const used0 = newSpaceUsed();
  cycles(CYCLES, mode === "control");
  const used1 = newSpaceUsed();
  const end = performance.now();
  await new Promise((r) => setTimeout(r, 100));
  for (const e of obs.takeRecords()) gcStarts.push(e.startTime);
  obs.disconnect();
  const gc = gcStarts.filter((t) => t >= start && t <= end).length;
  console.log(JSON.stringify({
    mode, cycles: CYCLES, gc, failures, errors: s.errors - e0,
    relayChanges: ev.relayChanges - c0.relay, sensorChanges: ev.sensorChanges - c0.sensor, refused: ev.refused - c0.refused,
    qos0: ev.qos0 - c0.qos0, qos1: ev.qos1 - c0.qos1, storageWrites: storage.writes, connected: device.isConnected(),
    inflight: device.client.inflight.used, ms: Math.round(end - start),
    // Young-generation bytes the window left behind (meaningful when gc is 0): a hint of what allocates.
    newSpaceBytes: used1 - used0,
  }));
}

void main();
