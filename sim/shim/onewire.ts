// Espruino's built-in OneWire class (src/jswrap_onewire.c) over the board's OneWire bus models: new
// OneWire(pin), reset() -> presence, select(rom) (a reset first; a ROM not of 16 characters throws a
// TypeError), skip(), write(byte or bytes, power), read() -> a byte or read(n) -> a Uint8Array, search() ->
// the ROMs as 16-character hex strings. A pin without sensors behaves as a bare pull-up: no presence,
// every byte 0xFF.
import type { OneWireBusModel } from "../hardware/onewire-bus";
import { OneWireBusModel as BareBus } from "../hardware/onewire-bus";
import type { Realm } from "./realm";

/** installOneWire(realm, pinName, busOf): defines the OneWire class in the context. */
export function installOneWire(realm: Realm, pinName: (v: unknown) => string | undefined, busOf: (pin: string) => OneWireBusModel | undefined): void {
  const U8 = (realm.context as Record<string, unknown>).Uint8Array as new (n: number) => Uint8Array;
  const bare = new BareBus();
  const proto = realm.obj({
    reset(this: { pin: unknown }): boolean {
      return bus(this).reset();
    },
    select(this: { pin: unknown }, rom: unknown): void {
      if (typeof rom !== "string" || rom.length !== 16) throw realm.typeError(`Invalid OneWire device address ${JSON.stringify(rom)}`);
      bus(this).select(rom);
    },
    skip(this: { pin: unknown }): void {
      bus(this).skip();
    },
    write(this: { pin: unknown }, data: unknown): void {
      const b = bus(this);
      const list = typeof data === "number" ? [data] : Array.from(data as ArrayLike<number>);
      for (const x of list) b.write(Number(x) & 0xff);
    },
    read(this: { pin: unknown }, count?: unknown): number | Uint8Array {
      const b = bus(this);
      if (count === undefined) return b.read();
      const out = new U8(Number(count));
      for (let i = 0; i < out.length; i++) out[i] = b.read();
      return out;
    },
    search(this: { pin: unknown }): string[] {
      return realm.arr(bus(this).search());
    },
  });
  function bus(ow: { pin: unknown }): OneWireBusModel {
    const name = pinName(ow.pin);
    return (name !== undefined ? busOf(name) : undefined) ?? bare;
  }
  const OneWire = function OneWire(this: { pin: unknown }, pin: unknown): object {
    if (pinName(pin) === undefined) throw realm.error("Invalid pin: " + String(pin));
    const ow = Object.create(proto) as { pin: unknown };
    ow.pin = pin;
    return ow;
  };
  OneWire.prototype = proto;
  realm.setGlobal("OneWire", OneWire);
}
