// The language as Espruino has it (docs/espruino.md): what its interpreter lacks is removed from the
// context, so firmware that leans on it fails in the simulator as it would on the board; and what it
// does differently on the firmware's hot path (u8.set(string)) is made to behave as on the board.
import type { Realm } from "./realm";

/**
 * What docs/espruino.md lists as missing, as [owner expression, property]. Deleting `Symbol` from the global
 * is safe: V8 reaches its own symbols through intrinsics, never through the global binding.
 */
export const MISSING: readonly (readonly [string, string])[] = [
  ["globalThis", "Map"],
  ["globalThis", "Set"],
  ["globalThis", "WeakMap"],
  ["globalThis", "Symbol"],
  ["globalThis", "TextEncoder"],
  ["Object", "freeze"],
  ["Array", "from"],
  // Uint8Array.from/of are inherited from the shared %TypedArray% constructor.
  ["Object.getPrototypeOf(Uint8Array)", "from"],
  ["Object.getPrototypeOf(Uint8Array)", "of"],
  ["ArrayBuffer", "isView"],
  ["Object.getPrototypeOf(Uint8Array.prototype)", "copyWithin"],
  ["Array.prototype", "copyWithin"],
  ["Math", "imul"],
  ["Math", "trunc"],
  ["String.prototype", "padStart"],
  ["Number", "isInteger"],
  ["Promise", "race"],
  ["Promise", "allSettled"],
  ["Promise.prototype", "finally"],
];

/** removeMissing(realm): deletes every MISSING built-in from the context. Run once, before the firmware. */
export function removeMissing(realm: Realm): void {
  realm.run(MISSING.map(([owner, prop]) => `delete ${owner}[${JSON.stringify(prop)}];`).join("\n"));
}

/**
 * patchByteSet(realm): Espruino's u8.set(string, offset) copies the string's 8-bit chars as bytes
 * (V8 writes zeros) and silently stops at the array's end. The firmware's net transport copies every
 * received chunk this way, so it must hold here, and fast: the copy is one native latin1 write (about
 * 2 us for 536 chars, a third of a JS loop's cost inside the context).
 */
export function patchByteSet(realm: Realm): void {
  const install = realm.run<(copy: typeof latin1Into) => void>(`(function (copy) {
    var proto = Uint8Array.prototype;
    var typedSet = Object.getPrototypeOf(proto).set;
    Object.defineProperty(proto, "set", {
      configurable: true,
      writable: true,
      value: function set(src, offset) {
        if (typeof src !== "string") return typedSet.call(this, src, offset);
        copy(this, src, offset === undefined ? 0 : offset | 0);
      },
    });
  })`);
  install(latin1Into);
}

/** latin1Into(u8, text, offset): text's chars as bytes (low 8 bits) from offset, as many as fit. */
function latin1Into(u8: Uint8Array, text: string, offset: number): void {
  const n = Math.min(text.length, u8.length - offset);
  if (n > 0 && offset >= 0) Buffer.from(u8.buffer, u8.byteOffset + offset, n).write(text, 0, n, "latin1");
}
