// The Buses seam on Espruino: OneWire is the interpreter's built-in class (one native call per reset,
// ROM command or byte), and a DHT22 is read as Espruino's own DHT22 module reads it: the line held low to
// wake the sensor, then released to the pull-up, and the length of each high pulse taken from a falling-
// edge watch (e.time - e.lastTime: Espruino updates a watch's lastTime on every edge, src/jsinteractive.c).
// Callbacks are bound once per reader; the watch lives only for the read window.
import type { Buses, OneWireBus, PulseReader } from "../platform";
import type { EspruinoPins } from "./pins";

class EspruinoOneWire implements OneWireBus {
  private readonly ow: EspruinoOneWireObject;

  constructor(pin: Pin) {
    this.ow = new OneWire(pin);
  }

  reset(): boolean {
    return this.ow.reset();
  }

  select(rom: string): void {
    this.ow.select(rom);
  }

  skip(): void {
    this.ow.skip();
  }

  write(byte: number, power: boolean): void {
    this.ow.write(byte, power);
  }

  read(): number {
    return this.ow.read();
  }

  search(): string[] {
    return this.ow.search();
  }
}

class EspruinoPulseReader implements PulseReader {
  private readonly pin: Pin;
  private out: Float64Array | null = null;
  private done: ((count: number) => void) | null = null;
  private count = 0;
  private watch = -1;
  private readonly onFall: (e: WatchEvent) => void;
  private readonly release: () => void;
  private readonly finish: () => void;

  constructor(pin: Pin) {
    this.pin = pin;
    this.onFall = this.bindFall();
    this.release = this.bindRelease();
    this.finish = this.bindFinish();
  }

  // Made outside the constructor, whose scope a closure would keep alive (see Device.clientEvents).
  private bindFall(): (e: WatchEvent) => void {
    const self = this;
    return function (e: WatchEvent): void {
      const out = self.out;
      if (out !== null && self.count < out.length) out[self.count++] = (e.time - e.lastTime) * 1e6;
    };
  }

  private bindRelease(): () => void {
    const self = this;
    return function (): void {
      pinMode(self.pin, "input_pullup");
    };
  }

  private bindFinish(): () => void {
    const self = this;
    return function (): void {
      if (self.watch !== -1) {
        try {
          clearWatch(self.watch);
        } catch (e) {
          // already gone
        }
      }
      self.watch = -1;
      const done = self.done;
      self.done = null;
      if (done !== null) done(self.count);
    };
  }

  read(wakeMs: number, windowMs: number, highUs: Float64Array, done: (count: number) => void): void {
    this.out = highUs;
    this.done = done;
    this.count = 0;
    const pin = this.pin;
    // Low first, then an output (manual mode, so setWatch leaves the pin as it is), then the watch.
    digitalWrite(pin, 0);
    pinMode(pin, "output");
    this.watch = setWatch(this.onFall, pin, { repeat: true, edge: "falling" });
    setTimeout(this.release, wakeMs);
    setTimeout(this.finish, wakeMs + windowMs);
  }
}

export class EspruinoBuses implements Buses {
  constructor(private readonly pins: EspruinoPins) {}

  // Each driver's binding only in a build for a board that has such sensors (build-flags.d.ts).
  oneWire(pin: string): OneWireBus {
    if (typeof __HAS_DS18B20__ === "undefined" || __HAS_DS18B20__) return new EspruinoOneWire(this.pins.pin(pin));
    throw new Error("no OneWire in this build");
  }

  pulses(pin: string): PulseReader {
    if (typeof __HAS_DHT22__ === "undefined" || __HAS_DHT22__) return new EspruinoPulseReader(this.pins.pin(pin));
    throw new Error("no DHT22 reader in this build");
  }
}
