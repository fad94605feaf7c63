// The Natives seam on Espruino: a copy is one native set() (the short-lived subarray view is freed at once
// by reference counting), and bytes become a string with one E.toString, ~90,000 instructions for a
// 35-byte topic where a JS loop would cost ~47,000 a byte; a document's constant pieces are written with
// one set() each.
import type { Natives } from "../platform";
import { loopAscii, nativeCopy } from "../mqtt/bytes";

export const espruinoNatives: Natives = {
  copy: nativeCopy,
  // Espruino's own function: a hot path calls it with no call of ours in between. undefined when no flat
  // block is free (a fragmented heap): the engine then uses the bytes.
  toText: E.toString,
  // One native set(): Espruino copies a string's 8-bit characters into a typed array as bytes. set()
  // throws where the text does not fit; the loop then writes what fits, as the portable one does.
  ascii: function (buf: Uint8Array, off: number, s: string): number {
    return off + s.length <= buf.length ? (buf.set(s as unknown as ArrayLike<number>, off), off + s.length) : loopAscii(buf, off, s);
  },
};
