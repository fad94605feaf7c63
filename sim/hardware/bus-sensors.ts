// The temperature sensors of one virtual board: a OneWire bus model per ds18b20 pin, a DHT22 model per
// dht22 pin, made from board.json and kept across reboots (they are hardware). Source mode reaches them
// through the Buses seam (sim/platform/virtual-buses.ts), bundle mode through the shim's OneWire class and
// its DHT22 pulse trains; the simulator's keys, tests and scenarios set their values and conditions.
import type { DeviceConfig } from "../../firmware/device/config";
import { OneWireBusModel, romFor, type SensorCondition, type Ds18b20Model } from "./onewire-bus";
import { Dht22Model } from "./dht22";

export class BusSensors {
  readonly oneWire = new Map<string, OneWireBusModel>();
  readonly dht = new Map<string, Dht22Model>();
  /** The model behind each bus sensor, by index into config.sensors. */
  private readonly ds = new Map<number, Ds18b20Model>();

  constructor(private readonly config: DeviceConfig) {
    config.sensors.forEach((s, i) => {
      if (s.type === "ds18b20") {
        let bus = this.oneWire.get(s.pin);
        if (!bus) {
          bus = new OneWireBusModel();
          this.oneWire.set(s.pin, bus);
        }
        // A sensor without a ROM in board.json is the only one on its bus: it gets a stable made-up one.
        this.ds.set(i, bus.add(s.rom ?? romFor(`${config.id}/${s.name}`), 21 + i * 0.5));
      } else if (s.type === "dht22" && !this.dht.has(s.pin)) this.dht.set(s.pin, new Dht22Model());
    });
  }

  /** value(sensor) -> what the sensor measures now (degrees C, or % for a DHT22's humidity). */
  value(sensor: number): number {
    const s = this.sensor(sensor);
    if (s.type === "ds18b20") return this.ds.get(sensor)!.temperature;
    const d = this.dht.get(s.pin)!;
    return s.measure === "humidity" ? d.humidity : d.temperature;
  }

  /** set(sensor, value): the temperature (or humidity) the sensor measures from now on. */
  set(sensor: number, value: number): void {
    if (!Number.isFinite(value)) throw new Error(`sensor ${sensor}: the value must be a number, got ${value}`);
    const s = this.sensor(sensor);
    if (s.type === "ds18b20") this.ds.get(sensor)!.temperature = value;
    else if (s.measure === "humidity") this.dht.get(s.pin)!.humidity = Math.max(0, Math.min(100, value));
    else this.dht.get(s.pin)!.temperature = value;
  }

  /** condition(sensor) -> present, missing or corrupt. A DHT22's two values share one chip, so one condition. */
  condition(sensor: number): SensorCondition {
    const s = this.sensor(sensor);
    return s.type === "ds18b20" ? this.ds.get(sensor)!.condition : this.dht.get(s.pin)!.condition;
  }

  setCondition(sensor: number, c: SensorCondition): void {
    const s = this.sensor(sensor);
    if (s.type === "ds18b20") this.ds.get(sensor)!.condition = c;
    else this.dht.get(s.pin)!.condition = c;
  }

  /** rom(sensor) -> the DS18B20's ROM on its bus. */
  rom(sensor: number): string {
    return this.ds.get(sensor)?.rom ?? "";
  }

  private sensor(i: number) {
    const s = this.config.sensors[i];
    if (!s || (s.type !== "ds18b20" && s.type !== "dht22")) throw new Error(`sensor ${i} is not a ds18b20 or dht22`);
    return s;
  }
}
