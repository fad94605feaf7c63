// The Natives seam as Espruino binds it, for Node: bytes become strings of 8-bit characters (latin1 of
// the bytes), so the engine and the device take their string paths (topic screening and matching,
// command routing) in tests, and must decide exactly what the byte paths decide.
import { describe, beforeEach, afterEach } from "vitest";
import type { Natives } from "../../firmware/platform";
import { loopAscii, loopCopy, portableNatives, setNatives } from "../../firmware/mqtt/bytes";

export const stringNatives: Natives = {
  copy: loopCopy,
  text: (b: Uint8Array, off: number, len: number) => Buffer.from(b.buffer, b.byteOffset + off, len).toString("latin1"),
  ascii: loopAscii,
};

/** Both ways a runtime may bind the seam. */
export const NATIVES_MODES: [string, Natives][] = [["bytes", portableNatives], ["strings", stringNatives]];

/** inBothModes(label, suites): the suites twice, "<label> as bytes" (V8) and "<label> as strings" (Espruino). */
export function inBothModes(label: string, suites: () => void): void {
  for (const [mode, natives] of NATIVES_MODES) {
    describe(label + " as " + mode, () => {
      beforeEach(() => setNatives(natives));
      afterEach(() => setNatives(portableNatives));
      suites();
    });
  }
}
