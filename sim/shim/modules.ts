// require() of the board: only the interpreter's built-in modules exist (the bundle carries everything
// else); any other name throws `Module "X" not found`, as Espruino does. Storage lives here too: files
// in the caller's Map, which outlives the board so a reboot finds them.
import type { Realm } from "./realm";

/** Espruino cuts longer Storage file names to this many characters (silently). */
export const MAX_FILE_NAME = 28;

/** storageModule(realm, files) -> the require("Storage") object: read, write, erase, list on files. */
export function storageModule(realm: Realm, files: Map<string, string>): object {
  const name = (n: unknown) => String(n).slice(0, MAX_FILE_NAME);
  return realm.obj({
    read(file: unknown, offset?: unknown, length?: unknown): string | undefined {
      const v = files.get(name(file));
      if (v === undefined) return undefined;
      const off = offset === undefined ? 0 : Number(offset);
      return length === undefined ? v.slice(off) : v.slice(off, off + Number(length));
    },
    write(file: unknown, data: unknown, offset?: unknown, size?: unknown): boolean {
      const text = bytesOf(data);
      const key = name(file);
      if (offset === undefined) {
        if (text.length === 0) throw realm.error("Can't create zero length file");
        files.set(key, text);
        return true;
      }
      // The chunked form: write(name, part, 0, total) creates the file, later parts fill it in.
      const off = Number(offset);
      let cur = files.get(key);
      if (size !== undefined || cur === undefined) cur = "\xff".repeat(size === undefined ? off + text.length : Number(size));
      files.set(key, cur.slice(0, off) + text + cur.slice(off + text.length));
      return true;
    },
    erase(file: unknown): void {
      files.delete(name(file));
    },
    list(): string[] {
      return realm.arr([...files.keys()]);
    },
  });
}

/** The TelnetServer library: setOptions({mode: "on" | "off"}), as the ESP32 release has it; mode() reads it back. */
export function telnetModule(realm: Realm, set: (mode: string) => void): object {
  return realm.obj({
    setOptions(options: unknown): void {
      if (typeof options !== "object" || options === null) throw realm.error(`Expecting Object, got ${typeof options}`);
      const mode = (options as { mode?: unknown }).mode;
      if (mode === undefined) return;
      if (mode !== "on" && mode !== "off") throw realm.error("Unknown mode value");
      set(mode);
    },
  });
}

/** The ESP32 module: present (the bundle may require it), with the one query worth answering. */
export function esp32Module(realm: Realm): object {
  return realm.obj({
    getState(): object {
      return realm.obj({ sdkVersion: "simulated", freeHeap: 100000, BLE: false, Wifi: true, minHeap: 90000 });
    },
  });
}

/** makeRequire(realm, modules) -> the board's require(): a known module's object, else a throw. */
export function makeRequire(realm: Realm, modules: Record<string, () => object>): (name: unknown) => object {
  const cache = new Map<string, object>();
  return function require(name: unknown): object {
    const key = String(name);
    let m = cache.get(key);
    if (m) return m;
    const make = Object.prototype.hasOwnProperty.call(modules, key) ? modules[key] : undefined;
    if (!make) throw realm.error(`Module "${key}" not found`);
    m = make();
    cache.set(key, m);
    return m;
  };
}

/** A Storage write's data as 8-bit chars: strings as they are, byte arrays as bytes. */
function bytesOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
  if (Array.isArray(data)) return String.fromCharCode(...data.map((x) => Number(x) & 255));
  return String(data);
}
