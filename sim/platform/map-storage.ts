// The Storage seam in the simulator: a Map the simulator keeps across boots of a board, shared with the
// Espruino shim's Storage module, so a relay's "restore" state survives a reboot in both modes.
import type { Storage } from "../../firmware/platform";

/** Espruino's file-name limit (longer names are cut there, and two keys could share one file). */
const MAX_NAME = 28;

export class MapStorage implements Storage {
  constructor(readonly files: Map<string, string> = new Map()) {}

  read(key: string): string | null {
    const v = this.files.get(key);
    return v === undefined ? null : v;
  }

  write(key: string, value: string): boolean {
    if (key.length === 0 || key.length > MAX_NAME || value.length === 0) return false;
    this.files.set(key, value);
    return true;
  }
}
