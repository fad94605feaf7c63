// Temperature and humidity sensors read over a bus: DS18B20s on OneWire (several on one pin, told apart by
// their ROM) and DHT22s (one pin, a timing-based read). Driven from the device's tick by the clock, so no
// timer of their own: a OneWire bus converts every sensor at once, then reads each scratchpad 750 ms later;
// a DHT22 is woken and its pulse train decoded. A sensor that does not answer, or whose CRC or checksum
// fails, is reported failed with the reason, never with a made-up value. Made only for a board that has
// such sensors; every buffer is allocated here.
import { allocBytes } from "../mqtt/bytes";
import { utf8Bytes } from "../mqtt/utf8";
import { SensorConfig } from "./config";
import { Buses, OneWireBus, PulseReader, Clock, Log, LOG_INFO, LOG_WARN } from "../platform";
import { Sensors } from "./sensors";
import { writeAscii, writeJsonString } from "./format";

export const SENSOR_NO_ANSWER = 1;
export const SENSOR_CRC = 2;
export const SENSOR_BAD_SIGNAL = 3;
/** The text of each failure, as the error document gives it (index: the code). */
export const SENSOR_FAILURES = ["", "no answer", "crc error", "bad signal"];

/** A DS18B20's 12-bit conversion takes at most this long. */
export const CONVERT_MS = 750;
/** DHT22: the host holds the line low this long to wake the sensor (datasheet: at least 1 ms). */
export const DHT_WAKE_MS = 2;
/** DHT22: the answer (80 us + 40 bits of at most 120 us) is over well within this. */
export const DHT_WINDOW_MS = 25;
/** DHT22: a high pulse longer than this is a 1 bit (26-28 us is a 0, 70 us a 1). */
const DHT_ONE_US = 50;

// The Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, reflected) of b[0 .. n).
export function crc8(b: Uint8Array, n: number): number {
  let crc = 0;
  for (let i = 0; i < n; i++) {
    let x = b[i];
    for (let k = 0; k < 8; k++) {
      const mix = (crc ^ x) & 1;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      x >>= 1;
    }
  }
  return crc;
}

/** The DS18B20s on one pin. */
class OneWireThermometers {
  readonly pin: string;
  private readonly bus: OneWireBus;
  /** Sensor indexes (into config.sensors) and their ROMs (null: the only one on the bus). */
  private readonly index: number[] = [];
  private readonly rom: (string | null)[] = [];
  private readonly periodMs: number;
  private next = 0;
  /** When the conversion started now is done; -1: none running. */
  private readyAt = -1;
  private readonly pad = allocBytes(9);
  private readonly sensors: Sensors;
  private readonly clock: Clock;

  constructor(pin: string, bus: OneWireBus, periodMs: number, sensors: Sensors, clock: Clock) {
    this.pin = pin;
    this.bus = bus;
    this.periodMs = periodMs;
    this.sensors = sensors;
    this.clock = clock;
  }

  add(i: number, rom: string | null): void {
    this.index.push(i);
    this.rom.push(rom);
  }

  /** roms() -> what a search of the bus finds, and the configured ROMs it does not (start-up only: allocates). */
  roms(log: Log): void {
    const found = this.bus.search();
    log.log(LOG_INFO, 0, "ds18b20 " + this.pin + ": " + (found.length === 0 ? "no device found" : "found " + found.join(" ")));
    for (let k = 0; k < this.rom.length; k++) {
      const r = this.rom[k];
      if (r !== null && found.indexOf(r) < 0 && found.indexOf(r.toLowerCase()) < 0) {
        log.log(LOG_WARN, 0, "ds18b20 " + this.pin + ": " + r + " is not on the bus");
      }
    }
  }

  // Reads the clock itself: a fractional time passed in would be a new heap number on V8 (see Sensors).
  tick(): void {
    const now = this.clock.now();
    if (this.readyAt >= 0) {
      if (now < this.readyAt) return;
      this.readyAt = -1;
      for (let k = 0; k < this.index.length; k++) this.readOne(k);
      return;
    }
    if (now < this.next) return;
    // Inline, not a helper: a fractional time returned from a call V8 does not inline is a new heap number.
    this.next += this.periodMs;
    if (this.next <= now) this.next = now + this.periodMs;
    const bus = this.bus;
    if (!bus.reset()) {
      for (let k = 0; k < this.index.length; k++) this.sensors.driverFailed(this.index[k], SENSOR_NO_ANSWER);
      return;
    }
    // Convert T for every sensor at once; power kept on for parasite-powered ones.
    bus.skip();
    bus.write(0x44, true);
    this.readyAt = now + CONVERT_MS;
  }

  // Read Scratchpad: 9 bytes, the last one the CRC of the first 8.
  private readOne(k: number): void {
    const bus = this.bus;
    const rom = this.rom[k];
    const i = this.index[k];
    if (rom === null) {
      if (!bus.reset()) {
        this.sensors.driverFailed(i, SENSOR_NO_ANSWER);
        return;
      }
      bus.skip();
    } else bus.select(rom);
    bus.write(0xbe, false);
    const b = this.pad;
    for (let j = 0; j < 9; j++) b[j] = bus.read();
    // Nobody drove the line (all ones), or something holds it low (all zeros: whose CRC is 0 too).
    let same = true;
    for (let j = 1; j < 9; j++) if (b[j] !== b[0]) same = false;
    if (same && (b[0] === 0xff || b[0] === 0)) this.sensors.driverFailed(i, SENSOR_NO_ANSWER);
    else if (crc8(b, 8) !== b[8]) this.sensors.driverFailed(i, SENSOR_CRC);
    else {
      let raw = b[0] | (b[1] << 8);
      if (raw & 0x8000) raw -= 0x10000;
      this.sensors.measuredValue[i] = raw / 16;
      this.sensors.measured(i);
    }
  }
}

/** One DHT22: its temperature and humidity sensors (either may be absent). */
class Dht22 {
  readonly pin: string;
  private readonly reader: PulseReader;
  private temperature = -1;
  private humidity = -1;
  private readonly periodMs: number;
  private next = 0;
  private busy = false;
  /** The answer's 2 start pulses and 40 bits, with room for a stray one. */
  private readonly highUs = new Float64Array(48);
  private readonly data = allocBytes(5);
  private readonly done: (count: number) => void;
  private readonly sensors: Sensors;
  private readonly clock: Clock;

  constructor(pin: string, reader: PulseReader, periodMs: number, sensors: Sensors, clock: Clock) {
    this.pin = pin;
    this.reader = reader;
    this.periodMs = periodMs;
    this.sensors = sensors;
    this.clock = clock;
    this.done = this.bindDone();
  }

  // Made outside the constructor, whose scope a closure would keep alive (see Device.clientEvents).
  private bindDone(): (count: number) => void {
    const self = this;
    return function (count: number): void {
      self.busy = false;
      self.decode(count);
    };
  }

  add(i: number, measure: string): void {
    if (measure === "humidity") this.humidity = i;
    else this.temperature = i;
  }

  tick(): void {
    const now = this.clock.now();
    if (this.busy || now < this.next) return;
    this.next += this.periodMs;
    if (this.next <= now) this.next = now + this.periodMs;
    this.busy = true;
    this.reader.read(DHT_WAKE_MS, DHT_WINDOW_MS, this.highUs, this.done);
  }

  // The last 40 high pulses are the bits, most significant first: humidity, temperature, checksum.
  private decode(count: number): void {
    let why = 0;
    if (count === 0) why = SENSOR_NO_ANSWER;
    else if (count < 40 || count > 43) why = SENSOR_BAD_SIGNAL;
    else {
      const d = this.data;
      d.fill(0);
      const first = count - 40;
      for (let k = 0; k < 40; k++) d[k >> 3] = (d[k >> 3] << 1) | (this.highUs[first + k] > DHT_ONE_US ? 1 : 0);
      if (((d[0] + d[1] + d[2] + d[3]) & 0xff) !== d[4]) why = SENSOR_CRC;
      else {
        const rh = ((d[0] << 8) | d[1]) / 10;
        const t = ((((d[2] & 0x7f) << 8) | d[3]) / 10) * (d[2] & 0x80 ? -1 : 1);
        // Outside the sensor's range: a bit pattern that passed the checksum by chance.
        if (rh > 100 || t < -40 || t > 80) why = SENSOR_BAD_SIGNAL;
        else {
          const s = this.sensors;
          if (this.temperature >= 0) {
            s.measuredValue[this.temperature] = t;
            s.measured(this.temperature);
          }
          if (this.humidity >= 0) {
            s.measuredValue[this.humidity] = rh;
            s.measured(this.humidity);
          }
          return;
        }
      }
    }
    if (this.temperature >= 0) this.sensors.driverFailed(this.temperature, why);
    if (this.humidity >= 0) this.sensors.driverFailed(this.humidity, why);
  }
}

export class Thermometers {
  private readonly wires: OneWireThermometers[] = [];
  private readonly dhts: Dht22[] = [];
  /** Each sensor's name as bytes, for its error document (empty for the other kinds). */
  private readonly names: Uint8Array[] = [];

  /**
   * new Thermometers(config, buses, clock, sensors): one driver per pin; the buses are asked for here.
   * Sensors sharing a pin share its period (the loader insists): the first one's is used.
   */
  constructor(config: SensorConfig[], buses: Buses, clock: Clock, sensors: Sensors) {
    for (let i = 0; i < config.length; i++) {
      const s = config[i];
      const period = s.periodMs > 0 ? s.periodMs : 60000;
      this.names.push(s.type === "ds18b20" || s.type === "dht22" ? utf8Bytes(s.name) : allocBytes(0));
      if (s.type === "ds18b20" && (typeof __HAS_DS18B20__ === "undefined" || __HAS_DS18B20__)) {
        let w: OneWireThermometers | null = null;
        for (let k = 0; k < this.wires.length; k++) if (this.wires[k].pin === s.pin) w = this.wires[k];
        if (w === null) {
          w = new OneWireThermometers(s.pin, buses.oneWire(s.pin), period, sensors, clock);
          this.wires.push(w);
        }
        w.add(i, s.rom ? s.rom : null);
      } else if (s.type === "dht22" && (typeof __HAS_DHT22__ === "undefined" || __HAS_DHT22__)) {
        let d: Dht22 | null = null;
        for (let k = 0; k < this.dhts.length; k++) if (this.dhts[k].pin === s.pin) d = this.dhts[k];
        if (d === null) {
          d = new Dht22(s.pin, buses.pulses(s.pin), period, sensors, clock);
          this.dhts.push(d);
        }
        d.add(i, s.measure ? s.measure : "temperature");
      }
    }
  }

  /** start(log): names the ROMs each OneWire bus finds (the board's log is where a user learns them). */
  start(log: Log | null): void {
    if (log) for (let k = 0; k < this.wires.length; k++) this.wires[k].roms(log);
  }

  /** tick(): conversions, reads and DHT22 wake-ups that are due; every ~100 ms. */
  tick(): void {
    for (let k = 0; k < this.wires.length; k++) this.wires[k].tick();
    for (let k = 0; k < this.dhts.length; k++) this.dhts[k].tick();
  }

  /** reasonText(reason) -> the failure's words, as the error document gives them. */
  reasonText(reason: number): string {
    return SENSOR_FAILURES[reason];
  }

  /** formatError(out, i, reason) -> bytes written at out[0]: {"sensor":"<name>","reason":"<why>"}. */
  formatError(out: Uint8Array, i: number, reason: number): number {
    let o = writeAscii(out, 0, "{\"sensor\":");
    const name = this.names[i];
    o = writeJsonString(out, o, out.length - 40, name, 0, name.length);
    o = writeAscii(out, o, ",\"reason\":\"");
    o = writeAscii(out, o, SENSOR_FAILURES[reason]);
    o = writeAscii(out, o, "\"}");
    return o;
  }
}
