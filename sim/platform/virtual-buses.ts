// The Buses seam over the simulator's sensor models, for source mode: OneWire calls go straight to the
// bus model of the pin; a DHT22 read answers, after the wake-up and the read window, with the pulse
// train the model sends (the bundle gets the same train through the shim's setWatch).
import type { Buses, OneWireBus, PulseReader, Timers } from "../../firmware/platform";
import type { BusSensors } from "../hardware/bus-sensors";
import { OneWireBusModel } from "../hardware/onewire-bus";

export class VirtualBuses implements Buses {
  constructor(private readonly sensors: BusSensors, private readonly timers: Timers) {}

  oneWire(pin: string): OneWireBus {
    // A pin without sensors is a bare pull-up: no presence, every byte 0xFF.
    const bus = this.sensors.oneWire.get(pin) ?? new OneWireBusModel();
    return {
      reset: () => bus.reset(),
      select: (rom) => bus.select(rom),
      skip: () => bus.skip(),
      write: (byte) => bus.write(byte),
      read: () => bus.read(),
      search: () => bus.search(),
    };
  }

  pulses(pin: string): PulseReader {
    const sensors = this.sensors;
    const timers = this.timers;
    return {
      read(wakeMs: number, windowMs: number, highUs: Float64Array, done: (count: number) => void): void {
        timers.after(wakeMs + windowMs, () => {
          const model = sensors.dht.get(pin);
          const frame = model ? model.frame().highUs : [];
          const n = Math.min(frame.length, highUs.length);
          for (let i = 0; i < n; i++) highUs[i] = frame[i];
          done(n);
        });
      },
    };
  }
}
