// A DHT22 (AM2302) on a pin: woken by the host holding the line low, it answers with two start pulses
// (80 us low, 80 us high) and 40 bits, each 50 us low then 26 us high for a 0 or 70 us high for a 1:
// humidity x10, temperature x10 (bit 15 the sign), and a checksum byte. The simulator sets its values and
// condition: present, missing (no answer), or corrupt (a bit flipped: the checksum fails).
import type { SensorCondition } from "./onewire-bus";

/** The high pulses the host sees end in a falling edge: the response's, then one per bit (microseconds). */
export interface DhtFrame {
  highUs: number[];
  lowUs: number[];
}

export class Dht22Model {
  temperature = 21;
  humidity = 45;
  condition: SensorCondition = "ok";

  /** frame() -> the answer to one wake-up: empty when missing. */
  frame(): DhtFrame {
    if (this.condition === "missing") return { highUs: [], lowUs: [] };
    const rh = Math.max(0, Math.min(1000, Math.round(this.humidity * 10)));
    const t10 = Math.round(Math.abs(this.temperature) * 10) & 0x7fff;
    const t = this.temperature < 0 ? t10 | 0x8000 : t10;
    const bytes = [rh >> 8, rh & 0xff, t >> 8, t & 0xff];
    bytes.push((bytes[0] + bytes[1] + bytes[2] + bytes[3]) & 0xff);
    if (this.condition === "corrupt") bytes[3] ^= 0x01;
    // The line rises when the host lets go (about 30 us) before the sensor pulls it low, then 80 us high.
    const highUs = [30, 80];
    const lowUs = [80, 50];
    for (const b of bytes) {
      for (let k = 7; k >= 0; k--) {
        highUs.push((b >> k) & 1 ? 70 : 26);
        lowUs.push(50);
      }
    }
    return { highUs, lowUs };
  }
}
