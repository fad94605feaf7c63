// What one fuzzed stream found, in the shape the run adds up and prints.
import { sizeOf } from "../../sim/shim/memory";
import { toHex } from "../helpers/vectors";

export interface StreamResult {
  /** Packets the stream held, as the fuzz run's own framer reads them. */
  packets: number;
  /** Exceptions, hangs, growth, forbidden states: one line each. */
  escapes: string[];
  /** Relay pin writes no valid command explains, and writes asked for that did not come. */
  wrongWrites: number;
  /** Lines that say where (step, packets, bytes), for a replay. */
  details: string[];
}

export function emptyResult(): StreamResult {
  return { packets: 0, escapes: [], wrongWrites: 0, details: [] };
}

/**
 * retainedVars(root, boundary) -> the JsVars (the interpreter's estimate, sim/shim/memory.ts) that root and
 * everything it holds would take, not counting the objects in `boundary` (the seams it was given): the
 * same before and after a stream unless something grows.
 */
export function retainedVars(root: object, boundary: object[]): number {
  return sizeOf(root, new Set<object>(boundary));
}

/** hexOf(bytes, max) -> the first max bytes in hex, and how many more there were. */
export function hexOf(b: Uint8Array, max = 48): string {
  return toHex(b.subarray(0, max)) + (b.length > max ? ` ... (${b.length} bytes)` : "");
}

/** describeError(e) -> one line: the message and where it was thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const at = (e.stack ?? "").split("\n").find((l) => l.includes("/firmware/")) ?? (e.stack ?? "").split("\n")[1] ?? "";
    return `${e.name}: ${e.message}${at ? " " + at.trim() : ""}`;
  }
  return String(e);
}
