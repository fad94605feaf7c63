// Turns writes to relay pins into relay events: what the relay does (on/off, active-low taken into
// account) and the pin's electrical level, once per change.
import type { DeviceConfig } from "../../firmware/device/config";
import type { PinBank } from "../hardware/pin-bank";
import type { EventBody } from "./events";

/**
 * watchRelays(config, bank, emit) -> forget(): reports every relay change from the pins; the first write
 * counts as one, also the first after forget() (a power cut: the next boot's writes are news again).
 */
export function watchRelays(config: DeviceConfig, bank: PinBank, emit: (e: EventBody) => void): () => void {
  const last = new Map<string, boolean>();
  bank.listen((pin, level, source) => {
    if (source !== "write") return;
    const index = config.relays.findIndex((r) => r.pin === pin);
    if (index < 0) return;
    const r = config.relays[index];
    const on = level !== r.activeLow;
    if (last.get(pin) === on) return;
    last.set(pin, on);
    emit({ event: "relay", relay: r.name, index, on, pin, level: level ? 1 : 0 });
  });
  return () => last.clear();
}
