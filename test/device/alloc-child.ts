// Child process for the device's allocation check (alloc.test.ts runs it with `node --import tsx`).
// A Device on allocation-free fakes of every seam runs, per cycle: a QoS 1 TOGGLE command (state
// published QoS 1 retained, PUBACKed), an interlocked relay switched, a pulse relay's ON and its timed
// OFF, a refused command (error JSON) every 4th cycle, a digital edge (report), counter pulses, an analog
// input that moves (sampled and reported), and tick() with the clock 100 ms on (counter reports each
// second, telemetry each second). The shared harness (test/support/alloc-harness.ts) counts GC events and
// young-generation bytes in the measured window. Phases: "device" (the check) and "control" (the same
// cycles keeping one small object every 64th cycle: the harness must see it). argv[2]: cycles.
import type { Transport, TransportEvents, Clock, Pins, Timers, Storage, System } from "../../firmware/platform";
import { writeAckBytes } from "../../firmware/platform";
import { Device, DeviceEvents } from "../../firmware/device/device";
import type { DeviceConfig } from "../../firmware/device/config";
import { encodeConnack, encodeSuback, encodeAck, encodePublish, PUBACK, PUBLISH, SUBSCRIBE, utf8Bytes } from "../../firmware/mqtt";
import { measurePhases, printReport } from "../support/alloc-harness";

const CYCLES = Number(process.argv[2] ?? 120_000);

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
  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
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

/**
 * Date.now()-sized and fractional, as a real clock gives. The time lives in a Float64Array: a fractional
 * number stored in an object field can cost a fresh heap number per store on V8, which would be the rig's
 * allocation, not the device's.
 */
class StepClock implements Clock {
  private readonly cell = new Float64Array([1_700_000_000_123.25]);
  get t(): number {
    return this.cell[0];
  }
  now(): number {
    return this.cell[0];
  }
  advance(ms: number): void {
    this.cell[0] += ms;
  }
}

/** Timers in fixed arrays: one-shot only, as the device uses them (pulses). */
class FixedTimers implements Timers {
  readonly at = new Float64Array(16);
  readonly id = new Float64Array(16);
  readonly fns: (((arg: number) => void) | null)[] = [];
  readonly args = new Float64Array(16);
  private next = 1;
  constructor(private readonly clock: StepClock) {
    for (let i = 0; i < 16; i++) this.fns.push(null);
  }
  every(): number {
    throw new Error("not used");
  }
  after(ms: number, fn: (arg: number) => void, arg?: number): number {
    for (let i = 0; i < 16; i++) {
      if (this.fns[i] !== null) continue;
      this.fns[i] = fn;
      this.args[i] = arg === undefined ? -1 : arg;
      this.at[i] = this.clock.now() + ms;
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
      if (fn !== null && this.at[i] <= this.clock.now()) {
        this.fns[i] = null;
        fn(this.args[i]);
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
  telemetry = 0;
  /** The telemetry document's buffer (Device.telemetry.buf): a publish of it is a telemetry document. */
  telemetryBuf: Uint8Array | null = null;
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
    if (p === this.telemetryBuf) this.telemetry++;
  }
}

const transport = new LoopTransport();
const clock = new StepClock();
const timers = new FixedTimers(clock);
const pins = new LoopPins();
const storage = new LoopStorage();
const ev = new Counters();
const device = new Device(config, { transport, clock, pins, timers, storage, system, random: () => 0.5 }, ev);
ev.telemetryBuf = device.telemetry.buf;

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
let kept: { i: number } | null = null;
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

/** cycles(n, allocateEvery64) -> relay changes so far (a checksum). */
function cycles(n: number, allocate: boolean): number {
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
    clock.advance(100);
    timers.fire();
    device.tick();
    ackAll();
    if (allocate && (i & 63) === 0) kept = { i };
  }
  return ev.relayChanges & 0x3fffffff;
}

function counters(): Record<string, number> {
  return {
    relayChanges: ev.relayChanges, sensorChanges: ev.sensorChanges, refused: ev.refused, qos0: ev.qos0, qos1: ev.qos1,
    telemetry: ev.telemetry, failures, errors: device.client.stats.errors,
  };
}

measurePhases([
  { name: "device", ops: CYCLES, run: (n) => cycles(n, false), counters },
  { name: "control", ops: CYCLES, run: (n) => cycles(n, true), counters },
], { warmupCalls: 400, warmupOps: 100 }).then((r) => printReport({
  ...r, connected: device.isConnected(), inflight: device.client.inflight.used, storageWrites: storage.writes, kept: kept !== null,
}), (e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
