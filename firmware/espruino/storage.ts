// The Storage seam on Espruino: files in the Storage module's flash area. Flash wears with every
// rewrite, so writing the value a key already holds is skipped.
// On ESP32, Storage.read returns a string mapped onto the flash itself; a later write or compaction
// can move what it points at, so read() hands out a copy in RAM (concatenation copies a mapped
// string: jsvMathsOp in Espruino's src/jsvar.c; substr would not).
import type { Storage } from "../platform";

/** Espruino truncates longer file names silently (two keys could then share one file): refused here. */
const MAX_NAME = 28;

export class EspruinoStorage implements Storage {
  private readonly s: EspruinoStorageModule = require("Storage");

  read(key: string): string | null {
    const v = this.s.read(key);
    return v === undefined ? null : v + "";
  }

  write(key: string, value: string): boolean {
    // Espruino cannot store an empty file ("Can't create zero length file").
    if (key.length === 0 || key.length > MAX_NAME || value.length === 0) return false;
    try {
      if (this.s.read(key) === value) return true;
      // false or a throw: no free space (even after compaction) or a flash error.
      return this.s.write(key, value) === true;
    } catch (e) {
      return false;
    }
  }
}
