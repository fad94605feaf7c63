// Child process for the allocation check of the board's own features (alloc-features.test.ts runs it with
// `node --import tsx`): a Device with buttons, a status LED, console commands and DS18B20 + DHT22 sensors
// on allocation-free fakes. Per cycle (100 ms of board time): a button press and release (its relay
// toggled, the state published QoS 1 and acknowledged), the momentary button held and let go every 4th
// cycle, a console status command every 8th (the JSON document on <prefix>/info), a PULSE command every
// 16th, and tick(): the LED's pattern, the DS18B20 bus converting and read every second with the
// temperatures moving, the DHT22 woken every 2 s and its pulse train decoded. A PerformanceObserver counts
// GC events in the measured window. argv[2]: "device" or "control" (the same plus a deliberate
// allocation per cycle, to prove the observer sees GC); argv[3]: cycles. Prints one JSON line.
import { PerformanceObserver, performance } from "node:perf_hooks";
import v8 from "node:v8";
import type { Transport, TransportEvents, Clock, Pins, Timers, Storage, Buses, OneWireBus, PulseReader } from "../../firmware/platform";
import { writeAckBytes } from "../../firmware/platform";
import { Device, DeviceEvents } from "../../firmware/device/device";
import type { DeviceConfig } from "../../firmware/device/config";
import { encodeConnack, encodeSuback, encodeAck, encodePublish, PUBACK, PUBLISH, SUBSCRIBE, utf8Bytes } from "../../firmware/mqtt";
import { dallasCrc } from "../../sim/hardware/onewire-bus";
import { Dht22Model } from "../../sim/hardware/dht22";

const mode = process.argv[2] === "control" ? "control" : "device";
const CYCLES = Number(process.argv[3] ?? 100_000);
const WARMUP = 30_000;

/** Acknowledges what the device sends at QoS 1, from a fixed array of packet ids. */
class AckingLink implements Transport {
  events: TransportEvents | null = null;
  readonly ids = new Uint16Array(64);
  pending = 0;
  subscribeId = 0;
  open(events: TransportEvents): void {
    this.events = events;
  }
  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
  }

  write(buf: Uint8Array, off: number): boolean {
    const type = buf[off] >> 4;
    if (type === SUBSCRIBE) this.subscribeId = (buf[off + 2] << 8) | buf[off + 3];
    else if (type === PUBLISH && (buf[off] & 0x06) === 0x02) {
      let p = off + 1;
      while (buf[p] & 0x80) p++;
      p += 1 + 2 + ((buf[p + 1] << 8) | buf[p + 2]);
      this.ids[this.pending++] = (buf[p] << 8) | buf[p + 1];
    }
    return true;
  }
  close(): void {}
}

/** Board time in a Float64Array (a fractional number stored in a field may be a fresh heap number on V8). */
const time = new Float64Array([1_700_000_000_050.5]);
const clock: Clock = { now: () => time[0] };

/** One-shot timers in fixed slots (pulses, button holds, the DHT22 read window). */
const slotAt = new Float64Array(16);
const slotFn: (((arg: number) => void) | null)[] = new Array(16).fill(null);
const slotArg = new Float64Array(16);
const timers: Timers = {
  every(): number {
    throw new Error("not used");
  },
  after(ms: number, fn: (arg: number) => void, arg?: number): number {
    for (let i = 0; i < 16; i++) {
      if (slotFn[i] !== null) continue;
      slotFn[i] = fn;
      slotArg[i] = arg === undefined ? -1 : arg;
      slotAt[i] = time[0] + ms;
      return i + 1;
    }
    throw new Error("timers full");
  },
  cancel(id: number): void {
    slotFn[id - 1] = null;
  },
};
function fire(): void {
  for (let i = 0; i < 16; i++) {
    const fn = slotFn[i];
    if (fn !== null && slotAt[i] <= time[0]) {
      slotFn[i] = null;
      fn(slotArg[i]);
    }
  }
}

const watchFns: ((level: boolean, t: number) => void)[] = [];
const levels: Record<string, boolean> = { D0: true, D4: true };
const pins: Pins = {
  mode(): void {},
  write(pin: string, level: boolean): void {
    levels[pin] = level;
  },
  read: (pin: string) => levels[pin] === true,
  analog: () => 0,
  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, t: number) => void): number {
    watchFns.push(fn);
    return watchFns.length;
  },
  unwatch(): void {},
};
const storage: Storage = { read: () => null, write: () => true };

// Two DS18B20 scratchpads per sensor (the temperature moves between them each second), CRC included.
function pad(celsius: number): Uint8Array {
  const raw = Math.round(celsius * 16) & 0xffff;
  const b = new Uint8Array([raw & 0xff, raw >> 8, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10, 0]);
  b[8] = dallasCrc(b, 8);
  return b;
}
const pads = [[pad(21.5), pad(22.5)], [pad(-3.25), pad(-4.25)]];
const roms = ["28ff4c1a0b160445", "28aa01b2c3d4e5d4"];
let selected = -1;
let readAt = 0;
let second = 0;
const bus: OneWireBus = {
  reset: () => true,
  select(rom: string): void {
    selected = rom === roms[0] ? 0 : 1;
    readAt = 0;
  },
  skip(): void {
    selected = -1;
  },
  write(): void {},
  read(): number {
    return pads[selected][second & 1][readAt++];
  },
  search: () => roms.slice(),
};
const dhtModel = new Dht22Model();
dhtModel.temperature = 23.4;
dhtModel.humidity = 51.2;
const frame = Float64Array.from(dhtModel.frame().highUs);
const reader: PulseReader = {
  read(wakeMs: number, windowMs: number, highUs: Float64Array, done: (count: number) => void): void {
    highUs.set(frame);
    doneFn = done;
    timers.after(wakeMs + windowMs, dhtDone);
  },
};
let doneFn: ((n: number) => void) | null = null;
const dhtDone = (): void => {
  if (doneFn !== null) doneFn(frame.length);
};
const buses: Buses = { oneWire: () => bus, pulses: () => reader };

const config: DeviceConfig = {
  id: "esp32-01",
  wifi: { ssid: "n", password: "p" },
  mqtt: { host: "h", port: 1883, tls: false, clientId: "esp32-01", username: null, password: null, keepAlive: 60, cleanSession: true },
  topics: {
    prefix: "devices/esp32-01", status: "{prefix}/status", relaySet: "{prefix}/relay/{name}/set",
    relayState: "{prefix}/relay/{name}/state", sensorState: "{prefix}/sensor/{name}/state",
    telemetry: "{prefix}/telemetry", error: "{prefix}/error", command: "{prefix}/cmd/{name}", info: "{prefix}/info",
  },
  telemetry: { periodSec: 1 },
  relays: [
    { name: "pump", pin: "D26", activeLow: true, powerOn: "off", failsafe: null, pulseMs: 0, interlock: null, deviceClass: null },
    { name: "fan", pin: "D27", activeLow: false, powerOn: "off", failsafe: null, pulseMs: 0, interlock: null, deviceClass: null },
  ],
  sensors: [
    { name: "tank", type: "ds18b20", pin: "D14", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "C", delta: 0, periodMs: 1000, edge: "both", decimals: 1, deviceClass: null, rom: roms[0] },
    { name: "pipe", type: "ds18b20", pin: "D14", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "C", delta: 0, periodMs: 1000, edge: "both", decimals: 1, deviceClass: null, rom: roms[1] },
    { name: "room_t", type: "dht22", pin: "D16", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "C", delta: 0, periodMs: 2000, edge: "both", decimals: 1, deviceClass: null, measure: "temperature" },
    { name: "room_rh", type: "dht22", pin: "D16", pull: "none", invert: false, debounceMs: 0, scale: 1, unit: "%", delta: 0, periodMs: 2000, edge: "both", decimals: 1, deviceClass: null, measure: "humidity" },
  ],
  buttons: [
    { name: "b1", pin: "D0", relay: "pump", action: "toggle", activeLow: true, pull: "up", debounceMs: 50, holdMs: 10000, holdAction: "restart" },
    { name: "b2", pin: "D4", relay: "fan", action: "momentary", activeLow: true, pull: "up", debounceMs: 50, holdMs: 10000, holdAction: "none" },
  ],
  statusLed: { pin: "D2", activeLow: false, connected: "on" },
  discovery: { enabled: false, prefix: "homeassistant", mode: "device" },
  commands: { acceptRetained: false, maxPayload: 16, console: true },
};

const counts = new Float64Array(4); // relay changes, sensor changes, QoS 0, QoS 1
const events: DeviceEvents = {
  onRelay(): void {
    counts[0]++;
  },
  onSensor(): void {
    counts[1]++;
  },
  onPublish(t: Uint8Array, p: Uint8Array, off: number, len: number, qos: number): void {
    counts[qos === 0 ? 2 : 3]++;
  },
};
const link = new AckingLink();
const device = new Device(config, {
  transport: link, clock, pins, timers, storage, random: () => 0.5, buses,
  system: { freeMemory: () => 9000, mac: () => "24:0a:c4:12:34:56", rssi: () => -60, ip: () => "192.168.1.50" },
  firmware: { version: "0.1.0", supportUrl: "" },
}, events);

function packet(topic: string, payload: string): { buf: Uint8Array; len: number; idAt: number } {
  const t = utf8Bytes(topic);
  const p = utf8Bytes(payload);
  const buf = new Uint8Array(128);
  return { buf, len: encodePublish(buf, 0, 1, false, false, 1, t, 0, t.length, p, 0, p.length), idAt: 4 + t.length };
}
const status = packet("devices/esp32-01/cmd/status", "");
const pulse = packet("devices/esp32-01/relay/fan/set", "PULSE 250");
const ack = new Uint8Array(4);
let inId = 0;

function ackAll(): void {
  while (link.pending > 0) {
    encodeAck(ack, 0, PUBACK, link.ids[--link.pending]);
    device.client.onData(ack, 0, 4);
  }
}

function deliver(c: { buf: Uint8Array; len: number; idAt: number }): void {
  inId = inId >= 0xffff ? 1 : inId + 1;
  c.buf[c.idAt] = inId >> 8;
  c.buf[c.idAt + 1] = inId & 0xff;
  device.client.onData(c.buf, 0, c.len);
  ackAll();
}

device.start();
device.networkUp();
link.events!.onOpen();
const connack = new Uint8Array(4);
encodeConnack(connack, 0, false, 0);
device.client.onData(connack, 0, 4);
const suback = new Uint8Array(6);
encodeSuback(suback, 0, link.subscribeId, [1, 1], 0, 2);
device.client.onData(suback, 0, 6);
ackAll();
if (!device.isConnected()) throw new Error("not connected");

let junk: unknown[] = [];

function step(i: number, allocate: boolean): void {
  // The debounced edges as the Pins seam reports them: press, then release.
  watchFns[0](false, 0);
  watchFns[0](true, 0);
  if ((i & 3) === 0) watchFns[1](false, 0);
  if ((i & 3) === 2) watchFns[1](true, 0);
  if ((i & 7) === 0) deliver(status);
  if ((i & 15) === 4) deliver(pulse);
  time[0] += 100;
  if (i % 10 === 0) second++;
  fire();
  device.tick();
  ackAll();
  if (allocate) {
    junk.push({ i, s: [i, i + 1] });
    if (junk.length > 1000) junk = [];
  }
}

function cycles(n: number, from: number, allocate: boolean): void {
  for (let i = 0; i < n; i++) step(from + i, allocate);
}

function newSpaceUsed(): number {
  const spaces = v8.getHeapSpaceStatistics();
  for (let i = 0; i < spaces.length; i++) if (spaces[i].space_name === "new_space") return spaces[i].space_used_size;
  return 0;
}

async function main(): Promise<void> {
  for (let k = 0; k < WARMUP / 100; k++) cycles(100, k * 100, false);
  const gcStarts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  obs.observe({ entryTypes: ["gc"] });
  await new Promise((r) => setTimeout(r, 50));
  const c0 = Array.from(counts);
  const start = performance.now();
  const used0 = newSpaceUsed();
  cycles(CYCLES, WARMUP, mode === "control");
  const used1 = newSpaceUsed();
  const end = performance.now();
  await new Promise((r) => setTimeout(r, 100));
  for (const e of obs.takeRecords()) gcStarts.push(e.startTime);
  obs.disconnect();
  console.log(JSON.stringify({
    mode, cycles: CYCLES, gc: gcStarts.filter((t) => t >= start && t <= end).length,
    relayChanges: counts[0] - c0[0], sensorChanges: counts[1] - c0[1], qos0: counts[2] - c0[2], qos1: counts[3] - c0[3],
    values: Array.from(device.sensors.value), connected: device.isConnected(), errors: device.client.stats.errors,
    ms: Math.round(end - start),
    // Young-generation bytes the window left behind (meaningful when gc is 0): a hint of what allocates.
    newSpaceBytes: used1 - used0,
  }));
}

void main();
