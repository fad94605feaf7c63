// A OneWire bus with DS18B20 thermometers on it, at the level Espruino's OneWire class works at (reset,
// Match/Skip ROM, bytes, search). Each sensor has a ROM, a temperature the simulator sets, and a
// condition: present, missing (it never answers), or corrupt (its scratchpad's CRC fails). Convert T
// latches the temperature into the scratchpad as the chip does; before any conversion it holds the
// power-on value, 85 degrees. Bytes nobody drives read 0xFF, as a line with its pull-up does.
import { crc8 } from "../../firmware/device/thermometers";

export type SensorCondition = "ok" | "missing" | "corrupt";

export interface Ds18b20Model {
  rom: string;
  temperature: number;
  condition: SensorCondition;
  /** The scratchpad: temperature LSB, MSB, TH, TL, config, 3 reserved, CRC. */
  scratchpad: Uint8Array;
}

/** dallasCrc(bytes, n) -> the Dallas/Maxim CRC-8 of bytes[0 .. n): the firmware's (checked against Maxim's own example in the tests). */
export function dallasCrc(bytes: ArrayLike<number>, n = bytes.length): number {
  return crc8(Uint8Array.from(bytes), n);
}

/** romFor(seed) -> a DS18B20 ROM (family 28, six serial bytes from the seed, then the CRC): a stable ROM per name. */
export function romFor(seed: string): string {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  const b = [0x28];
  for (let i = 0; i < 6; i++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    b.push(h & 0xff);
  }
  b.push(dallasCrc(b));
  return b.map((x) => x.toString(16).padStart(2, "0")).join("");
}

function scratchpadOf(celsius: number): Uint8Array {
  const raw = Math.round(celsius * 16) & 0xffff;
  const pad = new Uint8Array([raw & 0xff, raw >> 8, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10, 0]);
  pad[8] = dallasCrc(pad, 8);
  return pad;
}

export class OneWireBusModel {
  readonly devices: Ds18b20Model[] = [];
  /** Devices listening after the last ROM command. */
  private selected: Ds18b20Model[] = [];
  /** What the selected devices send on read(), in order. */
  private out: number[] = [];

  /** add(rom, temperature) -> a DS18B20 on this bus, holding its power-on scratchpad. */
  add(rom: string, temperature = 21): Ds18b20Model {
    const d: Ds18b20Model = { rom: rom.toLowerCase(), temperature, condition: "ok", scratchpad: scratchpadOf(85) };
    this.devices.push(d);
    return d;
  }

  private present(): Ds18b20Model[] {
    return this.devices.filter((d) => d.condition !== "missing");
  }

  reset(): boolean {
    this.selected = [];
    this.out = [];
    return this.present().length > 0;
  }

  select(rom: string): void {
    this.reset();
    this.selected = this.present().filter((d) => d.rom === rom.toLowerCase());
  }

  skip(): void {
    this.selected = this.present();
    this.out = [];
  }

  write(byte: number): void {
    if (byte === 0x44) {
      for (const d of this.selected) {
        d.scratchpad = scratchpadOf(d.temperature);
        // A corrupt sensor: a flipped bit on the way, so the CRC no longer matches.
        if (d.condition === "corrupt") d.scratchpad[0] ^= 0x04;
      }
    } else if (byte === 0xbe) {
      // Several talking at once (Skip ROM with more than one device): the line is the AND of them.
      this.out = [];
      for (let i = 0; i < 9; i++) this.out.push(this.selected.reduce((v, d) => v & d.scratchpad[i], 0xff));
    }
  }

  read(): number {
    const b = this.out.shift();
    return b === undefined ? 0xff : b;
  }

  search(): string[] {
    return this.present().map((d) => d.rom).sort();
  }
}
