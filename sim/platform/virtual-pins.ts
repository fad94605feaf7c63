// The Pins seam over the simulator's pin bank (sim/hardware/pin-bank.ts), for source mode.
import type { Pins } from "../../firmware/platform";
import type { PinBank } from "../hardware/pin-bank";

export class VirtualPins implements Pins {
  constructor(private readonly bank: PinBank) {}

  mode(pin: string, m: string): void {
    this.bank.mode(pin, m);
  }

  write(pin: string, level: boolean): void {
    this.bank.write(pin, level);
  }

  read(pin: string): boolean {
    return this.bank.read(pin);
  }

  analog(pin: string): number {
    return this.bank.analog(pin);
  }

  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, timeMs: number) => void): number {
    return this.bank.watch(pin, edge, debounceMs, fn);
  }

  unwatch(id: number): void {
    this.bank.unwatch(id);
  }
}
