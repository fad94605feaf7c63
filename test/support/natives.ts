// The Natives seam as Espruino binds it, for Node: bytes become strings of 8-bit characters (latin1 of
// the bytes), so the engine and the device take their string paths (topic screening and matching,
// command routing) in tests, and must decide exactly what the byte paths decide.
import { describe, beforeEach, afterEach } from "vitest";
import type { Natives } from "../../firmware/platform";
import { loopAscii, loopCopy, portableNatives, setNatives } from "../../firmware/mqtt/bytes";

export const stringNatives: Natives = {
  copy: loopCopy,
  toText: (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1"),
  ascii: loopAscii,
};

/**
 * Espruino on a fragmented heap: E.toString finds no flat block and gives undefined, so the engine and the
 * device must fall back to the bytes (a relay must still switch).
 */
export const noFlatBlockNatives: Natives = { copy: loopCopy, toText: () => undefined, ascii: loopAscii };

/** Every way a runtime may bind the seam, or fail to make a string through it. */
export const NATIVES_MODES: [string, Natives][] = [
  ["bytes", portableNatives],
  ["strings", stringNatives],
  ["strings the heap cannot make", noFlatBlockNatives],
];

/**
 * inEveryMode(label, suites): the suites once per NATIVES_MODES entry: "<label> as bytes" (V8), "<label> as
 * strings" (Espruino), "<label> as strings the heap cannot make" (Espruino, no flat block free).
 */
export function inEveryMode(label: string, suites: () => void): void {
  for (const [mode, natives] of NATIVES_MODES) {
    describe(label + " as " + mode, () => {
      beforeEach(() => setNatives(natives));
      afterEach(() => setNatives(portableNatives));
      suites();
    });
  }
}
