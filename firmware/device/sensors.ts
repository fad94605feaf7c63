// The sensors: digital inputs (reported on change), analog inputs (sampled on a period, reported when
// they moved by more than `delta`) and pulse counters (reported at most once a second). Values live in
// typed arrays indexed like config.sensors; pin watches are bound once here. Debounce is the Pins
// seam's job (Espruino's setWatch does it in firmware); this passes each sensor's debounceMs on.
// Temperature and humidity sensors (DS18B20, DHT22) are read by their drivers (thermometers.ts), which
// hand their readings and failures in through measured() and driverFailed().
import { allocBytes } from "../mqtt/bytes";
import { SensorConfig } from "./config";
import { Pins, Clock } from "../platform";
import { MAX_DECIMALS } from "./format";

export const KIND_DIGITAL = 0;
export const KIND_ANALOG = 1;
export const KIND_COUNTER = 2;
/** Read by a driver over a bus: a DS18B20 on OneWire, one value of a DHT22. */
export const KIND_DS18B20 = 3;
export const KIND_DHT22 = 4;

/** A driver-read sensor's reading: none yet, a value, or failed (reported "unavailable"). */
export const READING_NONE = 0;
export const READING_OK = 1;
export const READING_FAILED = 2;

/**
 * A counter reports its new value at most this often. A flow meter gives hundreds of pulses a second;
 * one publish per pulse would flood the broker and keep the interpreter busy, while a second is as
 * fresh as a meter reading needs to be.
 */
export const COUNTER_REPORT_MS = 1000;

/**
 * Told about values: changed (for a live view) and due to be reported (to publish). The value is read
 * from Sensors.value: a fractional number passed to a call V8 does not inline is boxed (it allocates).
 */
export interface SensorListener {
  sensorChanged(index: number): void;
  sensorReport(index: number): void;
  /** A driver-read sensor stopped answering (reason: a SENSOR_* code of thermometers.ts); once per failure. */
  sensorFailed(index: number, reason: number): void;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

export class Sensors {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly decimals: Uint8Array;
  /** The current value: 1/0 (digital), scaled and rounded reading (analog), pulses * scale (counter). */
  readonly value: Float64Array;
  /** Pulses counted since boot (counters). */
  readonly pulses: Float64Array;
  /** READING_* of each driver-read sensor; empty on a board without them. */
  readonly reading: Uint8Array;
  /**
   * What a driver read, handed in here rather than as an argument to measured(): a fractional number
   * passed to a call V8 does not inline is a new heap number each time. Empty without such sensors.
   */
  readonly measuredValue: Float64Array;
  /** The value last reported. */
  private readonly reported: Float64Array;
  private readonly nextSample: Float64Array;
  private readonly lastReportAt: Float64Array;
  private readonly watchId: Float64Array;
  /** The watch callback of each digital input and counter (null for the other kinds). */
  private readonly watchFn: (((level: boolean, timeMs: number) => void) | null)[] = [];
  /** Each sensor's name (the device names a failed sensor by it). */
  readonly name: string[] = [];
  // What running reads of each sensor's config, copied out: the config objects are let go after start(),
  // ~29 JsVars a sensor on the interpreter for a dozen properties of which running reads five.
  private readonly pin: string[] = [];
  private readonly invert: Uint8Array;
  private readonly delta: Float64Array;
  private readonly scale: Float64Array;
  /** The sampling period of an analog input, 1000 ms when board.json gives none. */
  private readonly periodMs: Float64Array;
  /** The sensors' section of board.json, until start() has read the rest of it. */
  private config: SensorConfig[] | null;
  private readonly pins: Pins;
  private readonly clock: Clock;
  private readonly listener: SensorListener;

  /**
   * new Sensors(config, pins, clock, listener): allocates and binds the watch callbacks; touches no pin
   * yet. Methods read the clock themselves: a fractional time passed as an argument to a call V8 does
   * not inline is boxed, one heap number per call.
   */
  constructor(config: SensorConfig[], pins: Pins, clock: Clock, listener: SensorListener) {
    const n = config.length;
    this.count = n;
    this.config = config;
    this.pins = pins;
    this.clock = clock;
    this.listener = listener;
    this.kind = allocBytes(n);
    this.decimals = allocBytes(n);
    this.value = new Float64Array(n);
    this.pulses = new Float64Array(n);
    this.reported = new Float64Array(n);
    this.nextSample = new Float64Array(n);
    this.lastReportAt = new Float64Array(n);
    this.watchId = new Float64Array(n);
    this.invert = allocBytes(n);
    this.delta = new Float64Array(n);
    this.scale = new Float64Array(n);
    this.periodMs = new Float64Array(n);
    let driven = false;
    for (let i = 0; i < n; i++) {
      const s = config[i];
      const t = s.type;
      const kind = t === "digital" ? KIND_DIGITAL : t === "analog" ? KIND_ANALOG : t === "counter" ? KIND_COUNTER
        : t === "ds18b20" ? KIND_DS18B20 : KIND_DHT22;
      this.kind[i] = kind;
      const d = s.decimals < 0 ? 0 : s.decimals > MAX_DECIMALS ? MAX_DECIMALS : s.decimals;
      this.decimals[i] = kind === KIND_DIGITAL ? 0 : d;
      this.watchId[i] = -1;
      this.name.push(s.name);
      this.pin.push(s.pin);
      this.invert[i] = s.invert ? 1 : 0;
      this.delta[i] = s.delta;
      this.scale[i] = s.scale;
      this.periodMs[i] = s.periodMs > 0 ? s.periodMs : 1000;
      this.watchFn.push(kind === KIND_DIGITAL ? this.bindDigital(i) : kind === KIND_COUNTER ? this.bindCounter(i) : null);
      if (kind >= KIND_DS18B20) {
        driven = true;
        // No reading yet: telemetry shows null, not a made-up 0.
        this.value[i] = NaN;
      }
    }
    this.reading = allocBytes(driven ? n : 0);
    this.measuredValue = new Float64Array(driven ? n : 0);
  }

  private bindDigital(i: number): (level: boolean, timeMs: number) => void {
    const self = this;
    return function (level: boolean): void {
      self.digital(i, level);
    };
  }

  private bindCounter(i: number): (level: boolean, timeMs: number) => void {
    const self = this;
    return function (): void {
      self.pulse(i);
    };
  }

  /**
   * start(): sets pin modes, reads every input once, and watches digital inputs (both edges) and
   * counters (their edge), each with its debounce. Once: the config is let go.
   */
  start(): void {
    const now = this.clock.now();
    const config = this.config;
    if (config === null) return;
    this.config = null;
    for (let i = 0; i < this.count; i++) {
      const s = config[i];
      const kind = this.kind[i];
      if (kind >= KIND_DS18B20) continue; // their drivers own the pins
      if (kind === KIND_ANALOG) {
        // No mode: Espruino's analogRead configures the pin for the ADC itself.
        this.sampleAnalog(i);
        this.nextSample[i] = now + this.periodMs[i];
        continue;
      }
      this.pins.mode(s.pin, s.pull === "up" ? "input_pullup" : s.pull === "down" ? "input_pulldown" : "input");
      if (kind === KIND_DIGITAL) this.value[i] = this.pins.read(s.pin) !== (this.invert[i] === 1) ? 1 : 0;
      this.watchId[i] = this.pins.watch(s.pin, kind === KIND_DIGITAL ? "both" : s.edge, s.debounceMs,
        this.watchFn[i] as (level: boolean, timeMs: number) => void);
    }
  }

  /** stop(): removes the watches. */
  stop(): void {
    for (let i = 0; i < this.count; i++) {
      if (this.watchId[i] === -1) continue;
      this.pins.unwatch(this.watchId[i]);
      this.watchId[i] = -1;
    }
  }

  /** tick(): samples analog inputs that are due and reports counters that moved; every ~100 ms. */
  tick(): void {
    const now = this.clock.now();
    for (let i = 0; i < this.count; i++) {
      const kind = this.kind[i];
      if (kind === KIND_ANALOG) {
        if (now < this.nextSample[i]) continue;
        const period = this.periodMs[i];
        this.nextSample[i] += period;
        // Far behind (a long stall): resume the rhythm from now instead of catching up in a burst.
        if (this.nextSample[i] <= now) this.nextSample[i] = now + period;
        if (this.sampleAnalog(i)) this.listener.sensorChanged(i);
        // Both values are multiples of 10^-decimals: compare whole steps, so a move of exactly `delta`
        // is not "more than delta" by a rounding error.
        const f = POW10[this.decimals[i]];
        const steps = Math.round(Math.abs(this.value[i] - this.reported[i]) * f);
        if (steps > this.delta[i] * f + 1e-6) this.report(i);
      } else if (kind === KIND_COUNTER) {
        if (this.value[i] !== this.reported[i] && now - this.lastReportAt[i] >= COUNTER_REPORT_MS) this.report(i);
      }
    }
  }

  /** reportAll(): reports every value now (after a connect: subscribers learn the current state). */
  reportAll(): void {
    for (let i = 0; i < this.count; i++) {
      // A driver-read sensor without a reading yet has nothing to say.
      if (this.kind[i] >= KIND_DS18B20 && this.reading[i] === READING_NONE) continue;
      this.report(i);
    }
  }

  /**
   * measured(i): a driver read measuredValue[i] (degrees C, % RH). Rounded to the sensor's decimals;
   * reported when it moved by more than delta since the last report, or when the sensor was failed or
   * unread before.
   */
  measured(i: number): void {
    const f = POW10[this.decimals[i]];
    const r = Math.round(this.measuredValue[i] * f) / f;
    const was = this.reading[i];
    this.reading[i] = READING_OK;
    if (r !== this.value[i] || was !== READING_OK) {
      this.value[i] = r;
      this.listener.sensorChanged(i);
    }
    const steps = Math.round(Math.abs(r - this.reported[i]) * f);
    if (was !== READING_OK || steps > this.delta[i] * f + 1e-6) this.report(i);
  }

  /** driverFailed(i, reason): a driver got no valid reading: the value becomes unknown and is reported unavailable, once. */
  driverFailed(i: number, reason: number): void {
    if (this.reading[i] === READING_FAILED) return;
    this.reading[i] = READING_FAILED;
    this.value[i] = NaN;
    this.listener.sensorChanged(i);
    this.report(i);
    this.listener.sensorFailed(i, reason);
  }

  private report(i: number): void {
    this.reported[i] = this.value[i];
    this.lastReportAt[i] = this.clock.now();
    this.listener.sensorReport(i);
  }

  // Reads the input into value[i], rounded to its decimals so noise below them is no change. -> changed.
  private sampleAnalog(i: number): boolean {
    const f = POW10[this.decimals[i]];
    const v = Math.round(this.pins.analog(this.pin[i]) * this.scale[i] * f) / f;
    if (v === this.value[i]) return false;
    this.value[i] = v;
    return true;
  }

  private digital(i: number, level: boolean): void {
    const v = level !== (this.invert[i] === 1) ? 1 : 0;
    // Watches on both edges can repeat a level (a missed edge); only a change counts.
    if (v === this.value[i]) return;
    this.value[i] = v;
    this.listener.sensorChanged(i);
    this.report(i);
  }

  private pulse(i: number): void {
    const n = this.pulses[i] + 1;
    this.pulses[i] = n;
    this.value[i] = n * this.scale[i];
    this.listener.sensorChanged(i);
  }
}
